"""Comments benchmark: a comment reaches 100 watching clients, against a bare Socket.IO relay of the same payload.

Run `python -m bench.comments` (or `make bench`). It starts the app under gunicorn (1 worker, 200
threads) on a fresh database with the demo world, and a bare python-socketio server (bench/comments_bare.py,
same gunicorn settings, no Flask, no database). In the same run, interleaved round by round:
- comment-to-visible: 100 clients (python-socketio, in this process, same clock) have joined the crisis
  space's room; Sam sends `create_comment` over Socket.IO; the time from sending until each watcher
  receives `comment_created` (validated, stored, committed, then published);
- baseline: the same payload relayed by the bare server to 100 clients in one room.
Prints one JSON document with p50/p95/p99 and the ratio of medians. Target (issue 9): p99 < 100 ms.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

from tests.boards_server import ROOT, free_port, start, stop

SPACE = "Crisis response policy 2027"
BIN = Path(sys.executable).parent


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(values_s):
    ms = [v * 1000 for v in values_s]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
            "p99_ms": round(percentile(ms, 99), 2), "max_ms": round(max(ms), 2)}


class Watchers:
    """N sockets that record when each `comment_created` arrives, keyed by a marker in the payload."""

    def __init__(self):
        self.arrivals: dict[str, list[float]] = {}
        self.lock = threading.Condition()
        self.clients = []

    def on_event(self, payload):
        now = time.perf_counter()
        key = (payload.get("comment") or {}).get("body") or payload.get("marker")
        with self.lock:
            self.arrivals.setdefault(key, []).append(now)
            self.lock.notify_all()

    def add(self, url, *, auth=None):
        client = socketio.Client(reconnection=False)
        client.on("comment_created", self.on_event)
        client.connect(url, auth=auth, transports=["websocket"], wait_timeout=30)
        self.clients.append(client)
        return client

    def wait(self, key, count, sent):
        with self.lock:
            self.lock.wait_for(lambda: len(self.arrivals.get(key, [])) >= count, timeout=30)
            got = self.arrivals.get(key, [])
            assert len(got) >= count, f"{count - len(got)} watchers never saw {key!r}"
            return [t - sent for t in got[:count]]

    def close(self):
        for client in self.clients:
            client.disconnect()


def start_bare(tmp: Path, threads: int):
    port = free_port()
    log = open(tmp / "bare.log", "w")
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--threads", str(threads), "--bind",
                                f"127.0.0.1:{port}", "bench.comments_bare:app"], cwd=ROOT, env=dict(os.environ),
                               stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/socket.io/?EIO=4&transport=polling", timeout=5)
            return url, process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the bare server did not start; see " + str(tmp / "bare.log"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--comments", type=int, default=50)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        server, process, database_url = start(Path(tmp), threads=args.watchers + 100)
        bare_url, bare = start_bare(Path(tmp), args.watchers + 100)
        app_watchers, bare_watchers = Watchers(), Watchers()
        try:
            api = server.api("sam@socialwork.test")
            space_id = next(s["id"] for s in api.get(f"{server.url}/api/v1/spaces").json()["items"]
                            if s["title"] == SPACE)
            watch_token = server.token("maria@socialwork.test")
            for _ in range(args.watchers):
                client = app_watchers.add(server.url, auth={"token": watch_token})
                assert client.call("join_space", {"space_id": space_id}, timeout=30)["ok"]
                assert bare_watchers.add(bare_url).call("join", {}, timeout=30)["ok"]
            sender = socketio.Client(reconnection=False)
            sender.connect(server.url, auth={"token": server.token("sam@socialwork.test")}, transports=["websocket"])
            bare_sender = socketio.Client(reconnection=False)
            bare_sender.connect(bare_url, transports=["websocket"])
            # warm up both paths once
            ack = sender.call("create_comment", {"space_id": space_id, "body": "warm-up"}, timeout=30)
            app_watchers.wait("warm-up", args.watchers, time.perf_counter())
            template = {"space_id": space_id, "document_id": None, "card_id": None, "thread_id": 0,
                        "change": "created", "comment": ack["comment"], "count": 1}
            comment_lat, bare_lat, acks = [], [], []
            for i in range(args.comments):
                body = f"Benchmark comment {i}: who covers nights?"
                sent = time.perf_counter()
                ack = sender.call("create_comment", {"space_id": space_id, "body": body}, timeout=30)
                acks.append(time.perf_counter() - sent)
                assert ack["ok"], ack
                comment_lat += app_watchers.wait(body, args.watchers, sent)
                payload = dict(template, marker=f"bare {i}", comment=dict(ack["comment"], body=f"bare {i}"))
                sent = time.perf_counter()
                assert bare_sender.call("relay", payload, timeout=30)["ok"]
                bare_lat += bare_watchers.wait(f"bare {i}", args.watchers, sent)
                time.sleep(0.05)
            sender.disconnect()
            bare_sender.disconnect()
        finally:
            app_watchers.close()
            bare_watchers.close()
            bare.terminate()
            stop(process, database_url)
    result = {"database": database_url.split(":")[0], "watchers": args.watchers, "comments": args.comments,
              "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in os.getloadavg()],
              "comment_to_visible": summary(comment_lat), "create_comment_ack": summary(acks),
              "baseline_bare_relay": summary(bare_lat)}
    result["ratio_p50"] = round(result["comment_to_visible"]["p50_ms"] / result["baseline_bare_relay"]["p50_ms"], 2)
    result["target"] = {"p99_comment_to_visible_ms_below": 100,
                        "met": result["comment_to_visible"]["p99_ms"] < 100}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
