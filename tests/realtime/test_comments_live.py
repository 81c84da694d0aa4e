"""Comments live, against a real server with real Socket.IO clients: one person comments, the others
receive the event only after it is committed (it is already readable through the API when it arrives)."""
import pytest
import requests

pytestmark = pytest.mark.live


def api(server, token):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.base = server.url
    return session


def test_a_comment_reaches_the_other_member_after_commit(live_server, token_for, connect, space_ids):
    crisis = space_ids["Crisis response policy 2027"]
    sam = connect(token=token_for("sam@socialwork.test"))
    priya = connect(token=token_for("priya@psychiatry.test"))
    assert sam.join_space(crisis)["ok"] and priya.join_space(crisis)["ok"]
    since = priya.mark()
    ack = sam.call("create_comment", {"space_id": crisis, "body": "Live: who covers **nights**?"})
    assert ack["ok"], ack
    comment_id = ack["comment"]["id"]
    event = priya.wait_for("comment_created", lambda d: d["comment"]["id"] == comment_id, since=since)
    assert event["space_id"] == crisis and event["card_id"] is None and event["thread_id"] == comment_id
    assert "<strong>nights</strong>" in event["comment"]["html"]
    # Delivered after commit: whoever receives it can already read it.
    listed = api(live_server, token_for("priya@psychiatry.test")).get(
        f"{live_server.url}/api/v1/spaces/{crisis}/comments").json()["items"]
    assert comment_id in [c["id"] for c in listed]

    # Priya replies over HTTP; Sam's socket hears it.
    since = sam.mark()
    reply = api(live_server, token_for("priya@psychiatry.test")).post(
        f"{live_server.url}/api/v1/comments/{comment_id}/replies", json={"body": "We do until 2am"})
    assert reply.status_code == 201, reply.text
    event = sam.wait_for("comment_created", lambda d: d["comment"]["id"] == reply.json()["id"], since=since)
    assert event["thread_id"] == comment_id and event["comment"]["parent_id"] == comment_id


def test_refused_socket_comments_change_nothing_and_send_nothing(live_server, token_for, connect, space_ids):
    crisis, referral = space_ids["Crisis response policy 2027"], space_ids["Referral guidelines"]
    sam = connect(token=token_for("sam@socialwork.test"))
    priya = connect(token=token_for("priya@psychiatry.test"))
    assert priya.join_space(crisis)["ok"]
    since = priya.mark()
    blank = sam.call("create_comment", {"space_id": crisis, "body": "  \n "})
    assert blank == {"ok": False, "error": "body: Comment is required.", "errors": {"body": "Comment is required."}}
    too_long = sam.call("create_comment", {"space_id": crisis, "body": "x" * 10_001})
    assert not too_long["ok"] and "at most 10,000 characters" in too_long["errors"]["body"]
    unknown = sam.call("create_comment", {"space_id": referral, "body": "Ask @[Jo Nakamura]"})
    assert unknown["errors"] == {"body": "Jo Nakamura is not in this space."}
    jo = connect(token=token_for("jo@policing.test"))
    hidden = jo.call("create_comment", {"space_id": referral, "body": "Let me in"})
    assert not hidden["ok"] and "does not exist or is not shared with you" in hidden["error"]
    # A later, accepted comment arrives; none of the refused ones came before it.
    ok = sam.call("create_comment", {"space_id": crisis, "body": "Accepted"})
    priya.wait_for("comment_created", lambda d: d["comment"]["id"] == ok["comment"]["id"], since=since)
    bodies = [d["comment"]["body"] for d in priya.received("comment_created", since=since)]
    assert bodies == ["Accepted"]


def test_card_comment_counts_reach_the_board_room(live_server, token_for, connect, space_ids):
    crisis = space_ids["Crisis response policy 2027"]
    lee = api(live_server, token_for("jo@policing.test"))
    board_id = next(b["id"] for b in lee.get(f"{live_server.url}/api/v1/spaces/{crisis}/boards").json()["items"]
                    if b["title"] == "Pilot a joint crisis-visit rota")
    board = lee.get(f"{live_server.url}/api/v1/boards/{board_id}").json()
    card_id = board["columns"][0]["cards"][0]["id"]
    jo = connect(token=token_for("jo@policing.test"))
    assert jo.call("join_board", {"board_id": board_id})["ok"]
    before = len(lee.get(f"{live_server.url}/api/v1/cards/{card_id}/comments").json()["items"])
    since = jo.mark()
    sam = connect(token=token_for("sam@socialwork.test"))
    ack = sam.call("create_comment", {"card_id": card_id, "body": "On the card"})
    assert ack["ok"], ack
    event = jo.wait_for("comment_created", lambda d: d["card_id"] == card_id, since=since)
    assert event["count"] >= before + 1
    assert event["comment"]["card_id"] == card_id and event["comment"]["target"] == "card"
