"""Moderation across the boundary (issue 10): flags never hide, hides show why in place, cross-community
review, one appeal routed to a third community, redaction leaves no trace, mutes and slow mode on every path,
a log that never names a flagger."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.conftest import post_form
from workspace.accounts.services import find_user_by_email
from workspace.comments import services as comments
from workspace.comments.models import Comment
from workspace.errors import ValidationError
from workspace.extensions import db, socketio
from workspace.moderation import services
from workspace.moderation.kinds import KINDS
from workspace.notices.models import Notice
from workspace.spaces.models import Space

COMMENT = KINDS["comment"]


def bearer(app, email):
    from workspace.accounts import services as accounts
    with app.app_context():
        _, secret = accounts.create_api_token(find_user_by_email(email), name="test")
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def space_named(title):
    return db.session.scalar(select(Space).where(Space.title == title))


def person(name):
    return find_user_by_email({"priya": "priya@psychiatry.test", "sam": "sam@socialwork.test",
                               "omar": "omar@psychiatry.test", "maria": "maria@socialwork.test",
                               "lee": "lee@policing.test", "jo": "jo@policing.test"}[name])


@pytest.fixture
def referral(ctx):
    return space_named("Referral guidelines")


@pytest.fixture
def crisis(ctx):
    return space_named("Crisis response policy 2027")


def hidden_comment(space, author, moderator, reason="Shares a client's identifying details"):
    comment = comments.create_comment(space=space, actor=author, body="Mrs K. at 4 Elm Road was sectioned again")
    item = services.open_item(COMMENT, comment, space=space, actor=moderator)
    services.hide_item(item, reason=reason, actor=moderator)
    return comment, item


# --- flags ----------------------------------------------------------------------------------------

def test_a_flag_never_hides_anything(referral):
    comment = comments.create_comment(space=referral, actor=person("priya"), body="Social workers never read notes")
    for who in ("omar", "sam"):
        services.flag_content(COMMENT, comment, space=referral, reason="disrespect", actor=person(who))
    assert not comment.is_hidden
    item = services.item_for(COMMENT, comment, referral)
    assert item.status == "open" and len(item.flags) == 2


@pytest.mark.parametrize("case,kwargs,field", [
    ("own", {"who": "priya", "reason": "spam"}, "id"),
    ("bad reason", {"who": "omar", "reason": "boring"}, "reason"),
    ("other without a note", {"who": "omar", "reason": "other"}, "note"),
])
def test_bad_flags_are_refused_and_change_nothing(referral, case, kwargs, field):
    comment = comments.create_comment(space=referral, actor=person("priya"), body="A point")
    with pytest.raises(ValidationError) as refused:
        services.flag_content(COMMENT, comment, space=referral, reason=kwargs["reason"], actor=person(kwargs["who"]))
    assert field in refused.value.errors
    assert services.item_for(COMMENT, comment, referral) is None


def test_flagging_twice_is_refused(referral):
    comment = comments.create_comment(space=referral, actor=person("priya"), body="A point")
    services.flag_content(COMMENT, comment, space=referral, reason="spam", actor=person("omar"))
    with pytest.raises(ValidationError, match="already flagged"):
        services.flag_content(COMMENT, comment, space=referral, reason="spam", actor=person("omar"))
    assert len(services.item_for(COMMENT, comment, referral).flags) == 1


# --- hide, reasons in place, across the boundary ---------------------------------------------------

def test_hiding_without_a_reason_is_refused(referral):
    comment = comments.create_comment(space=referral, actor=person("omar"), body="A point")
    item = services.open_item(COMMENT, comment, space=referral, actor=person("sam"))
    with pytest.raises(ValidationError) as refused:
        services.hide_item(item, reason="  ", actor=person("sam"))
    assert "reason" in refused.value.errors and not comment.is_hidden


def test_readers_see_why_in_place_of_a_hidden_comment(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        comment, _ = hidden_comment(space, person("omar"), person("sam"))
        db.session.commit()
        space_id = space.id
    html = sign_in_as("priya@psychiatry.test").get(f"/spaces/{space_id}").get_data(as_text=True)
    assert "Hidden by a moderator from Social Work: Shares a client&#39;s identifying details" in html
    assert "4 Elm Road" not in html


def test_a_cross_community_hide_asks_the_authors_community_to_review(referral):
    comment, item = hidden_comment(referral, person("omar"), person("sam"))
    assert item.review_status == "pending" and item.author_community.name == "Psychiatry"
    told = db.session.scalars(select(Notice.text).where(Notice.user_id == person("priya").id)).all()
    assert any("Please confirm or restore" in t for t in told)
    services.review_hide(item, decision="restore", reason="Initials only; not identifying", actor=person("priya"))
    assert item.status == "restored" and not comment.is_hidden
    told_author = db.session.scalars(select(Notice.text).where(Notice.user_id == person("omar").id)).all()
    assert any("Initials only" in t for t in told_author)


def test_a_moderator_of_another_space_has_no_power_here(app, sign_in_as):
    with app.app_context():
        referral = space_named("Referral guidelines")
        comment = comments.create_comment(space=referral, actor=person("omar"), body="A point")
        item = services.open_item(COMMENT, comment, space=referral, actor=person("sam"))
        db.session.commit()
        item_id = item.id
    lee = sign_in_as("lee@policing.test")  # steward of Community Policing: moderates Crisis response only
    assert post_form(lee, f"/moderation/{item_id}/hide", {"reason": "x"}).status_code == 404


# --- appeals --------------------------------------------------------------------------------------

def test_an_appeal_goes_to_a_third_community_and_only_once(crisis):
    comment, item = hidden_comment(crisis, person("maria"), person("lee"), reason="Stereotypes police officers")
    services.appeal_hide(item, text="I was quoting the report", actor=person("maria"))
    assert item.appeal_community.name == "Psychiatry"
    with pytest.raises(ValidationError, match="once"):
        services.appeal_hide(item, text="Again", actor=person("maria"))
    services.decide_appeal(item, decision="restore", reason="A quotation, attributed", actor=person("priya"))
    assert item.status == "restored" and not comment.is_hidden


def test_an_appeal_on_content_not_hidden_is_refused(referral):
    comment = comments.create_comment(space=referral, actor=person("omar"), body="A point")
    item = services.open_item(COMMENT, comment, space=referral, actor=person("sam"))
    with pytest.raises(ValidationError, match="Only hidden"):
        services.appeal_hide(item, text="Why?", actor=person("omar"))
    assert item.appealed_at is None


def test_with_two_communities_the_appeal_goes_to_the_authors_own(referral):
    _, item = hidden_comment(referral, person("omar"), person("sam"))
    services.appeal_hide(item, text="Please look again", actor=person("omar"))
    assert item.appeal_community.name == "Psychiatry"


# --- redaction --------------------------------------------------------------------------------------

def test_redaction_leaves_no_trace_of_the_original_in_the_database(referral):
    secret = "Client ID 7731-Q"
    comment = comments.create_comment(space=referral, actor=person("omar"), body=f"See {secret} for the history")
    comments.edit_comment(comment, actor=person("omar"), body=f"See {secret} (updated) for the history")
    item = services.open_item(COMMENT, comment, space=referral, actor=person("sam"))
    services.redact_item(item, passage=secret, reason="Identifying client number", actor=person("sam"))
    db.session.flush()
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            if any(isinstance(v, str) and secret in v for v in row) or \
               any(isinstance(v, (dict, list)) and secret in str(v) for v in row):
                found.append(table.name)
    assert found == []
    assert "[redacted by a moderator]" in comment.body
    log = db.session.execute(text("select detail from audit_entries where action = 'moderation.redacted'")).all()
    assert len(log) == 1


def test_redacting_a_passage_that_is_not_there_is_refused(referral):
    comment = comments.create_comment(space=referral, actor=person("omar"), body="Nothing secret")
    item = services.open_item(COMMENT, comment, space=referral, actor=person("sam"))
    with pytest.raises(ValidationError):
        services.redact_item(item, passage="Elsewhere", reason="x", actor=person("sam"))
    assert comment.body == "Nothing secret"


# --- mutes and slow mode -----------------------------------------------------------------------------

def test_muted_member_cannot_post_by_page_api_or_socket(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        services.mute_member(space, user=person("omar"), reason="Cooling off after a heated exchange", minutes=60,
                             actor=person("sam"))
        db.session.commit()
        space_id = space.id
    omar = sign_in_as("omar@psychiatry.test")
    page = post_form(omar, f"/spaces/{space_id}/comments", {"body": "By page"})
    assert page.status_code == 422 and "muted" in page.get_data(as_text=True)
    api = bearer(app, "omar@psychiatry.test").post(f"/api/v1/spaces/{space_id}/comments", json={"body": "By API"})
    assert api.status_code == 422 and "muted" in api.json["detail"]
    sio = socketio.test_client(app, flask_test_client=omar)
    ack = sio.emit("create_comment", {"space_id": space_id, "body": "By socket"}, callback=True)
    assert ack["ok"] is False and "muted" in ack["error"]
    sio.disconnect()
    # muted people can still read, and see why and until when
    html = omar.get(f"/spaces/{space_id}").get_data(as_text=True)
    assert "You are muted here until" in html and "Cooling off" in html
    with app.app_context():
        assert db.session.scalar(select(Comment).where(Comment.body.in_(["By page", "By API", "By socket"]))) is None


def test_muting_a_moderator_of_another_community_is_refused(referral):
    with pytest.raises(ValidationError, match="another community"):
        services.mute_member(referral, user=person("priya"), reason="x", minutes=10, actor=person("sam"))


@pytest.mark.parametrize("seconds", [4, 3601, -5, "ten"])
def test_slow_mode_outside_5_seconds_to_an_hour_is_refused(referral, seconds):
    with pytest.raises(ValidationError) as refused:
        services.set_slow_mode(referral, seconds=seconds, reason="Heated", minutes=30, actor=person("sam"))
    assert "seconds" in refused.value.errors
    assert services.active_slow_mode(referral) is None


def test_slow_mode_is_enforced_on_the_socket_and_moderators_are_exempt(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        services.set_slow_mode(space, seconds=600, reason="Let everyone catch up", minutes=30, actor=person("sam"))
        for old in db.session.scalars(select(Comment).where(Comment.author_id == person("omar").id)):
            old.created_at = old.created_at - timedelta(hours=1)  # the demo's comments were written just now
        db.session.commit()
        space_id = space.id
    omar = sign_in_as("omar@psychiatry.test")
    sio = socketio.test_client(app, flask_test_client=omar)
    first = sio.emit("create_comment", {"space_id": space_id, "body": "First"}, callback=True)
    second = sio.emit("create_comment", {"space_id": space_id, "body": "Second"}, callback=True)
    sio.disconnect()
    assert first["ok"] is True
    assert second["ok"] is False and "Slow mode" in second["error"]
    sam = bearer(app, "sam@socialwork.test")
    for body in ("Moderator one", "Moderator two"):
        assert sam.post(f"/api/v1/spaces/{space_id}/comments", json={"body": body}).status_code == 201
    assert "Let everyone catch up" in omar.get(f"/spaces/{space_id}").get_data(as_text=True)


# --- live -----------------------------------------------------------------------------------------------

def test_a_hide_reaches_a_readers_open_page_live(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        comment = comments.create_comment(space=space, actor=person("omar"), body="Live words")
        db.session.commit()
        space_id, comment_id = space.id, comment.id
    reader = socketio.test_client(app, flask_test_client=sign_in_as("priya@psychiatry.test"))
    assert reader.emit("join_space", {"space_id": space_id}, callback=True)["ok"]
    reader.get_received()
    sam = bearer(app, "sam@socialwork.test")
    item = sam.post(f"/api/v1/spaces/{space_id}/moderation", json={"kind": "comment", "id": comment_id}).json
    assert sam.post(f"/api/v1/moderation/{item['id']}/hide", json={"reason": "Off-topic rant"}).status_code == 200
    events = [e for e in reader.get_received() if e["name"] == "comment_hidden"]
    assert len(events) == 1
    sent = events[0]["args"][0]["comment"]
    assert sent["hidden"] is True and sent["body"] == "" and "Live words" not in sent["html"]
    assert sent["hidden_note"] == "Hidden by a moderator from Social Work: Off-topic rant"
    sam.post(f"/api/v1/moderation/{item['id']}/restore", json={"reason": "On reflection, on topic"})
    assert [e["name"] for e in reader.get_received()].count("comment_restored") == 1
    reader.disconnect()


# --- the log --------------------------------------------------------------------------------------------

def test_the_log_is_for_members_and_never_names_the_flagger(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        comment = comments.create_comment(space=space, actor=person("priya"), body="Hmm")
        services.flag_content(COMMENT, comment, space=space, reason="disrespect", actor=person("omar"))
        services.hide_item(services.item_for(COMMENT, comment, space), reason="Generalises about a profession",
                           actor=person("sam"))
        db.session.commit()
        space_id = space.id
    priya = sign_in_as("priya@psychiatry.test")  # a reader who is not the flagger
    entries = bearer(app, "omar@psychiatry.test").get(f"/api/v1/spaces/{space_id}/moderation-log").json["items"]
    assert [e["action"] for e in entries][:2] == ["hidden", "flagged"]
    assert entries[0]["actor"] == "Sam Okafor" and entries[0]["community"] == "Social Work"
    assert entries[1]["actor"] is None
    csv = priya.get(f"/spaces/{space_id}/moderation-log.csv")
    assert csv.mimetype == "text/csv" and "Generalises about a profession" in csv.get_data(as_text=True)
    for body in (csv.get_data(as_text=True), priya.get(f"/spaces/{space_id}/moderation-log").get_data(as_text=True)):
        assert "Omar" not in body
    assert sign_in_as("maria@socialwork.test").get(f"/spaces/{space_id}/moderation-log").status_code == 403


def test_the_space_page_says_when_moderators_come_from_one_community(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        space_id = space.id
    html = sign_in_as("omar@psychiatry.test").get(f"/spaces/{space_id}").get_data(as_text=True)
    assert "moderation-one-sided" not in html  # Priya (Psychiatry) and Sam (Social Work) both moderate
    assert "Priya Raman" in html and "Sam Okafor" in html


def test_the_author_of_a_hidden_comment_appeals_rather_than_rewrites_it(app):
    with app.app_context():
        comment, _ = hidden_comment(space_named("Referral guidelines"), person("omar"), person("sam"))
        db.session.commit()
        comment_id = comment.id
    omar = bearer(app, "omar@psychiatry.test")
    assert omar.patch(f"/api/v1/comments/{comment_id}", json={"body": "Sneaky rewrite"}).status_code == 403
    with app.app_context():
        assert "4 Elm Road" in db.session.get(Comment, comment_id).body


def test_a_steward_appoints_moderators_from_their_own_community_only(referral):
    from workspace.spaces.services import join_space
    join_space(referral, actor=person("maria"), accepts_ground_rules=True)
    services.set_moderator(referral, user=person("maria"), moderator=True, actor=person("sam"))
    from workspace import policy
    assert [c.name for c in policy.moderator_communities(person("maria"), referral)] == ["Social Work"]
    with pytest.raises(ValidationError, match="your own community"):
        services.set_moderator(referral, user=person("omar"), moderator=True, actor=person("sam"))


def test_a_card_can_be_flagged_and_its_author_community_is_recorded(app, sign_in_as):
    from workspace.boards.demo import REFERRAL_TITLE, find_board
    from workspace.boards import services as boards
    with app.app_context():
        card = boards.open_cards(find_board(REFERRAL_TITLE))[0]
        card_id, author = card.id, card.created_by_id
        space_id = card.board.space_id
    flagger = "sam@socialwork.test" if author != person_id(app, "sam") else "omar@psychiatry.test"
    client = sign_in_as(flagger)
    response = post_form(client, "/moderation/flags", {"kind": "card", "id": str(card_id), "reason": "off_topic",
                                                      "back": f"/cards/{card_id}"})
    assert response.status_code == 303
    with app.app_context():
        item = db.session.scalar(select(services.ModerationItem).where(services.ModerationItem.content_kind == "card",
                                                                       services.ModerationItem.content_id == card_id))
        assert item.space_id == space_id and item.status == "open" and len(item.flags) == 1


def person_id(app, name):
    with app.app_context():
        return person(name).id


def test_a_persons_export_holds_their_own_flags_and_appeals(referral):
    from workspace.privacy import EXPORTERS
    comment = comments.create_comment(space=referral, actor=person("priya"), body="A point")
    services.flag_content(COMMENT, comment, space=referral, reason="off_topic", actor=person("omar"))
    _, item = hidden_comment(referral, person("omar"), person("sam"))
    services.appeal_hide(item, text="Please reconsider", actor=person("omar"))
    section = EXPORTERS["moderation"](person("omar"))
    assert [f["reason"] for f in section.data["flags"]] == ["off_topic"]
    assert section.data["appeals"][0]["text"] == "Please reconsider"
    assert EXPORTERS["moderation"](person("sam")).data["flags"] == []  # not what others flagged


def test_the_queue_is_live_for_this_spaces_moderators_only(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        comment = comments.create_comment(space=space, actor=person("priya"), body="Live queue")
        db.session.commit()
        space_id, comment_id = space.id, comment.id
    watcher = socketio.test_client(app, flask_test_client=sign_in_as("sam@socialwork.test"))
    assert watcher.emit("join_moderation", {"space_id": space_id}, callback=True)["ok"] is True
    elsewhere = socketio.test_client(app, flask_test_client=sign_in_as("lee@policing.test"))
    assert elsewhere.emit("join_moderation", {"space_id": space_id}, callback=True)["ok"] is False
    watcher.get_received()
    response = bearer(app, "omar@psychiatry.test").post("/api/v1/flags", json={
        "kind": "comment", "id": comment_id, "reason": "off_topic"})
    assert response.status_code == 201
    arrived = [e["args"][0] for e in watcher.get_received() if e["name"] == "moderation_item_changed"]
    assert len(arrived) == 1 and arrived[0]["content_id"] == comment_id and arrived[0]["status"] == "open"
    assert arrived[0]["flags"][0]["flagger"]["display_name"] == "Omar Haddad"  # moderators see who flagged
    watcher.disconnect()
    elsewhere.disconnect()


def test_api_refusals_are_problems_that_change_nothing(app):
    with app.app_context():
        space = space_named("Referral guidelines")
        comment = comments.create_comment(space=space, actor=person("omar"), body="API refusals")
        db.session.commit()
        space_id, comment_id = space.id, comment.id
    sam = bearer(app, "sam@socialwork.test")
    item = sam.post(f"/api/v1/spaces/{space_id}/moderation", json={"kind": "comment", "id": comment_id}).json
    for url, body, field in [
        (f"/api/v1/moderation/{item['id']}/hide", {}, "reason"),
        ("/api/v1/flags", {"kind": "comment", "id": comment_id, "reason": "boring"}, "reason"),
        ("/api/v1/flags", {"kind": "poem", "id": comment_id, "reason": "spam"}, "kind"),
        (f"/api/v1/spaces/{space_id}/slow-mode", {"seconds": 3601, "reason": "x", "minutes": 5}, "seconds"),
        ("/api/v1/appeals", {"item_id": item["id"], "text": "Not hidden yet"}, None),
    ]:
        client = bearer(app, "omar@psychiatry.test") if "appeals" in url else sam
        response = client.post(url, json=body) if "slow-mode" not in url else client.put(url, json=body)
        assert response.status_code == 422, (url, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
        if field:
            assert field in response.json["errors"]
    with app.app_context():
        assert db.session.get(Comment, comment_id).hidden_at is None
        assert services.active_slow_mode(db.session.get(Space, space_id)) is None
