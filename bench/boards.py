"""Boards benchmark: render a 1,000-card board against an empty one, and move-to-visible latency with watchers.

Run `python -m bench.boards` (or `make bench-boards`). It starts its own gunicorn server
(1 worker, 200 threads) on a fresh database with the demo world, builds an empty board and a
1,000-card board through the API, then measures in the same run:
- page render time (GET /boards/N, signed in) for both boards, interleaved, as p50/p95, and the ratio;
  then the 1,000-card board again with a card edited before every view (its cached tiles never serve);
- move-to-visible latency: a mover sends `move_card` over Socket.IO; the time until each of the
  100 watching clients (python-socketio, in this process, same clock) receives `card_moved`.
Prints one JSON document. Targets (issue 4): ratio < 4; p99 move-to-visible < 100 ms.
"""
import argparse
import json
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

from tests.boards_server import start, stop

SPACE = "Crisis response policy 2027"
LABELS = ["rota", "training", "governance", "paperwork", "urgent", "mapping"]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(values_s):
    ms = [v * 1000 for v in values_s]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
            "p99_ms": round(percentile(ms, 99), 2), "max_ms": round(max(ms), 2)}


def build_boards(server, cards: int):
    api = server.api("lee@policing.test")
    url = server.url + "/api/v1"
    space_id = next(s["id"] for s in api.get(f"{url}/spaces").json()["items"] if s["title"] == SPACE)
    members = {m["display_name"]: m["user_id"] for m in api.get(f"{url}/spaces/{space_id}").json()["members"]}
    people = list(members.values())
    empty = api.post(f"{url}/spaces/{space_id}/boards", json={"title": "Empty board"}).json()
    big = api.post(f"{url}/spaces/{space_id}/boards",
                   json={"title": "Big board", "columns": ["Ideas", "To do", "Doing", "Done"]}).json()
    columns = [c["id"] for c in big["columns"]]
    for i in range(cards):
        body = {"column_id": columns[i % len(columns)], "title": f"Task {i}: visit rota follow-up",
                "assignee_ids": [people[i % len(people)], people[(i * 3 + 1) % len(people)]][: 1 + i % 2],
                "labels": [LABELS[i % len(LABELS)]], "due_on": f"2027-0{1 + i % 9}-{10 + i % 18}"}
        response = api.post(f"{url}/boards/{big['id']}/cards", json=body)
        response.raise_for_status()
    return empty["id"], big["id"], columns


def signed_in(server, email):
    session = requests.Session()
    page = session.get(server.url + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    session.post(server.url + "/login", data={"csrf_token": token, "email": email, "password": "convene-demo"})
    return session


def measure_render(server, empty_id, big_id, rounds: int):
    browser = signed_in(server, "maria@socialwork.test")
    times = {"empty": [], "big": []}
    for board_id in (empty_id, big_id, empty_id, big_id):  # warm up
        browser.get(f"{server.url}/boards/{board_id}").raise_for_status()
    size = {}
    for _ in range(rounds):
        for name, board_id in (("empty", empty_id), ("big", big_id)):
            start_at = time.perf_counter()
            response = browser.get(f"{server.url}/boards/{board_id}")
            times[name].append(time.perf_counter() - start_at)
            response.raise_for_status()
            size[name] = len(response.content)
    # Cold: the board changes before every view, so its cached tiles never serve (the worst case).
    api = server.api("lee@policing.test")
    card = api.get(f"{server.url}/api/v1/boards/{big_id}").json()["columns"][0]["cards"][0]
    times["big_after_change"], version = [], card["version"]
    for i in range(rounds):
        version = api.patch(f"{server.url}/api/v1/cards/{card['id']}",
                            json={"version": version, "title": f"Task renamed {i}"}).json()["version"]
        start_at = time.perf_counter()
        response = browser.get(f"{server.url}/boards/{big_id}")
        times["big_after_change"].append(time.perf_counter() - start_at)
        size["big_after_change"] = len(response.content)
    result = {name: {**summary(values), "bytes": size[name]} for name, values in times.items()}
    result["ratio_after_change_p50"] = round(result["big_after_change"]["p50_ms"] / result["empty"]["p50_ms"], 2)
    result["ratio_p50"] = round(result["big"]["p50_ms"] / result["empty"]["p50_ms"], 2)
    result["ratio_p95"] = round(result["big"]["p95_ms"] / result["empty"]["p95_ms"], 2)
    return result


def measure_moves(server, board_id, columns, watchers: int, moves: int):
    token_watch, token_move = server.token("maria@socialwork.test"), server.token("jo@policing.test")
    board = server.api("jo@policing.test").get(f"{server.url}/api/v1/boards/{board_id}").json()
    arrivals: dict[int, list[float]] = {}
    lock = threading.Condition()
    clients = []

    def on_moved(payload):
        now = time.perf_counter()
        with lock:
            arrivals.setdefault(payload["seq"], []).append(now)
            lock.notify_all()

    for _ in range(watchers):
        client = socketio.Client(reconnection=False)
        client.on("card_moved", on_moved)
        client.connect(server.url, auth={"token": token_watch}, transports=["websocket"])
        ack = client.call("join_board", {"board_id": board_id, "since": board["seq"]}, timeout=30)
        assert ack["ok"], ack
        clients.append(client)

    mover = socketio.Client(reconnection=False)
    mover.connect(server.url, auth={"token": token_move}, transports=["websocket"])
    card = board["columns"][0]["cards"][0]
    version, latencies, acks = card["version"], [], []
    for i in range(moves):
        target = columns[(i + 1) % 2]
        sent = time.perf_counter()
        ack = mover.call("move_card", {"card_id": card["id"], "column_id": target, "version": version}, timeout=30)
        acks.append(time.perf_counter() - sent)
        assert ack["ok"], ack
        version = ack["card"]["version"]
        seq = ack["seq"]
        with lock:
            lock.wait_for(lambda: len(arrivals.get(seq, [])) >= watchers, timeout=30)
            latencies.extend(t - sent for t in arrivals.get(seq, []))
            missing = watchers - len(arrivals.get(seq, []))
        assert missing == 0, f"{missing} watchers never saw move {i}"
        time.sleep(0.05)
    for client in clients + [mover]:
        client.disconnect()
    return {"watchers": watchers, "moves": moves, "move_to_visible": summary(latencies), "ack": summary(acks)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--moves", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, process, database_url = start(Path(tmp), threads=200)
        try:
            built = time.perf_counter()
            empty_id, big_id, columns = build_boards(server, args.cards)
            build_s = time.perf_counter() - built
            render = measure_render(server, empty_id, big_id, args.rounds)
            moves = measure_moves(server, big_id, columns, args.watchers, args.moves)
        finally:
            stop(process, database_url)
    print(json.dumps({"database": database_url.split(":")[0], "cards": args.cards,
                      "build_seconds": round(build_s, 1), "render": render, "moves": moves,
                      "targets": {"render_ratio_below": 4, "p99_move_to_visible_ms_below": 100},
                      "met": {"render": render["ratio_p50"] < 4,
                              "move_to_visible": moves["move_to_visible"]["p99_ms"] < 100}}, indent=2))


if __name__ == "__main__":
    main()
