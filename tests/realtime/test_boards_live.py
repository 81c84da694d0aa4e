"""Boards against a live server with real Socket.IO clients: concurrent moves agree, reconnects catch up."""
import threading

import pytest
import socketio as sio_client

from tests.boards_server import boards_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.live


class Watcher:
    """A python-socketio client that records every board event it receives."""

    def __init__(self, server, email):
        self.events, self.arrived = [], threading.Condition()
        self.client = sio_client.Client(reconnection=False)
        for name in ("card_created", "card_updated", "card_moved", "card_archived", "card_restored",
                     "column_created", "column_updated", "column_moved"):
            self.client.on(name, self._recorder(name))
        self.client.connect(server.url, auth={"token": server.token(email)}, transports=["websocket"])

    def _recorder(self, name):
        def record(payload):
            with self.arrived:
                self.events.append((name, payload))
                self.arrived.notify_all()
        return record

    def wait_for(self, count, timeout=10):
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.events) >= count, timeout=timeout), self.events
        return list(self.events)

    def call(self, event, payload):
        return self.client.call(event, payload, timeout=10)


def demo_board(server):
    api = server.api("lee@policing.test")
    space_id = next(s["id"] for s in api.get(f"{server.url}/api/v1/spaces").json()["items"]
                    if s["title"] == "Crisis response policy 2027")
    board_id = next(b["id"] for b in api.get(f"{server.url}/api/v1/spaces/{space_id}/boards").json()["items"]
                    if b["title"] == "Pilot a joint crisis-visit rota")
    return api.get(f"{server.url}/api/v1/boards/{board_id}").json()


def test_two_people_moving_the_same_card_at_once_end_with_one_agreed_position(boards_server):
    board = demo_board(boards_server)
    columns = {c["title"]: c for c in board["columns"]}
    card = columns["To do"]["cards"][0]
    jo, sam = Watcher(boards_server, "jo@policing.test"), Watcher(boards_server, "sam@socialwork.test")
    for w in (jo, sam):
        assert w.call("join_board", {"board_id": board["id"], "since": board["seq"]})["ok"]
    targets = {jo: columns["Doing"]["id"], sam: columns["Done"]["id"]}
    acks, start = {}, threading.Barrier(2)

    def move(watcher):
        start.wait()
        acks[watcher] = watcher.call("move_card", {"card_id": card["id"], "column_id": targets[watcher],
                                                   "version": card["version"]})

    threads = [threading.Thread(target=move, args=(w,)) for w in (jo, sam)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [w for w, ack in acks.items() if ack["ok"]]
    losers = [w for w, ack in acks.items() if not ack["ok"]]
    assert len(winners) == 1 and len(losers) == 1, acks
    agreed = targets[winners[0]]
    assert acks[losers[0]]["current"]["column_id"] == agreed  # the loser is shown where the card is now
    for watcher in (jo, sam):
        moves = [p for name, p in watcher.wait_for(1) if name == "card_moved" and p["card"]["id"] == card["id"]]
        assert [m["card"]["column_id"] for m in moves] == [agreed]
        assert moves[0]["seq"] == board["seq"] + 1
    now = boards_server.api("maria@socialwork.test").get(f"{boards_server.url}/api/v1/boards/{board['id']}").json()
    where = {c["id"]: col["id"] for col in now["columns"] for c in col["cards"]}
    assert where[card["id"]] == agreed
    for w in (jo, sam):
        w.client.disconnect()


def test_a_disconnected_client_catches_up_on_reconnect(boards_server):
    board = demo_board(boards_server)
    columns = {c["title"]: c for c in board["columns"]}
    watcher = Watcher(boards_server, "maria@socialwork.test")
    seen = watcher.call("join_board", {"board_id": board["id"], "since": board["seq"]})["seq"]
    watcher.client.disconnect()

    api = boards_server.api("priya@psychiatry.test")
    card = columns["Ideas"]["cards"][0]
    created = api.post(f"{boards_server.url}/api/v1/boards/{board['id']}/cards",
                       json={"column_id": columns["Ideas"]["id"], "title": "Written while María was offline"}).json()
    api.patch(f"{boards_server.url}/api/v1/cards/{card['id']}", json={"version": card["version"], "labels": ["later"]})
    api.post(f"{boards_server.url}/api/v1/cards/{created['id']}/archive", json={})

    back = Watcher(boards_server, "maria@socialwork.test")
    ack = back.call("join_board", {"board_id": board["id"], "since": seen})
    assert ack["ok"] and ack["seq"] == seen + 3
    assert [(e["name"], e["payload"]["seq"]) for e in ack["events"]] == [
        ("card_created", seen + 1), ("card_updated", seen + 2), ("card_archived", seen + 3)]
    back.client.disconnect()
