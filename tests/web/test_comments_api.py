"""Comments through API v1: threads, replies, edits with history, tombstones, resolution, comment → card,
and every kind of bad input refused as a problem document that changes nothing."""
import pytest
from sqlalchemy import func, select

from workspace.accounts import services as accounts
from workspace.boards import services as boards
from workspace.boards.demo import TITLE, find_board
from workspace.comments.models import Comment
from workspace.extensions import db
from workspace.spaces.models import Space


def bearer(app, email):
    with app.app_context():
        _, secret = accounts.create_api_token(accounts.find_user_by_email(email), name="test")
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


@pytest.fixture
def ids(app):
    with app.app_context():
        spaces = {s.title: s.id for s in db.session.scalars(select(Space))}
        board = find_board(TITLE)
        return {"crisis": spaces["Crisis response policy 2027"], "referral": spaces["Referral guidelines"],
                "card": boards.open_cards(board)[-1].id, "column": boards.open_columns(board)[0].id}


def total(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Comment.id)))


def assert_problem(response, status, field=None, message=""):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    if field:
        assert message in response.json["errors"][field]


def test_a_whole_thread_through_the_api(app, ids):
    sam, lee = bearer(app, "sam@socialwork.test"), bearer(app, "lee@policing.test")
    root = sam.post(f"/api/v1/spaces/{ids['crisis']}/comments", json={"body": "Nights? @[Lee Brennan]"})
    assert root.status_code == 201
    root = root.json
    assert root["target"] == "space" and root["mentions"][0]["label"] == "Lee Brennan" and root["replies"] == []
    reply = lee.post(f"/api/v1/comments/{root['id']}/replies", json={"body": "Until 2am"})
    assert reply.status_code == 201 and reply.json["parent_id"] == root["id"]
    edited = sam.patch(f"/api/v1/comments/{root['id']}", json={"body": "Nights and weekends?"})
    assert edited.json["body"] == "Nights and weekends?" and edited.json["history"][0]["body"] == "Nights? @[Lee Brennan]"
    resolved = lee.post(f"/api/v1/comments/{reply.json['id']}/resolve")
    assert resolved.json["resolved"] and resolved.json["resolved_by"]["display_name"] == "Lee Brennan"
    assert lee.post(f"/api/v1/comments/{root['id']}/reopen").json["resolved"] is False
    card = sam.post(f"/api/v1/comments/{root['id']}/card", json={"column_id": ids["column"]})
    assert card.status_code == 201 and card.json["card"]["title"] == "Nights and weekends?"
    assert card.json["comment"]["card"]["id"] == card.json["card"]["id"]
    deleted = lee.delete(f"/api/v1/comments/{reply.json['id']}")
    assert deleted.json["deleted"] and deleted.json["body"] == ""
    listed = sam.get(f"/api/v1/spaces/{ids['crisis']}/comments").json["items"]
    mine = next(t for t in listed if t["id"] == root["id"])
    assert mine["replies"][0]["deleted"] and mine["card"]["column"]


def test_card_comments_through_the_api(app, ids):
    jo = bearer(app, "jo@policing.test")
    made = jo.post(f"/api/v1/cards/{ids['card']}/comments", json={"body": "On the card"})
    assert made.status_code == 201 and made.json["card_id"] == ids["card"] and made.json["target"] == "card"
    assert [c["body"] for c in jo.get(f"/api/v1/cards/{ids['card']}/comments").json["items"]] == ["On the card"]


@pytest.mark.parametrize("body, message", [
    ({"body": ""}, "Comment is required."), ({"body": " \n\t"}, "Comment is required."),
    ({"body": "x" * 10_001}, "at most 10,000 characters"), ({}, "Comment is required."),
    ({"body": 42}, "Comment must be text."), ({"body": "a\x00b"}, "NUL"),
    ({"body": "Ask @[Nobody Here]"}, "Nobody called Nobody Here is in this space."),
])
def test_bad_bodies_are_refused_and_change_nothing(app, ids, body, message):
    sam = bearer(app, "sam@socialwork.test")
    before = total(app)
    assert_problem(sam.post(f"/api/v1/spaces/{ids['crisis']}/comments", json=body), 422, "body", message)
    assert total(app) == before


def test_replies_to_replies_other_peoples_edits_and_outsiders_are_refused(app, ids):
    sam, lee = bearer(app, "sam@socialwork.test"), bearer(app, "lee@policing.test")
    root = sam.post(f"/api/v1/spaces/{ids['crisis']}/comments", json={"body": "Root"}).json
    reply = lee.post(f"/api/v1/comments/{root['id']}/replies", json={"body": "Reply"}).json
    before = total(app)
    assert_problem(sam.post(f"/api/v1/comments/{reply['id']}/replies", json={"body": "Deeper"}), 422,
                   "parent_id", "not to a reply")
    refused = lee.patch(f"/api/v1/comments/{root['id']}", json={"body": "Lee's now"})
    assert_problem(refused, 403)
    assert refused.json["detail"] == "You can only edit your own comments."
    assert_problem(lee.delete(f"/api/v1/comments/{root['id']}"), 403)
    referral_thread = sam.post(f"/api/v1/spaces/{ids['referral']}/comments", json={"body": "Referral"}).json
    assert_problem(lee.post(f"/api/v1/comments/{referral_thread['id']}/replies", json={"body": "Hi"}), 404)
    assert_problem(sam.post(f"/api/v1/spaces/{ids['referral']}/comments", json={"body": "@[Lee Brennan]"}), 422,
                   "body", "Lee Brennan is not in this space.")
    assert total(app) == before + 1
    with app.app_context():
        assert db.session.get(Comment, root["id"]).body == "Root"


def test_comment_to_card_on_another_spaces_board_is_refused(app, ids):
    sam = bearer(app, "sam@socialwork.test")
    referral_thread = sam.post(f"/api/v1/spaces/{ids['referral']}/comments", json={"body": "Referral"}).json
    assert_problem(sam.post(f"/api/v1/comments/{referral_thread['id']}/card", json={"column_id": ids["column"]}),
                   422, "board_id", "another space")
    assert_problem(sam.post(f"/api/v1/comments/{referral_thread['id']}/card", json={"column_id": 10**30}),
                   422, "column_id", "Choose a column")
