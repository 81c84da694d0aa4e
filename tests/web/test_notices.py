"""The notification centre: who is told what, levels per space, grouping, current names, marking read,
the live count, the API, and e-mail digests with their unsubscribe links."""
import re

import pytest
from itsdangerous import URLSafeSerializer
from markupsafe import escape
from sqlalchemy import func, select

from tests.boards_world import new_board, person, space
from tests.conftest import csrf_from, post_form
from tests.shared_data import shared_data
from workspace import events
from workspace.accounts.models import OutboxMessage
from workspace.boards import services as boards
from workspace.boards.models import Card
from workspace.communities import services as communities
from workspace.communities.models import Membership
from workspace.documents import services as documents
from workspace.extensions import db, socketio
from workspace.notices import digests, services
from workspace.notices.models import Notice
from workspace.notices.services import announce, lines_for, unread_count
from workspace.spaces import services as spaces

CRISIS = "Crisis response policy 2027"
REFERRAL = "Referral guidelines"


def texts(user) -> list[str]:
    return [line.text for line in lines_for(user)]


def kinds(user) -> list[str]:
    return [n.kind for n in services.notices_for(user)]


@pytest.fixture
def card(ctx):
    board, (todo, _doing, _done) = new_board()
    return boards.create_card(board, column=todo, title="Book the room", actor=person("lee"))


def digest_run(base_url="https://convene.example"):
    run_at = db.session.scalar(select(func.max(Notice.created_at)))
    total = digests.DigestRun()
    people = digests.pending_people(run_at)
    for start in range(0, len(people), digests.BATCH):
        done = digests.send_digest_batch(people[start:start + digests.BATCH], run_at=run_at, base_url=base_url)
        total.people += done.people
        total.notices += done.notices
    return total


def mails_to(email: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)
                                   .order_by(OutboxMessage.id)))


def read_everything():
    for name in ("sam", "lee", "priya", "jo", "maria", "omar", "admin", "outsider"):
        services.mark_all_read(person(name))
    db.session.execute(Notice.__table__.update().values(digested_at=func.now()))


# --- issue 8: what waits for a steward, and for the person who asked ----------------------------

def test_steward_is_told_of_a_join_request_and_the_person_of_the_decision(ctx):
    social_work = communities.find_community("social-work")
    outsider = person("outsider")
    request = communities.request_to_join(social_work, actor=outsider, message="I run a night shelter")
    assert "Oscar Outsider asks to join “Social Work”" in texts(person("sam"))
    assert not any("asks to join" in t for t in texts(person("maria")))  # members are not stewards
    communities.decide_join_request(request, approve=True, actor=person("sam"))
    assert "Sam Okafor accepted your request to join “Social Work”" in texts(outsider)


def test_a_declined_request_is_told_too(ctx):
    policing = communities.find_community("community-policing")
    request = communities.request_to_join(policing, actor=person("outsider"))
    communities.decide_join_request(request, approve=False, actor=person("lee"))
    assert "Lee Brennan declined your request to join “Community Policing”" in texts(person("outsider"))


def test_stewards_of_invited_communities_are_told_of_a_proposed_space(ctx):
    before = unread_count(person("priya"))
    spaces.propose_space(proposing=communities.find_community("psychiatry"),
                         invited=[communities.find_community("social-work"), communities.find_community("community-policing")],
                         title="Night visits", purpose="Agree who goes first.", actor=person("priya"))
    for steward in ("sam", "lee"):
        assert "Priya Raman proposed the space “Night visits” to your community" in texts(person(steward))
    assert unread_count(person("priya")) == before  # never told of your own action
    assert not any("Night visits" in t for t in texts(person("jo")))  # not a steward


def test_when_a_space_opens_its_communities_members_are_invited(ctx):
    proposed = spaces.propose_space(proposing=communities.find_community("psychiatry"),
                                    invited=[communities.find_community("social-work")],
                                    title="Shared referrals", purpose="One form.", actor=person("priya"))
    spaces.accept_space(proposed, actor=person("sam"))
    assert "Sam Okafor invited you to the space “Shared referrals”" in texts(person("maria"))
    assert "Sam Okafor invited you to the space “Shared referrals”" in texts(person("omar"))
    assert not any("Shared referrals”" in t and "invited" in t for t in texts(person("jo")))


def test_stewards_are_asked_to_endorse_a_proposed_version(ctx):
    document = documents.create_document(space(), title="First hour of a crisis", text="We go together.",
                                         actor=person("maria"))
    documents.move_to_review(document, actor=person("maria"))
    for steward in ("sam", "priya", "lee"):
        assert "María José Álvarez asks your community to endorse “First hour of a crisis”" in texts(person(steward))
    assert not any("endorse" in t for t in texts(person("jo")))


def test_assignment_notices_go_through_announce_and_name_the_board(card):
    boards.update_card(card, version=1, assignee_ids=[person("maria").id, person("lee").id], actor=person("lee"))
    assert texts(person("maria"))[0] == "Lee Brennan assigned you to “Book the room” on the board “Test rota”."
    assert not any(n.subject_id == card.id for n in services.notices_for(person("lee")))  # nor yourself


# --- current names -------------------------------------------------------------------------

def test_a_notice_shows_the_current_name_of_a_renamed_card(card):
    boards.update_card(card, version=1, assignee_ids=[person("maria").id], actor=person("lee"))
    boards.update_card(card, version=2, title="Book the big room", actor=person("sam"))
    assert texts(person("maria"))[0] == "Lee Brennan assigned you to “Book the big room” on the board “Test rota”."


def test_a_notice_about_something_deleted_says_removed(ctx):
    outsider = person("outsider")
    psychiatry = communities.create_community(name="Liaison Psychiatry", slug="liaison", colour="#1f5f8b", actor=None)
    communities.add_member(psychiatry, person("omar"), role="steward", actor=None)
    communities.request_to_join(psychiatry, actor=outsider)
    db.session.delete(psychiatry)
    db.session.flush()
    line = lines_for(person("omar"))[0]
    assert line.text == "Oscar Outsider asks to join (removed)" and line.removed and not line.url


def test_plain_notify_still_works(ctx):
    services.notify(person("jo"), text="The rota was printed.", url="/boards/1")
    line = lines_for(person("jo"))[0]
    assert (line.text, line.url) == ("The rota was printed.", "/boards/1")


def test_an_unregistered_subject_type_falls_back_to_the_words_it_had(ctx):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == person("jo").id))
    announce("join_accepted", recipients=[person("jo")], actor=person("lee"), subject=membership)
    assert texts(person("jo"))[0].startswith("Lee Brennan accepted your request to join")


# --- levels per space ------------------------------------------------------------------------

@pytest.mark.parametrize("level,told", [
    ("watching", {"comment", "mention", "reply", "assigned"}),
    ("normal", {"mention", "reply", "assigned"}),
    ("muted", set()),  # a direct mention does not pierce mute
])
def test_each_level_lets_through_what_it_promises(card, level, told):
    jo = person("jo")
    services.set_notice_level(space(), level=level, actor=jo)
    for kind in ("comment", "mention", "reply", "assigned"):
        announce(kind, recipients=[jo], actor=person("sam"), subject=card)
    assert {n.kind for n in services.notices_for(jo) if (n.subject_type, n.subject_id) == ("card", card.id)} == told


def test_a_level_in_one_space_does_not_change_another(card):
    jo = person("jo")
    services.set_notice_level(space(REFERRAL), level="muted", actor=jo)
    announce("mention", recipients=[jo], actor=person("sam"), subject=card)
    assert kinds(jo)[0] == "mention"


def test_never_a_notice_about_your_own_action(card):
    sam = person("sam")
    made = announce("mention", recipients=[sam, person("lee"), sam], actor=sam, subject=card, space=space())
    assert [n.user_id for n in made] == [person("lee").id]
    assert not any(n.actor_id == sam.id for n in services.notices_for(sam))


def test_an_unknown_kind_is_a_programming_error(card):
    with pytest.raises(ValueError):
        announce("poke", recipients=[person("jo")], actor=person("sam"), subject=card)


# --- grouping and reading ----------------------------------------------------------------------

def test_notices_of_one_kind_on_one_thing_are_one_line(card):
    maria = person("maria")
    services.set_notice_level(space(), level="watching", actor=maria)
    for who in ("sam", "lee", "jo", "sam"):
        announce("comment", recipients=[maria], actor=person(who), subject=card)
    announce("mention", recipients=[maria], actor=person("jo"), subject=card)
    lines = lines_for(maria)
    grouped = next(line for line in lines if line.kind == "comment")
    assert grouped.text == "4 new comments on “Book the room”" and len(grouped.ids) == 4
    assert grouped.actors == ["Sam Okafor", "Jo Nakamura", "Lee Brennan"]  # newest first
    assert any(line.text == "Jo Nakamura mentioned you in a comment on “Book the room”" for line in lines)


def test_marking_one_line_read_leaves_the_others_and_nobody_elses(card):
    maria, jo = person("maria"), person("jo")
    read_everything()
    announce("mention", recipients=[maria, jo], actor=person("sam"), subject=card)
    announce("reply", recipients=[maria], actor=person("sam"), subject=card)
    mention = next(line for line in lines_for(maria) if line.kind == "mention")
    jo_notice = services.notices_for(jo)[0]
    services.mark_read(maria, ids=mention.ids + [jo_notice.id])
    assert unread_count(maria) == 1 and unread_count(jo) == 1
    services.mark_all_read(maria)
    assert unread_count(maria) == 0


def test_the_count_is_published_to_the_persons_room_after_commit(card):
    jo = person("jo")
    announce("mention", recipients=[jo], actor=person("sam"), subject=card)
    sent = [e for e in events.pending() if e.name == "notice_count_changed" and e.room == f"user:{jo.id}"]
    assert sent and sent[-1].payload == {"unread": unread_count(jo)}


def test_the_header_count_changes_live_for_a_steward(app, sign_in_as):
    sam_client = sign_in_as("sam@socialwork.test")
    sio = socketio.test_client(app, flask_test_client=sam_client)
    assert sio.is_connected()
    sio.get_received()
    outsider = sign_in_as("outsider@convene.test")
    post_form(outsider, "/communities/social-work/join-requests", {"message": "Hello"}, page="/communities/social-work")
    counts = [m["args"][0]["unread"] for m in sio.get_received() if m["name"] == "notice_count_changed"]
    with app.app_context():
        assert counts and counts[-1] == unread_count(person("sam"))
    sio.disconnect()


# --- pages -----------------------------------------------------------------------------------

def test_notices_page_groups_and_marks_a_line_read(app, sign_in_as):
    with app.app_context():
        board, (todo, *_rest) = new_board()
        card = boards.create_card(board, column=todo, title="Print the rota", actor=person("lee"))
        services.set_notice_level(space(), level="watching", actor=person("maria"))
        for who in ("sam", "lee", "jo"):
            announce("comment", recipients=[person("maria")], actor=person(who), subject=card)
        db.session.commit()
    maria = sign_in_as("maria@socialwork.test")
    html = maria.get("/notices").get_data(as_text=True)
    assert "3 new comments on “Print the rota”" in html and "by Jo Nakamura, Lee Brennan, Sam Okafor" in html
    ids = re.search(r'data-notice-ids="([\d,]+)">\s*<p class="notice-line__text"><strong class="status">new</strong> <a href="/cards/\d+">3 new',
                    html).group(1).split(",")
    response = maria.post("/notices/read", data={"csrf_token": csrf_from(html), "ids": ids})
    assert response.status_code == 302
    html = maria.get("/notices").get_data(as_text=True)
    assert "3 new comments" not in html and html.count("Lee Brennan commented on “Print the rota”") == 1


def test_email_about_notices_outside_spaces_can_be_switched_off_and_on(app, sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    assert 'name="email" value="y" checked' in sam.get("/notices").get_data(as_text=True)
    post_form(sam, "/notices/email", {}, page="/notices")
    assert 'name="email" value="y" checked' not in sam.get("/notices").get_data(as_text=True)
    with app.app_context():
        read_everything()
        communities.request_to_join(communities.find_community("social-work"), actor=person("outsider"))
        digest_run()
        assert mails_to("sam@socialwork.test") == []  # the join request is not mailed
        db.session.commit()
    post_form(sam, "/notices/email", {"email": "y"}, page="/notices")
    assert 'name="email" value="y" checked' in sam.get("/notices").get_data(as_text=True)


def test_bad_ids_are_refused_on_the_page(sign_in_as):
    maria = sign_in_as("maria@socialwork.test")
    html = maria.get("/notices").get_data(as_text=True)
    response = maria.post("/notices/read", data={"csrf_token": csrf_from(html), "ids": ["1; DROP"]})
    assert response.status_code == 422 and "numeric ids" in response.get_data(as_text=True)


def test_space_page_sets_the_level_and_email(app, sign_in_as):
    with app.app_context():
        space_id = space().id
    jo = sign_in_as("jo@policing.test")
    html = jo.get(f"/spaces/{space_id}").get_data(as_text=True)
    assert 'value="normal" checked' in html and "Your notifications" in html
    response = post_form(jo, f"/spaces/{space_id}/notification-level", {"level": "muted"}, page=f"/spaces/{space_id}")
    assert response.status_code == 302
    html = jo.get(f"/spaces/{space_id}").get_data(as_text=True)
    assert 'value="muted" checked' in html and 'name="email" value="y" checked' not in html
    response = post_form(jo, f"/spaces/{space_id}/notification-level", {"level": "loud"}, page=f"/spaces/{space_id}")
    assert "Choose watching, normal or muted." in jo.get(response.headers["Location"]).get_data(as_text=True)


# --- API -------------------------------------------------------------------------------------

def api(app, email):
    from tests.web.test_boards import api as board_api
    return board_api(app, email)


def test_api_lists_marks_read_and_sets_levels(app):
    with app.app_context():
        board, (todo, *_rest) = new_board()
        card = boards.create_card(board, column=todo, title="Call the duty team", actor=person("lee"))
        announce("mention", recipients=[person("jo")], actor=person("sam"), subject=card)
        space_id = space().id
        db.session.commit()
    jo = api(app, "jo@policing.test")
    listed = jo.get("/api/v1/notices").json
    first = listed["items"][0]
    assert first["text"] == "Sam Okafor mentioned you in a comment on “Call the duty team”"
    assert first["unread"] and first["subject"] == {"type": "card", "id": card.id} and listed["unread"] >= 1
    done = jo.post("/api/v1/notices/read", json={"ids": first["ids"]}).json
    assert done["marked"] == 1 and done["unread"] == listed["unread"] - 1
    assert jo.post("/api/v1/notices/read", json={"all": True}).json["unread"] == 0
    assert jo.get("/api/v1/notices?unread=1").json["items"] == []
    for bad in ({}, {"ids": "1"}, {"ids": [True]}, {"all": "yes"}, {"all": True, "ids": [1]}):
        response = jo.post("/api/v1/notices/read", json=bad)
        assert response.status_code == 422 and response.mimetype == "application/problem+json", bad
    put = jo.put(f"/api/v1/spaces/{space_id}/notification-level", json={"level": "watching", "email": False})
    assert put.json == {"space_id": space_id, "level": "watching", "email": False}
    assert jo.put(f"/api/v1/spaces/{space_id}/notification-level", json={"level": "LOUD"}).status_code == 422
    assert jo.put(f"/api/v1/spaces/{space_id}/notification-level", json={"email": "no"}).status_code == 422
    outsider = api(app, "outsider@convene.test")
    assert outsider.put(f"/api/v1/spaces/{space_id}/notification-level", json={"level": "muted"}).status_code == 404


# --- digests ----------------------------------------------------------------------------------

def test_a_digest_groups_by_space_only_unread_and_once_per_run(card):
    read_everything()
    maria = person("maria")
    referral_board = boards.create_board(space(REFERRAL), title="Referral rota", actor=person("sam"))
    todo = boards.open_columns(referral_board)[0]
    other = boards.create_card(referral_board, column=todo, title="Draft the form", actor=person("sam"))
    services.set_notice_level(space(), level="watching", actor=maria)
    for who in ("sam", "lee"):
        announce("comment", recipients=[maria], actor=person(who), subject=card)
    announce("mention", recipients=[maria], actor=person("priya"), subject=other, space=space(REFERRAL))
    already_read = announce("reply", recipients=[maria], actor=person("jo"), subject=card)
    services.mark_read(maria, ids=[n.id for n in already_read])
    communities.request_to_join(communities.find_community("social-work"), actor=person("outsider"))
    run = digest_run()
    mail = mails_to("maria@socialwork.test")
    assert run.people >= 1 and len(mail) == 1
    body = mail[0].body
    assert mail[0].subject == "Convene: 3 new notices"
    crisis_at, referral_at = body.index(CRISIS), body.index(REFERRAL)
    assert referral_at > crisis_at  # spaces in title order, each with its own section
    assert "- 2 new comments on “Book the room”\n  https://convene.example/cards/" in body
    assert "- Priya Raman mentioned you in a comment on “Draft the form”" in body[referral_at:]
    assert "replied" not in body  # read already
    assert body.count("Stop e-mail about") == 2
    assert len(mails_to("sam@socialwork.test")) == 1  # the join request, under "Your communities"
    assert "Your communities" in mails_to("sam@socialwork.test")[0].body
    assert digest_run().people == 0  # nothing new: nobody is mailed twice
    assert len(mails_to("maria@socialwork.test")) == 1


def test_a_digest_never_mails_your_own_action(card):
    read_everything()
    jo = person("jo")
    db.session.add(Notice(user_id=jo.id, kind="mention", actor_id=jo.id, subject_type="card", subject_id=card.id,
                          group_type="card", group_id=card.id, text="x", space_id=space().id))
    db.session.flush()
    digest_run()
    assert mails_to("jo@policing.test") == []


def test_a_digest_batch_costs_the_same_statements_for_3_or_30_people(ctx):
    from sqlalchemy import event
    from bench.digests import add_people
    read_everything()
    counts = []
    for people in (3, 30):
        add_people(people, 30, tag=f"n{people}")  # 30 each: every kind of subject, for 3 people too
        statements = []
        listener = lambda *args, **kwargs: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert digest_run().people == people
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_unsubscribe_link_works_signed_out_and_a_tampered_one_is_refused(app, client):
    with app.app_context():
        read_everything()
        board, (todo, *_rest) = new_board()
        card = boards.create_card(board, column=todo, title="Phone tree", actor=person("lee"))
        announce("mention", recipients=[person("maria")], actor=person("sam"), subject=card)
        digest_run()
        body = mails_to("maria@socialwork.test")[-1].body
        db.session.commit()
    link = re.search(r"Stop e-mail about “Crisis response policy 2027”: https://convene.example(\S+)", body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Stop these e-mails" in page.get_data(as_text=True)
    done = client.post(link, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert "Done: digests no longer mail you about “Crisis response policy 2027”" in done.get_data(as_text=True)
    token = link.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/notices/unsubscribe/{tampered}").status_code == 404
    with app.app_context():
        forged = URLSafeSerializer("not-our-secret", salt="convene-notice-unsubscribe").dumps(
            [person("maria").id, space().id])
    assert client.get(f"/notices/unsubscribe/{forged}").status_code == 404
    with app.app_context():
        assert services.setting_for(person("maria"), space()).email is False
        announce("mention", recipients=[person("maria")], actor=person("sam"), subject=db.session.get(Card, card.id))
        before = len(mails_to("maria@socialwork.test"))
        digest_run()
        assert len(mails_to("maria@socialwork.test")) == before  # that space is no longer mailed
        assert unread_count(person("maria")) >= 1  # but still shown in the app
        db.session.commit()


# --- the XSS corpus through subject names ------------------------------------------------------

XSS = [line for line in shared_data("xss", "xss-payloads-combined.txt").read_text(errors="replace").split("\n")
       if line.strip()]


def test_xss_corpus_in_subject_names_is_inert_in_the_page_and_the_email(app, sign_in_as):
    chunk = 100
    with app.app_context():
        read_everything()
        board, (todo, *_rest) = new_board()
        cards = [Card(board_id=board.id, column_id=todo.id, position=f"a{i:04d}", title=f"card {i}", version=1,
                      created_by_id=person("lee").id) for i in range(chunk)]
        db.session.add_all(cards)
        db.session.flush()
        for c in cards:
            announce("mention", recipients=[person("jo")], actor=person("sam"), subject=c)
        card_ids = [c.id for c in cards]
        db.session.commit()
    jo = sign_in_as("jo@policing.test")
    for start in range(0, len(XSS), chunk):
        payloads = XSS[start:start + chunk]
        with app.app_context():
            for card_id, payload in zip(card_ids, payloads):
                db.session.get(Card, card_id).title = payload[:200]
            db.session.commit()
        html = jo.get("/notices").get_data(as_text=True)
        for payload in payloads:
            expected = f"Sam Okafor mentioned you in a comment on “{payload[:200]}”"
            assert str(escape(expected)) in html, payload
    assert "<script>alert" not in html.split("<main", 1)[1]
    with app.app_context():
        digest_run()
        body = mails_to("jo@policing.test")[-1].body
        for payload in payloads:  # the last chunk: the cards bear these names now
            assert f"- Sam Okafor mentioned you in a comment on “{digests._plain(payload[:200])}”" in body
        assert all(line == "" or not line.startswith(("<", "Subject:")) for line in body.split("\n"))
        db.session.commit()
