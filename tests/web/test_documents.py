"""Joint-response documents: creation, server-side edits, versions, review, endorsement and adoption."""
import pytest
from sqlalchemy import select

from tests.conftest import post_form
from workspace.accounts.services import find_user_by_email
from workspace.audit.models import AuditEntry
from workspace.communities.services import find_community
from workspace.documents import services, store
from workspace.documents.models import Document
from workspace.errors import ValidationError
from workspace.extensions import db
from workspace.spaces.models import Space


def space_named(title):
    return db.session.scalar(select(Space).where(Space.title == title))


@pytest.fixture
def crisis(ctx):
    return space_named("Crisis response policy 2027")


@pytest.fixture
def people(ctx):
    return {name: find_user_by_email(email) for name, email in [
        ("lee", "lee@policing.test"), ("sam", "sam@socialwork.test"), ("priya", "priya@psychiatry.test"),
        ("jo", "jo@policing.test"), ("maria", "maria@socialwork.test"), ("omar", "omar@psychiatry.test")]}


def communities():
    return {slug: find_community(slug) for slug in ("psychiatry", "social-work", "community-policing")}


def test_new_document_keeps_its_text_in_the_crdt(crisis, people):
    document = services.create_document(crisis, title="Our words", text="Première ligne 😀 שלום", actor=people["lee"])
    assert services.current_text(document) == "Première ligne 😀 שלום"
    assert document.status == "drafting"


def test_restoring_a_version_is_a_new_edit_that_keeps_history(crisis, people):
    document = services.create_document(crisis, title="Restore me", text="first words", actor=people["lee"])
    v1 = services.save_version(document, note="first", actor=people["lee"])
    services._store_edit(document, "second words entirely", actor=people["sam"])
    assert services.current_text(document) == "second words entirely"
    services.restore_version(document, v1, actor=people["maria"])
    assert services.current_text(document) == "first words"
    kinds = [v.kind for v in services.versions_of(document)]
    assert kinds == ["restored", "named"]


def test_a_version_of_another_document_cannot_be_restored(crisis, people):
    a = services.create_document(crisis, title="A", text="a", actor=people["lee"])
    b = services.create_document(crisis, title="B", text="b", actor=people["lee"])
    version = services.save_version(a, actor=people["lee"])
    with pytest.raises(ValidationError):
        services.restore_version(b, version, actor=people["lee"])


def propose(crisis, people, text="We agree on this."):
    document = services.create_document(crisis, title="Joint", text=text, actor=people["lee"])
    services.move_to_review(document, actor=people["lee"])
    return document


def test_adopted_only_when_every_community_acts_on_the_same_version(crisis, people):
    c = communities()
    document = propose(crisis, people)
    services.record_position(document, community=c["community-policing"], position="endorse", actor=people["lee"])
    services.record_position(document, community=c["social-work"], position="reservations",
                             note="Name the 72-hour follow-up owner.", actor=people["sam"])
    assert document.status == "in_review"
    services.record_position(document, community=c["psychiatry"], position="stand_aside", actor=people["priya"])
    assert document.status == "adopted"
    assert document.adopted_version_id == document.proposed_version_id
    record = {r["community"]: r for r in services.endorsement_record(document)}
    assert record["Social Work"]["note"] == "Name the 72-hour follow-up owner."
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "document.adopted",
                                                      AuditEntry.target_id == document.id)) is not None


def test_a_block_prevents_adoption_and_needs_a_reason(crisis, people):
    c = communities()
    document = propose(crisis, people)
    with pytest.raises(ValidationError) as refused:
        services.record_position(document, community=c["psychiatry"], position="block", actor=people["priya"])
    assert "note" in refused.value.errors
    services.record_position(document, community=c["psychiatry"], position="block",
                             note="Detention powers are misdescribed.", actor=people["priya"])
    services.record_position(document, community=c["social-work"], position="endorse", actor=people["sam"])
    services.record_position(document, community=c["community-policing"], position="endorse", actor=people["lee"])
    assert document.status == "in_review"


def test_standing_aside_everywhere_is_not_adoption(crisis, people):
    c = communities()
    document = propose(crisis, people)
    for slug, who in (("psychiatry", "priya"), ("social-work", "sam"), ("community-policing", "lee")):
        services.record_position(document, community=c[slug], position="stand_aside", actor=people[who])
    assert document.status == "in_review"


def test_an_edit_after_the_freeze_asks_communities_again(crisis, people):
    c = communities()
    document = propose(crisis, people, text="Version one.")
    services.record_position(document, community=c["community-policing"], position="endorse", actor=people["lee"])
    services._store_edit(document, "Version one, amended.", actor=people["jo"])
    record = {r["community"]: r for r in services.endorsement_record(document)}
    assert record["Community Policing"]["changed_since"] is True
    assert record["Community Policing"]["current"] is False
    # Positions recorded now speak to the amended text, as a new proposed version.
    services.record_position(document, community=c["social-work"], position="endorse", actor=people["sam"])
    services.record_position(document, community=c["psychiatry"], position="endorse", actor=people["priya"])
    assert document.status == "in_review", "policing endorsed the old words, not these"
    services.record_position(document, community=c["community-policing"], position="endorse", actor=people["lee"])
    assert document.status == "adopted"
    assert document.adopted_version.text == "Version one, amended."


def test_only_stewards_of_convened_communities_speak_for_them(crisis, people):
    c = communities()
    document = propose(crisis, people)
    with pytest.raises(ValidationError):  # Jo is a Community Policing member, not its steward
        services.record_position(document, community=c["community-policing"], position="endorse", actor=people["jo"])
    with pytest.raises(ValidationError):  # Sam stewards Social Work, not Psychiatry
        services.record_position(document, community=c["psychiatry"], position="endorse", actor=people["sam"])


def test_bad_document_input_is_refused_and_writes_nothing(crisis, people):
    before = db.session.scalar(select(db.func.count()).select_from(Document))
    for fields in ({"title": ""}, {"title": "x" * 201}, {"title": "ok", "responds_to_url": "javascript:alert(1)"}):
        with pytest.raises(ValidationError):
            services.create_document(crisis, actor=people["lee"], **fields)
    assert db.session.scalar(select(db.func.count()).select_from(Document)) == before


def test_compaction_folds_the_log_and_keeps_the_text(crisis, people):
    document = services.create_document(crisis, title="Long history", text="", actor=people["lee"])
    doc, text = store.new_doc()
    for i in range(60):
        before = doc.get_state()
        text.insert(len(str(text).encode()), f"line {i} é😀\n")
        store.append([(document.id, doc.get_update(before), people["lee"].id)])
    expected = str(text)
    assert store.log_length(document.id) == 60
    folded = store.compact(document.id)
    assert folded == 60 and store.log_length(document.id) == 0
    assert store.current_text(document.id) == expected


# --- pages -----------------------------------------------------------------------------------

def test_space_page_lists_documents_with_progress(sign_in_as, app):
    browser = sign_in_as("maria@socialwork.test")
    with app.app_context():
        space_id = space_named("Crisis response policy 2027").id
    html = browser.get(f"/spaces/{space_id}").get_data(as_text=True)
    assert "Joint response: first hour of a crisis" in html
    assert "1 of 3 communities have acted" in html


def test_viewer_sees_the_text_but_no_editing_controls(sign_in_as, app):
    browser = sign_in_as("maria@socialwork.test")  # Social Work member who has not joined Referral guidelines
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).join(Space).where(Space.title == "Referral guidelines"))
    html = browser.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Referring between psychiatry and social work" in html
    assert 'data-can-edit="false"' in html
    assert "Save a version" not in html and "Propose this version" not in html


def test_export_carries_the_endorsement_record(sign_in_as, app):
    browser = sign_in_as("jo@policing.test")
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.title.like("Joint response%")))
    markdown = browser.get(f"/documents/{document_id}/export.md").get_data(as_text=True)
    assert "## Endorsement record" in markdown and "**Social Work**: Endorse" in markdown
    html = browser.get(f"/documents/{document_id}/export.html").get_data(as_text=True)
    assert "<h2>Endorsement record</h2>" in html and "<script" not in html


def test_diff_page_shows_additions_and_removals(sign_in_as, app):
    browser = sign_in_as("lee@policing.test")
    with app.app_context():
        space = space_named("Crisis response policy 2027")
        lee = find_user_by_email("lee@policing.test")
        document = services.create_document(space, title="Diffable", text="the old <b>words</b>", actor=lee)
        version = services.save_version(document, actor=lee)
        services._store_edit(document, "the new <b>words</b>", actor=lee)
        db.session.commit()
        ids = document.id, version.id
    html = browser.get(f"/documents/{ids[0]}/diff?from={ids[1]}&to=current").get_data(as_text=True)
    assert '<del aria-label="removed">old</del>' in html and '<ins aria-label="added">new</ins>' in html
    assert "&lt;b&gt;words&lt;/b&gt;" in html


def test_position_form_without_a_reason_to_block_changes_nothing(sign_in_as, app):
    browser = sign_in_as("priya@psychiatry.test")
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.title.like("Joint response%")))
        psychiatry = find_community("psychiatry")
        document_id, community_id = document.id, psychiatry.id
    response = post_form(browser, f"/documents/{document_id}/positions",
                         {"community_id": community_id, "position": "block", "note": ""}, page=f"/documents/{document_id}")
    assert response.status_code == 422
    assert "a reason is required" in response.get_data(as_text=True)
    with app.app_context():
        assert services.latest_positions(db.session.get(Document, document_id)).get(community_id) is None


def test_api_document_round_trip(app, sign_in_as):
    from workspace.accounts.services import create_api_token
    with app.app_context():
        _, secret = create_api_token(find_user_by_email("jo@policing.test"), name="t")
        space_id = space_named("Crisis response policy 2027").id
        db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    created = api.post(f"/api/v1/spaces/{space_id}/documents", json={"title": "Via API", "text": "# Hi"}, headers=headers)
    assert created.status_code == 201, created.json
    body = api.get(f"/api/v1/documents/{created.json['id']}", headers=headers).json
    assert body["text"] == "# Hi" and body["status"] == "drafting"
    assert {r["community"] for r in body["endorsement_record"]} == {"Psychiatry", "Social Work", "Community Policing"}
    bad = api.post(f"/api/v1/spaces/{space_id}/documents", json={"title": ""}, headers=headers)
    assert bad.status_code == 422 and "title" in bad.json["errors"]
