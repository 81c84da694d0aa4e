"""Boards against a live server with real Socket.IO clients: concurrent moves agree, reconnects catch up.

They run on the shared live server (tests/live_server.py, through this directory's conftest), so they
read the demo board as it is now rather than as seeded: other tests move its cards too.
"""
import threading

import pytest
import requests
import socketio as sio_client

pytestmark = pytest.mark.live


def api(token: str) -> requests.Session:
    """A requests session that calls the API with a personal token."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


class Watcher:
    """A python-socketio client that records every board event it receives."""

    def __init__(self, server, token):
        self.events, self.arrived = [], threading.Condition()
        self.client = sio_client.Client(reconnection=False)
        for name in ("card_created", "card_updated", "card_moved", "card_archived", "card_restored",
                     "column_created", "column_updated", "column_moved"):
            self.client.on(name, self._recorder(name))
        self.client.connect(server.url, auth={"token": token}, transports=["websocket"])

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


def demo_board(server, token):
    """The crisis space's demo board as it is now, read with `token`."""
    lee = api(token)
    space_id = server.space_id("Crisis response policy 2027")
    board_id = next(b["id"] for b in lee.get(f"{server.url}/api/v1/spaces/{space_id}/boards").json()["items"]
                    if b["title"] == "Pilot a joint crisis-visit rota")
    return lee.get(f"{server.url}/api/v1/boards/{board_id}").json()


def test_two_people_moving_the_same_card_at_once_end_with_one_agreed_position(live_server, token_for):
    board = demo_board(live_server, token_for("lee@policing.test"))
    columns = {c["title"]: c for c in board["columns"]}
    card = columns["To do"]["cards"][0]
    jo, sam = (Watcher(live_server, token_for("jo@policing.test")),
               Watcher(live_server, token_for("sam@socialwork.test")))
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
    now = api(token_for("maria@socialwork.test")).get(f"{live_server.url}/api/v1/boards/{board['id']}").json()
    where = {c["id"]: col["id"] for col in now["columns"] for c in col["cards"]}
    assert where[card["id"]] == agreed
    for w in (jo, sam):
        w.client.disconnect()


def test_a_disconnected_client_catches_up_on_reconnect(live_server, token_for):
    board = demo_board(live_server, token_for("lee@policing.test"))
    columns = {c["title"]: c for c in board["columns"]}
    watcher = Watcher(live_server, token_for("maria@socialwork.test"))
    seen = watcher.call("join_board", {"board_id": board["id"], "since": board["seq"]})["seq"]
    watcher.client.disconnect()

    priya = api(token_for("priya@psychiatry.test"))
    card = columns["Ideas"]["cards"][0]
    created = priya.post(f"{live_server.url}/api/v1/boards/{board['id']}/cards",
                         json={"column_id": columns["Ideas"]["id"], "title": "Written while María was offline"}).json()
    priya.patch(f"{live_server.url}/api/v1/cards/{card['id']}", json={"version": card["version"], "labels": ["later"]})
    priya.post(f"{live_server.url}/api/v1/cards/{created['id']}/archive", json={})

    back = Watcher(live_server, token_for("maria@socialwork.test"))
    ack = back.call("join_board", {"board_id": board["id"], "since": seen})
    assert ack["ok"] and ack["seq"] == seen + 3
    assert [(e["name"], e["payload"]["seq"]) for e in ack["events"]] == [
        ("card_created", seen + 1), ("card_updated", seen + 2), ("card_archived", seen + 3)]
    back.client.disconnect()
