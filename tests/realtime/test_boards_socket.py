"""Board rooms with the Flask-SocketIO test client: joining, live events in seq order, catch-up, moves."""
import pytest

from tests.conftest import sign_in
from workspace.boards import services
from workspace.boards.demo import TITLE, find_board
from workspace.extensions import socketio


@pytest.fixture
def board_ids(app):
    with app.app_context():
        board = find_board(TITLE)
        columns = {c.title: c.id for c in services.open_columns(board)}
        cards = {c.title: (c.id, c.version) for c in services.open_cards(board)}
        return {"board": board.id, "columns": columns, "cards": cards}


def connect(app, email):
    client = app.test_client()
    sign_in(client, email)
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.is_connected()
    return sio


def events_named(sio, *names):
    return [(m["name"], m["args"][0]) for m in sio.get_received() if m["name"] in names]


def book_room(board_ids):
    return next(v for k, v in board_ids["cards"].items() if k.startswith("Book a room"))


def test_join_board_is_acked_with_the_current_seq_and_a_snapshot(app, board_ids):
    sio = connect(app, "omar@psychiatry.test")  # a viewer may watch
    ack = sio.emit("join_board", {"board_id": board_ids["board"]}, callback=True)
    assert ack["ok"] and ack["seq"] > 0
    assert sum(len(c["cards"]) for c in ack["snapshot"]["columns"]) == 12


def test_outsider_cannot_join_a_board(app, board_ids):
    sio = connect(app, "outsider@convene.test")
    ack = sio.emit("join_board", {"board_id": board_ids["board"]}, callback=True)
    assert ack == {"ok": False, "error": "This board does not exist or is not shared with you."}


def test_a_move_reaches_watchers_as_card_moved_with_the_next_seq(app, board_ids):
    watcher, mover = connect(app, "maria@socialwork.test"), connect(app, "jo@policing.test")
    seq = watcher.emit("join_board", {"board_id": board_ids["board"], "since": 10**6}, callback=True)["seq"]
    watcher.get_received()
    cid, version = book_room(board_ids)
    ack = mover.emit("move_card", {"card_id": cid, "column_id": board_ids["columns"]["Done"], "version": version},
                     callback=True)
    assert ack["ok"], ack
    received = events_named(watcher, "card_moved")
    assert len(received) == 1
    payload = received[0][1]
    assert payload["seq"] == seq + 1 and payload["card"]["column_id"] == board_ids["columns"]["Done"]
    assert payload["from_column_id"] == board_ids["columns"]["To do"]
    assert payload["activity"]["text"] == "moved from “To do” to “Done”"
    assert payload["activity"]["actor"]["display_name"] == "Jo Nakamura"


def test_second_move_based_on_the_same_version_is_refused_with_the_current_card(app, board_ids):
    jo, sam = connect(app, "jo@policing.test"), connect(app, "sam@socialwork.test")
    cid, version = book_room(board_ids)
    first = jo.emit("move_card", {"card_id": cid, "column_id": board_ids["columns"]["Done"], "version": version},
                    callback=True)
    second = sam.emit("move_card", {"card_id": cid, "column_id": board_ids["columns"]["Doing"], "version": version},
                      callback=True)
    assert first["ok"] and not second["ok"]
    assert "Someone changed this card" in second["error"]
    assert second["current"]["column_id"] == board_ids["columns"]["Done"]


def test_viewer_cannot_move_card(app, board_ids):
    omar = connect(app, "omar@psychiatry.test")
    cid, version = book_room(board_ids)
    ack = omar.emit("move_card", {"card_id": cid, "column_id": board_ids["columns"]["Done"], "version": version},
                    callback=True)
    assert ack["ok"] is False and "Only members of this space" in ack["error"]


def test_move_to_an_unknown_column_is_refused_with_a_message(app, board_ids):
    jo = connect(app, "jo@policing.test")
    cid, version = book_room(board_ids)
    ack = jo.emit("move_card", {"card_id": cid, "column_id": 424242, "version": version}, callback=True)
    assert ack["ok"] is False and ack["errors"] == {"column_id": "This board has no column 424242."}


def test_reconnecting_client_catches_up_on_what_it_missed(app, board_ids):
    watcher = connect(app, "maria@socialwork.test")
    seen = watcher.emit("join_board", {"board_id": board_ids["board"], "since": 10**6}, callback=True)["seq"]
    watcher.disconnect()
    jo = connect(app, "jo@policing.test")
    cid, version = book_room(board_ids)
    jo.emit("move_card", {"card_id": cid, "column_id": board_ids["columns"]["Doing"], "version": version}, callback=True)
    jo.emit("move_card", {"card_id": cid, "column_id": board_ids["columns"]["Done"], "version": version + 1},
            callback=True)
    back = connect(app, "maria@socialwork.test")
    ack = back.emit("join_board", {"board_id": board_ids["board"], "since": seen}, callback=True)
    assert ack["ok"] and ack["seq"] == seen + 2 and "snapshot" not in ack
    assert [(e["name"], e["payload"]["seq"]) for e in ack["events"]] == [("card_moved", seen + 1), ("card_moved", seen + 2)]
    assert ack["events"][-1]["payload"]["card"]["column_id"] == board_ids["columns"]["Done"]


def test_a_client_too_far_behind_gets_a_snapshot(app, board_ids, monkeypatch):
    monkeypatch.setattr(services, "CATCH_UP_LIMIT", 1)
    watcher = connect(app, "maria@socialwork.test")
    ack = watcher.emit("join_board", {"board_id": board_ids["board"], "since": 0}, callback=True)
    assert ack["ok"] and "events" not in ack and ack["snapshot"]["seq"] == ack["seq"]


def test_refused_changes_send_no_event(app, board_ids):
    watcher, omar = connect(app, "maria@socialwork.test"), connect(app, "omar@psychiatry.test")
    watcher.emit("join_board", {"board_id": board_ids["board"], "since": 10**6}, callback=True)
    watcher.get_received()
    cid, version = book_room(board_ids)
    omar.emit("move_card", {"card_id": cid, "column_id": board_ids["columns"]["Done"], "version": version}, callback=True)
    assert events_named(watcher, "card_moved") == []
