"""Glossaries and bridges through the pages and the API: proposals, approvals, bad input, live marks."""
import re

from sqlalchemy import select

from tests.conftest import csrf_from, post_form
from workspace.accounts import services as accounts
from workspace.communities import services as communities
from workspace.extensions import db, socketio
from workspace.glossary import services as glossary
from workspace.glossary.models import Term
from workspace.spaces.models import Space


def api(client):
    """Cookie callers of the API send the CSRF token from a page."""
    token = csrf_from(client.get("/").get_data(as_text=True))
    return {"X-CSRFToken": token}


def space_id(app, title="Referral guidelines"):
    with app.app_context():
        return db.session.scalar(select(Space.id).where(Space.title == title))


def community_id(app, slug):
    with app.app_context():
        return communities.find_community(slug).id


def term_id(app, slug, text):
    with app.app_context():
        return glossary.find_term(communities.find_community(slug), text).id


def marks(html):
    return re.findall(r'<button type="button" class="term[^"]*" data-term-ids="[\d ]+"[^>]*>([^<]*)</button>', html)


def test_steward_adds_a_term_that_appears_in_the_glossary(sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    response = post_form(sam, "/communities/social-work/glossary/new", {
        "term": "reablement", "aliases": "re-ablement\nreablement service",
        "definition": "Short-term support to *regain* skills.", "status": "active"},
        page="/communities/social-work/glossary/new")
    assert response.status_code == 302
    page = sam.get("/communities/social-work/glossary").get_data(as_text=True)
    assert "reablement" in page and "<em>regain</em>" in page


def test_member_proposal_waits_for_a_steward_then_has_a_history(app, sign_in_as):
    maria = sign_in_as("maria@socialwork.test")
    sw = community_id(app, "social-work")
    created = maria.post(f"/api/v1/communities/{sw}/terms", headers=api(maria),
                         json={"term": "MARAC", "definition": "Multi-agency risk assessment conference."})
    assert created.status_code == 201 and created.json["approved"] is False
    sam = sign_in_as("sam@socialwork.test")
    page = sam.get("/communities/social-work/glossary").get_data(as_text=True)
    revision = re.search(r'/term-revisions/(\d+)/approve', page).group(1)
    assert post_form(sam, f"/term-revisions/{revision}/approve").status_code == 302
    term = sam.get(f"/api/v1/terms/{created.json['id']}").json
    assert term["approved"] is True
    assert [h["state"] for h in term["history"]] == ["applied"]
    assert "María José Álvarez" in sam.get(f"/terms/{created.json['id']}").get_data(as_text=True)


def test_member_edit_is_a_proposal_unless_the_community_lets_members_edit(app, sign_in_as):
    maria = sign_in_as("maria@socialwork.test")
    client_id = term_id(app, "social-work", "client")
    version = maria.get(f"/api/v1/terms/{client_id}").json["version"]
    proposed = maria.patch(f"/api/v1/terms/{client_id}", headers=api(maria),
                           json={"definition": "The person we support.", "version": version})
    assert proposed.status_code == 202 and proposed.json["definition"] != "The person we support."
    sam = sign_in_as("sam@socialwork.test")
    post_form(sam, "/communities/social-work/glossary/settings", {"members_edit_directly": "y"})
    direct = maria.patch(f"/api/v1/terms/{client_id}", headers=api(maria),
                         json={"definition": "The person we support.", "version": version})
    assert direct.status_code == 200 and direct.json["version"] == version + 1


def test_duplicate_term_is_refused_ignoring_case_and_unicode_variants(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    sw = community_id(app, "social-work")
    for spelling in ("CLIENT", "ｃｌｉｅｎｔ", " Client "):
        response = sam.post(f"/api/v1/communities/{sw}/terms", headers=api(sam),
                            json={"term": spelling, "definition": "again"})
        assert response.status_code == 422
        assert "already in the Social Work glossary" in response.json["errors"]["term"]


def test_terms_must_have_one_to_eighty_characters_shown_beside_the_field(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    for bad in ("", "   ", "x" * 81):
        response = post_form(sam, "/communities/social-work/glossary/new",
                             {"term": bad, "definition": "d", "status": "active"},
                             page="/communities/social-work/glossary/new")
        assert response.status_code == 422
        assert 'id="term-error"' in response.get_data(as_text=True)
    ok = sam.post(f"/api/v1/communities/{community_id(app, 'social-work')}/terms", headers=api(sam),
                  json={"term": "x" * 80, "definition": "d"})
    assert ok.status_code == 201


def test_loaded_term_needs_its_note(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    response = sam.post(f"/api/v1/communities/{community_id(app, 'social-work')}/terms", headers=api(sam),
                        json={"term": "difficult family", "definition": "d", "status": "loaded"})
    assert response.status_code == 422 and "loaded_note" in response.json["errors"]


def test_regex_metacharacters_xss_and_rtl_are_stored_and_shown_as_typed(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    sw = community_id(app, "social-work")
    for text in (".*+?^${}()|[]\\", "<img src=x onerror=alert(1)>", "\u202eevil\u202c", "שלום"):
        response = sam.post(f"/api/v1/communities/{sw}/terms", headers=api(sam), json={"term": text, "definition": "d"})
        assert response.status_code == 201 and response.json["term"] == text
    page = sam.get("/communities/social-work/glossary").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_stale_edit_is_refused_with_the_current_term(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    case = term_id(app, "social-work", "case")
    version = sam.get(f"/api/v1/terms/{case}").json["version"]
    assert sam.patch(f"/api/v1/terms/{case}", headers=api(sam), json={"example": "one", "version": version}).status_code == 200
    stale = sam.patch(f"/api/v1/terms/{case}", headers=api(sam), json={"example": "two", "version": version})
    assert stale.status_code == 409 and stale.json["current"]["example"] == "one"


def test_bridge_within_one_community_or_to_itself_is_refused(app, sign_in_as):
    omar = sign_in_as("omar@psychiatry.test")
    patient, section = term_id(app, "psychiatry", "patient"), term_id(app, "psychiatry", "section")
    same = omar.post("/api/v1/bridges", headers=api(omar),
                     json={"from_term_id": patient, "to_term_id": section, "relation": "related"})
    assert same.status_code == 422 and "two different communities" in same.json["errors"]["to_term_id"]
    itself = omar.post("/api/v1/bridges", headers=api(omar),
                       json={"from_term_id": patient, "to_term_id": patient, "relation": "related"})
    assert itself.status_code == 422 and "itself" in itself.json["errors"]["to_term_id"]
    unknown = omar.post("/api/v1/bridges", headers=api(omar),
                        json={"from_term_id": patient, "to_term_id": 999999, "relation": "related"})
    assert unknown.status_code == 422 and "999999" in unknown.json["errors"]["to_term_id"]


def test_bridge_is_confirmed_when_a_member_of_each_community_agrees(app, sign_in_as):
    omar = sign_in_as("omar@psychiatry.test")
    proposed = omar.post("/api/v1/bridges", headers=api(omar), json={
        "from_term_id": term_id(app, "psychiatry", "discharge"), "to_term_id": term_id(app, "social-work", "referral"),
        "relation": "related", "note": "Discharge often means a referral."})
    assert proposed.status_code == 201 and proposed.json["status"] == "proposed"
    again = omar.post(f"/api/v1/bridges/{proposed.json['id']}/confirm", headers=api(omar))
    assert again.status_code == 403
    maria = sign_in_as("maria@socialwork.test")
    confirmed = maria.post(f"/api/v1/bridges/{proposed.json['id']}/confirm", headers=api(maria))
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"


def test_anyone_in_a_space_convening_both_communities_may_propose_a_bridge(app, sign_in_as):
    jo = sign_in_as("jo@policing.test")
    with app.app_context():
        sam = accounts.find_user_by_email("sam@socialwork.test")
        other = glossary.create_term(communities.find_community("social-work"),
                                     data={"term": "foster care", "definition": "d"}, actor=sam)
        db.session.commit()
        other_id = other.id
    ok = jo.post("/api/v1/bridges", headers=api(jo), json={
        "from_term_id": term_id(app, "community-policing", "custody"), "to_term_id": other_id, "relation": "related"})
    assert ok.status_code == 201  # Crisis response convenes Policing and Social Work, and jo joined it
    outsider = sign_in_as("outsider@convene.test")
    refused = outsider.post("/api/v1/bridges", headers=api(outsider), json={
        "from_term_id": term_id(app, "community-policing", "custody"), "to_term_id": other_id, "relation": "related"})
    assert refused.status_code == 403


def test_dispute_needs_a_reason_and_shows_it(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    space = space_id(app)
    with app.app_context():
        client = glossary.find_term(communities.find_community("social-work"), "client")
        bridge = glossary.bridges_of(client)[0]
        bridge_id = bridge.id
    empty = post_form(sam, f"/bridges/{bridge_id}/dispute", {"reason": " ", "space_id": space})
    assert empty.status_code == 302
    assert sam.get(f"/api/v1/terms/{client.id}").json["bridges"][0]["status"] == "confirmed"
    post_form(sam, f"/bridges/{bridge_id}/dispute", {"reason": "Clients are not ill.", "space_id": space})
    page = sam.get(f"/spaces/{space}/glossary").get_data(as_text=True)
    assert "disputed" in page and "Clients are not ill." in page


def test_each_reader_sees_the_other_communitys_words_explained_in_their_own(app, sign_in_as):
    space = space_id(app)
    sam_page = sign_in_as("sam@socialwork.test").get(f"/spaces/{space}").get_data(as_text=True)
    assert "patients" in marks(sam_page)
    assert "In Social Work you would say <em>client</em>." in sam_page
    priya_page = sign_in_as("priya@psychiatry.test").get(f"/spaces/{space}").get_data(as_text=True)
    assert "clients" in marks(priya_page) and "In Psychiatry you would say <em>patient</em>." in priya_page
    crisis = space_id(app, "Crisis response policy 2027")
    lee_page = sign_in_as("lee@policing.test").get(f"/spaces/{crisis}").get_data(as_text=True)
    assert re.search(r'class="term term--false-friend"[^>]*>cases<', lee_page)


def test_reader_switches_annotations_off_and_chooses_which_community_to_read_as(app, sign_in_as):
    with app.app_context():
        communities.add_member(communities.find_community("psychiatry"),
                               accounts.find_user_by_email("maria@socialwork.test"), actor=None)
        db.session.commit()
    crisis = space_id(app, "Crisis response policy 2027")
    maria = sign_in_as("maria@socialwork.test")
    first = maria.get(f"/spaces/{crisis}").get_data(as_text=True)
    assert "patients" not in marks(first) and "clients" in marks(first)  # reads as Psychiatry (first by name)
    post_form(maria, "/glossary/reading", {"reading_community_id": community_id(app, "social-work"),
                                           "annotations_enabled": "y", "next": f"/spaces/{crisis}"})
    second = maria.get(f"/spaces/{crisis}").get_data(as_text=True)
    assert "patients" in marks(second) and "clients" not in marks(second)
    post_form(maria, "/glossary/reading", {"reading_community_id": community_id(app, "social-work"),
                                           "next": f"/spaces/{crisis}"})
    assert marks(maria.get(f"/spaces/{crisis}").get_data(as_text=True)) == []


def test_nobody_reads_as_a_community_they_do_not_belong_to(app, sign_in_as):
    omar = sign_in_as("omar@psychiatry.test")
    post_form(omar, "/glossary/reading", {"reading_community_id": community_id(app, "social-work"),
                                          "annotations_enabled": "y"})
    page = omar.get(f"/spaces/{space_id(app)}").get_data(as_text=True)
    assert "clients" in marks(page)


def test_read_in_my_words_replaces_equivalents_and_keeps_the_original(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    fragment = sam.get(f"/spaces/{space_id(app)}/glossary/fragments?mode=mine").get_data(as_text=True)
    # "patients" is the plural alias of "patient": a social worker reads the plural of "client" (issue 8)
    assert 'in-my-words__mine">clients</span><span class="in-my-words__original"> (written: patients)' in fragment
    with app.app_context():
        patient = glossary.find_term(communities.find_community("psychiatry"), "patient")
        patient_id, version = patient.id, patient.version
    priya = sign_in_as("priya@psychiatry.test")
    priya.patch(f"/api/v1/terms/{patient_id}", headers=api(priya), json={"aliases": ["patients"], "version": version})
    fragment = sam.get(f"/spaces/{space_id(app)}/glossary/fragments?mode=mine").get_data(as_text=True)
    assert 'in-my-words__mine">clients</span><span class="in-my-words__original"> (written: patients)' in fragment


def test_a_glossary_change_reaches_every_space_involving_the_community(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    watcher = sign_in_as("omar@psychiatry.test")
    sio = socketio.test_client(app, flask_test_client=watcher)
    assert sio.emit("join_space", {"space_id": space_id(app)}, callback=True)["ok"]
    sio.get_received()
    response = sam.post(f"/api/v1/communities/{community_id(app, 'social-work')}/terms", headers=api(sam),
                        json={"term": "direct payment", "definition": "Money instead of services."})
    assert response.status_code == 201
    events = [e for e in sio.get_received() if e["name"] == "glossary_changed"]
    assert len(events) == 1 and events[0]["args"][0]["space_id"] == space_id(app)
    assert events[0]["args"][0]["change"] == "term_created"
    page = watcher.get(f"/spaces/{space_id(app)}/glossary/fragments").get_data(as_text=True)
    assert 'id="glossary-entries"' in page
    sio.disconnect()


def test_rejected_or_pending_changes_send_no_event(app, sign_in_as):
    maria = sign_in_as("maria@socialwork.test")
    sio = socketio.test_client(app, flask_test_client=sign_in_as("sam@socialwork.test"))
    sio.emit("join_space", {"space_id": space_id(app)}, callback=True)
    sio.get_received()
    maria.post(f"/api/v1/communities/{community_id(app, 'social-work')}/terms", headers=api(maria),
               json={"term": "deprivation of liberty", "definition": "d"})
    assert [e for e in sio.get_received() if e["name"] == "glossary_changed"] == []
    sio.disconnect()


def test_space_glossary_api_lists_terms_and_bridges_of_the_convened_communities(app, sign_in_as):
    body = sign_in_as("omar@psychiatry.test").get(f"/api/v1/spaces/{space_id(app)}/glossary").json
    communities_seen = {t["community_id"] for t in body["terms"]}
    assert communities_seen == {community_id(app, "psychiatry"), community_id(app, "social-work")}
    assert {"id", "community_id", "term", "aliases", "definition", "example", "status"} <= set(body["terms"][0])
    assert {"id", "from_term_id", "to_term_id", "relation", "note", "status"} <= set(body["bridges"][0])
    relations = {b["relation"] for b in body["bridges"]}
    assert "equivalent" in relations


def test_demo_shows_every_relation_a_loaded_term_and_the_case_false_friend(app, ctx):
    bridges = glossary.list_bridges()
    assert {b.relation for b in bridges} == {"equivalent", "broader", "narrower", "related", "false_friend"}
    case = next(b for b in bridges if b.relation == "false_friend" and b.from_term.term == "case")
    assert {case.from_term.community.slug, case.to_term.community.slug} == {"community-policing", "social-work"}
    assert db.session.scalar(select(Term).where(Term.status == "loaded", Term.loaded_note != "")) is not None
    assert glossary.find_term(communities.find_community("psychiatry"), "section") is not None
    for slug in ("psychiatry", "social-work", "community-policing"):
        assert 12 <= len(glossary.list_terms(communities.find_community(slug))) <= 18


def test_jargon_hints_flag_others_loaded_terms_false_friends_and_unknown_acronyms(app, sign_in_as):
    crisis = space_id(app, "Crisis response policy 2027")
    maria = sign_in_as("maria@socialwork.test")
    text = "A frequent flyer 🙂 with an open case, seen by MASH and the XYZQ panel."
    hints = maria.post(f"/api/v1/spaces/{crisis}/jargon-hints", headers=api(maria), json={"text": text}).json["items"]
    kinds = {(h["kind"], h["text"]) for h in hints}
    assert ("loaded", "frequent flyer") in kinds
    assert ("false_friend", "case") in kinds
    assert ("unknown_acronym", "XYZQ") in kinds
    assert not any(h["text"] == "MASH" for h in hints)  # Social Work's own alias: in a glossary
    xyzq = next(h for h in hints if h["text"] == "XYZQ")
    assert text[xyzq["start"]:xyzq["end"]] == "XYZQ" and xyzq["utf16_start"] == xyzq["start"] + 1  # the emoji


def test_candidate_terms_are_shown_to_stewards_only(app, sign_in_as):
    space = space_id(app)
    assert "Possible jargon" in sign_in_as("sam@socialwork.test").get(f"/spaces/{space}/glossary").get_data(as_text=True)
    assert "Possible jargon" not in sign_in_as("omar@psychiatry.test").get(f"/spaces/{space}/glossary").get_data(as_text=True)


def test_two_stewards_editing_at_once_the_second_is_told_and_keeps_their_text(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    case = term_id(app, "social-work", "case")
    form_page = sam.get(f"/terms/{case}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form_page).group(1)
    fields = {"term": "case", "definition": "First edit.", "status": "active", "version": version}
    assert post_form(sam, f"/terms/{case}/edit", fields, page=f"/terms/{case}/edit").status_code == 302
    late = post_form(sam, f"/terms/{case}/edit", dict(fields, definition="Second edit."), page=f"/terms/{case}/edit")
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "changed by someone else" in html and "Second edit." in html
    assert "Current definition: First edit." in html


def test_steward_imports_a_csv_and_anyone_exports_skos(app, sign_in_as):
    import io
    sam = sign_in_as("sam@socialwork.test")
    page = sam.get("/communities/social-work/glossary/import").get_data(as_text=True)
    csv_text = "term,aliases,definition,example,status,loaded_note\r\nkinship care,family care | kinship,Care by relatives.,,active,\r\n"
    response = sam.post("/communities/social-work/glossary/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(csv_text.encode()), "terms.csv")})
    assert response.status_code == 302
    term = sam.get(f"/api/v1/terms/{term_id(app, 'social-work', 'kinship care')}").json
    assert term["aliases"] == ["family care", "kinship"]
    bad = sam.post("/communities/social-work/glossary/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(b"term,definition\r\n,\r\n"), "terms.csv")})
    assert bad.status_code == 422 and "Nothing was imported" in bad.get_data(as_text=True)
    turtle = sign_in_as("jo@policing.test").get("/communities/social-work/glossary.ttl")
    assert turtle.mimetype == "text/turtle" and b"skos:exactMatch" in turtle.data


def test_stewards_see_possible_jargon_of_their_own_community_with_the_statistic(app, sign_in_as):
    crisis = space_id(app, "Crisis response policy 2027")
    page = sign_in_as("lee@policing.test").get(f"/spaces/{crisis}/glossary").get_data(as_text=True)
    assert "<strong>police</strong> (Community Policing)" in page
    # Plain words on the page (issue 8); the method is in docs/glossary.md
    assert "log-odds" not in page and "Dirichlet" not in page and "more than chance would explain" in page
    assert "(Social Work)" not in page.split("Possible jargon")[1]


# --- the document editor: preview, reading aid, candidate terms --------------------------------

def referral_document(app):
    from workspace.documents.models import Document
    with app.app_context():
        return db.session.scalar(select(Document.id).join(Space).where(Space.title == "Referral guidelines"))


def preview(client, document_id, text, **extra):
    return client.post(f"/documents/{document_id}/preview", headers=api(client), json={"text": text, **extra})


def test_document_preview_marks_the_other_communitys_terms_for_this_reader(app, sign_in_as):
    document = referral_document(app)
    sam = sign_in_as("sam@socialwork.test")
    text = "The patient agreed to the referral. <script>alert(1)</script> `patient` [patient](https://example.org)"
    response = preview(sam, document, text)
    assert response.status_code == 200 and response.json["mode"] == "annotated"
    html = response.json["fragments"]
    assert marks(html) == ["patient"]  # Psychiatry's term, once; never in code or a link; "referral" is Sam's own
    assert '<div data-glossary-fragment="preview" data-mode="annotated">' in html
    assert "In Social Work you would say <em>client</em>." in html  # the popover entry travels with it
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    priya = sign_in_as("priya@psychiatry.test")
    assert marks(preview(priya, document, text).json["fragments"]) == ["referral"]


def test_document_preview_reads_in_my_words_and_keeps_the_original(app, sign_in_as):
    document = referral_document(app)
    sam = sign_in_as("sam@socialwork.test")
    response = preview(sam, document, "The Patient was seen.", mode="mine")
    html = response.json["fragments"]
    assert response.json["mode"] == "mine" and 'data-mode="mine"' in html
    assert ('<span class="in-my-words" tabindex="0"><span class="in-my-words__mine">Client</span>'
            '<span class="in-my-words__original"> (written: Patient)</span></span>') in html
    assert marks(html) == []
    refused = preview(sam, document, "text", mode="shout")
    assert refused.status_code == 422
    assert preview(sam, document, 42).status_code == 422


def test_document_page_shows_the_preview_annotated_and_the_reading_aid(app, sign_in_as):
    document = referral_document(app)
    page = sign_in_as("priya@psychiatry.test").get(f"/documents/{document}").get_data(as_text=True)
    assert "referring" in marks(page) or "referral" in marks(page)
    assert 'id="glossary-entries"' in page and 'id="glossary-hint-false-friend"' in page
    assert 'id="read-in-my-words"' in page and "Reading aid:" in page
    assert f'data-reading-as="{community_id(app, "psychiatry")}"' in page
    post_form(sign_in_as("priya@psychiatry.test"), "/glossary/reading",
              {"reading_community_id": community_id(app, "psychiatry")})  # annotations off
    off = sign_in_as("priya@psychiatry.test").get(f"/documents/{document}").get_data(as_text=True)
    assert marks(off) == [] and 'data-glossary-enabled="false"' in off and 'id="read-in-my-words"' not in off


def test_add_to_the_glossary_link_fills_in_the_term(app, sign_in_as):
    page = sign_in_as("sam@socialwork.test").get("/communities/social-work/glossary/new?term=XYZQ")
    assert page.status_code == 200 and 'value="XYZQ"' in page.get_data(as_text=True)


def test_documents_written_within_one_community_feed_its_possible_jargon(app, ctx):
    from workspace.accounts.services import find_user_by_email
    from workspace.documents import services as documents
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    priya, sam = find_user_by_email("priya@psychiatry.test"), find_user_by_email("sam@socialwork.test")
    psychiatry = communities.find_community("psychiatry").id
    documents.create_document(space, title="Psychiatry alone", text="Depot injection. Depot clinic.", actor=priya)
    together = documents.create_document(space, title="Together", text="Depot injection.", actor=priya)
    documents._store_edit(together, "Depot injection. Kinship care.", actor=sam)
    corpus = list(glossary.space_corpus(space))
    assert (psychiatry, "Depot injection. Depot clinic.") in corpus
    assert not any("Kinship" in text for _cid, text in corpus)  # co-written across communities: left out


# --- a card's page: description annotated, live fragments, reading aid, hints, candidate terms -------

def referral_card(app, description, *, author="sam@socialwork.test", title="Words on a card"):
    """A card on the Referral guidelines board (Psychiatry + Social Work) with `description`."""
    from workspace.boards import services as boards
    from workspace.boards.demo import REFERRAL_TITLE, find_board
    with app.app_context():
        board = find_board(REFERRAL_TITLE)
        card = boards.create_card(board, column=boards.open_columns(board)[0], title=title, description=description,
                                  actor=accounts.find_user_by_email(author))
        db.session.commit()
        return card.id


def description_of(html):
    """The card page's or fragments' description fragment."""
    return re.search(r'<div data-glossary-fragment="description"[^>]*>(.*?)</div>\s*<div data-glossary-fragment="entries"',
                     html, re.S).group(1)


def test_card_page_marks_the_other_communitys_terms_for_each_reader(app, sign_in_as):
    card = referral_card(app, "The patient agreed to the referral. <script>alert(1)</script> `patient` "
                              "[patient](https://example.org)")
    page = sign_in_as("sam@socialwork.test").get(f"/cards/{card}").get_data(as_text=True)
    described = description_of(page)
    assert marks(described) == ["patient"]  # Psychiatry's term, once; never in code or a link; "referral" is Sam's own
    assert "<script>" not in page.split('id="card-description"')[1].split("</section>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in described
    assert '<div data-glossary-fragment="description" data-mode="annotated">' in page
    assert "In Social Work you would say <em>client</em>." in page  # the popover entry for the mark
    assert 'id="glossary-hint-term"' in page and 'id="read-in-my-words"' in page and "Reading aid:" in page
    assert 'data-fragments-url="/cards/%d/glossary/fragments"' % card in page
    assert f'data-space-id="{space_id(app)}"' in page and re.search(r"dist/card(-[A-Z0-9]+)?\.js", page)
    priya = sign_in_as("priya@psychiatry.test").get(f"/cards/{card}").get_data(as_text=True)
    assert marks(description_of(priya)) == ["referral"]


def test_card_page_without_description_or_with_marks_off_shows_no_marks(app, sign_in_as):
    empty = referral_card(app, "")
    page = sign_in_as("priya@psychiatry.test").get(f"/cards/{empty}").get_data(as_text=True)
    assert "No description." in description_of(page) and 'id="read-in-my-words"' not in page
    card = referral_card(app, "Ask about the referral.")
    post_form(sign_in_as("priya@psychiatry.test"), "/glossary/reading",
              {"reading_community_id": community_id(app, "psychiatry")})  # annotations off
    off = sign_in_as("priya@psychiatry.test").get(f"/cards/{card}").get_data(as_text=True)
    assert marks(off) == [] and "Glossary marks are off" in off and 'id="read-in-my-words"' not in off


def test_card_description_reads_in_my_words_and_keeps_the_original(app, sign_in_as):
    card = referral_card(app, "The Patient was seen.", author="priya@psychiatry.test")
    sam = sign_in_as("sam@socialwork.test")
    response = sam.get(f"/cards/{card}/glossary/fragments?mode=mine")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-mode="mine"' in html
    assert ('<span class="in-my-words" tabindex="0"><span class="in-my-words__mine">Client</span>'
            '<span class="in-my-words__original"> (written: Patient)</span></span>') in html
    assert marks(html) == []
    annotated = sam.get(f"/cards/{card}/glossary/fragments").get_data(as_text=True)
    assert 'data-mode="annotated"' in annotated and marks(annotated) == ["Patient"]
    assert sam.get(f"/cards/{card}/glossary/fragments?mode=shout").status_code == 422


def test_card_fragments_follow_a_glossary_change(app, sign_in_as):
    card = referral_card(app, "Offer a depot clinic slot.")
    sam = sign_in_as("sam@socialwork.test")
    assert marks(sam.get(f"/cards/{card}/glossary/fragments").get_data(as_text=True)) == []
    priya = sign_in_as("priya@psychiatry.test")
    created = priya.post(f"/api/v1/communities/{community_id(app, 'psychiatry')}/terms", headers=api(priya),
                         json={"term": "depot", "definition": "A long-acting injection."})
    assert created.status_code == 201
    after = sam.get(f"/cards/{card}/glossary/fragments").get_data(as_text=True)
    assert marks(after) == ["depot"] and "A long-acting injection." in after


def test_card_editors_get_a_hints_area_beside_the_description_watchers_do_not(app, sign_in_as):
    card = referral_card(app, "Ask about the referral.")
    editor = sign_in_as("omar@psychiatry.test").get(f"/cards/{card}").get_data(as_text=True)
    hints = editor.split('id="jargon-hints"')[1]
    assert editor.index('name="description"') < editor.index('id="jargon-hints"')  # beside the field
    assert 'id="jargon-hints-status" class="muted" role="status"' in hints and "nothing stops you" in hints
    assert f'data-jargon-hints-url="/api/v1/spaces/{space_id(app)}/jargon-hints"' in editor
    assert 'data-add-term-url="/communities/psychiatry/glossary/new"' in editor
    watcher = sign_in_as("maria@socialwork.test").get(f"/cards/{card}").get_data(as_text=True)
    assert 'id="jargon-hints"' not in watcher and marks(description_of(watcher)) == []  # referral: Maria's own


def test_cards_written_within_one_community_feed_its_possible_jargon(app, ctx):
    from workspace.boards import services as boards
    from workspace.boards.demo import REFERRAL_TITLE, find_board
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    priya, sam = accounts.find_user_by_email("priya@psychiatry.test"), accounts.find_user_by_email("sam@socialwork.test")
    psychiatry = communities.find_community("psychiatry").id
    board = find_board(REFERRAL_TITLE)
    todo = boards.open_columns(board)[0]
    boards.create_card(board, column=todo, title="Depot clinic rota", description="Depot injection slots.", actor=priya)
    shared = boards.create_card(board, column=todo, title="Kinship list", description="Depot.", actor=priya)
    boards.update_card(shared, version=shared.version, description="Depot. Kinship care.", actor=sam)
    renamed = boards.create_card(board, column=todo, title="Ward round notes", actor=priya)
    boards.update_card(renamed, version=renamed.version, title="Ward round and kinship notes", actor=sam)
    boards.update_card(boards.create_card(board, column=todo, title="Tidy", actor=priya), version=1,
                       labels=["admin"], actor=sam)  # a label is not words: still Psychiatry's alone
    corpus = list(glossary.space_corpus(space))
    assert (psychiatry, "Depot clinic rota\nDepot injection slots.") in corpus
    assert (psychiatry, "Tidy\n") in corpus
    assert not any("Kinship" in text or "kinship" in text for _cid, text in corpus)  # worded across communities
