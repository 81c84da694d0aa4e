"""Benchmark co-editing: the document service against raw pycrdt, the live server under load, cold opens.

Run with `python -m bench.coedit` (options: --help). Prints one JSON object on stdout; progress goes to
stderr. Every figure has its baseline measured in the same run:

1. **service** — every update of a real editing trace (automerge-paper, 259,778 edits, ascii_only copy)
   applied by raw pycrdt in one process (the baseline), versus the document service checking, durably
   storing (UpdateWriter group commit, one writer thread) and applying the same updates: (a) one
   document fed in order with many updates in flight (submit all, then wait), the three calls
   `LiveDocuments.receive_update` makes; (a') the same with two proposed changes patched in for the
   run only (marked "experiment"); (b) `receive_update` itself from 32 threads, one document each,
   each fed its own ordered share (the first 2,000 updates). Target: ≥ 20,000 updates/s, within 12×
   of raw. On SQLite, and on PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
   (One writer's updates must reach pycrdt in order — see workspace/__init__.py — so one document
   cannot be fed from many threads; (a) pipelines instead.)
2. **live** — gunicorn (one worker, 250 threads) with E editors typing 5 characters a second each and
   V viewers in one document: keystroke-to-every-other-client latency, ack latency, server CPU and RSS
   (read from /proc). Target: p99 < 150 ms at 25 editors + 100 viewers. The clients run in this
   process (threads; aiohttp is not installed, so no AsyncClient) and share the 2 CPUs with the server.
   The database follows TEST_DATABASE_URL and the message queue SOCKETIO_MESSAGE_QUEUE, as in tests.
3. **open** — a document with the trace's history (compacted as the app does it) opened cold from the
   database by a fresh process, versus raw pycrdt loading the final state. Target: within 3×. Also the
   database bytes per document against the encoded state size.

Traces: `automerge-paper` by Martin Kleppmann (from automerge/automerge-perf) via Joseph Gentle's
editing-traces, CC BY 4.0.
"""
import argparse
import collections
import gzip
import json
import os
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACE = "automerge-paper.json.gz"
CREDIT = ("automerge-paper editing trace: Martin Kleppmann (automerge/automerge-perf), "
          "via Joseph Gentle's editing-traces; CC BY 4.0")


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def percentile(values, p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def ms(seconds) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


# --- the trace and its updates ------------------------------------------------------------------

def traces_dir() -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.shared_data import shared_data
    return shared_data("editing-traces")


def trace_updates(cache_dir: Path) -> tuple[list[bytes], str, float]:
    """Each edit of the trace made in a pycrdt Doc, one transaction each, and the update it produced.

    Cached (keyed by pycrdt's version) because making them takes ~10 s; returns (updates, final
    text, seconds it took to make them, or the cached figure)."""
    import pycrdt
    from pycrdt import Doc, Text

    cache = cache_dir / f"convene-coedit-{TRACE}-pycrdt-{pycrdt.__version__}.pickle"
    if cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)
    with gzip.open(traces_dir() / "ascii_only" / TRACE, "rt", encoding="utf-8") as f:
        trace = json.load(f)
    doc = Doc()
    text = doc.get("body", type=Text)
    updates: list[bytes] = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    started = time.perf_counter()
    for txn in trace["txns"]:
        with doc.transaction():  # ascii_only: code point positions are byte positions
            for position, deleted, inserted in txn["patches"]:
                if deleted:
                    del text[position:position + deleted]
                if inserted:
                    text.insert(position, inserted)
    made = time.perf_counter() - started
    doc.unobserve(subscription)
    assert str(text) == trace["endContent"], "the trace did not replay to its final text"
    result = (updates, trace["endContent"], made)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(result, f)
    tmp.replace(cache)
    return result


def raw_apply(updates: list[bytes], final: str, runs: int = 3) -> dict:
    from pycrdt import Doc, Text
    times = []
    for _ in range(runs):
        doc = Doc()
        text = doc.get("body", type=Text)
        started = time.perf_counter()
        for update in updates:
            doc.apply_update(update)
        times.append(time.perf_counter() - started)
        assert str(text) == final
    best = statistics.median(times)
    return {"updates": len(updates), "seconds_median": round(best, 3), "updates_per_s": round(len(updates) / best),
            "runs": [round(t, 3) for t in times]}


# --- databases ----------------------------------------------------------------------------------

def postgres_base() -> str | None:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or None


def create_database(kind: str, tmp: Path) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    if kind == "sqlite":
        return f"sqlite:///{tmp}/bench-{uuid.uuid4().hex[:8]}.db"
    url = make_url(postgres_base().replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"convene_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.databases import drop_database as drop
    drop(database_url)


def bench_app(database_url: str, instance: Path):
    """The app as `wsgi` builds it (group writer, compaction every 500), on the given database."""
    os.environ["CONVENE_INSTANCE_PATH"] = str(instance)
    import logging
    from workspace import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "SOCKETIO_MESSAGE_QUEUE": None,
                      "RATELIMIT_ENABLED": False, "DOCUMENT_WRITER": "group"})
    logging.getLogger().setLevel(logging.WARNING)
    return app


def prepare(app, n_documents: int) -> tuple[list[int], int]:
    """Migrate, seed the demo world, create documents in the crisis space; return (ids, author id)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from workspace.accounts.services import find_user_by_email
    from workspace.demo import seed_demo
    from workspace.documents import services
    from workspace.extensions import db
    from workspace.spaces.models import Space
    with app.app_context():
        upgrade()
        seed_demo()
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        lee = find_user_by_email("lee@policing.test")
        ids = [services.create_document(space, title=f"Bench {i}", actor=lee).id for i in range(n_documents)]
        db.session.commit()
        return ids, lee.id


# --- 1. the service: check, store durably, apply --------------------------------------------------

def _cheap_check(update: bytes) -> None:
    """EXPERIMENT: protocol.check_update, decoding with pycrdt.get_state instead of a scratch Doc.

    On 30,000 fuzzed inputs get_state accepts and refuses exactly what a scratch Doc does, ~40x cheaper."""
    from pycrdt import get_state

    from workspace.documents import protocol
    if update == protocol.EMPTY_UPDATE:
        return
    if not update:
        raise protocol.ProtocolError("The update is empty.")
    if update[0] == 0:
        if not protocol._is_v1_delete_only(update):
            raise protocol.ProtocolError("Only Yjs v1 updates are accepted.")
        return
    try:
        get_state(update)
    except Exception as exc:
        raise protocol.ProtocolError("The update could not be decoded as a Yjs v1 update.") from exc


def _pipelined(live, room, document_id: int, user_id: int, updates, check) -> dict:
    """What LiveDocuments.receive_update does (check, store via the writer, apply), for one document
    in order, with up to 5,000 updates in flight: submit, and apply each as its commit comes back."""
    window = 5000
    pending: collections.deque = collections.deque()
    check_seconds = 0.0
    cpu0, started = os.times(), time.perf_counter()
    for update in updates:
        t = time.perf_counter()
        check(update)
        check_seconds += time.perf_counter() - t
        pending.append((update, live.writer.submit(document_id, update, user_id)))
        if len(pending) >= window:
            done, future = pending.popleft()
            room.apply(done, future.result(timeout=300))
    while pending:
        done, future = pending.popleft()
        room.apply(done, future.result(timeout=300))
    elapsed = time.perf_counter() - started
    cpu1 = os.times()
    return {"updates": len(updates), "seconds": round(elapsed, 3), "updates_per_s": round(len(updates) / elapsed),
            "check_update_seconds": round(check_seconds, 3), "in_flight_window": window,
            "process_cpu_seconds": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 2),
            "document_id": document_id}


def worker_service(args) -> dict:
    """In a fresh process: the group writer storing every update of the trace (three ways)."""
    from workspace.documents import protocol, store
    from workspace.documents.live import live_documents
    from workspace.extensions import db

    updates, final, _ = trace_updates(Path(args.cache))
    app = bench_app(args.database, Path(args.instance))
    threads = args.threads
    ids, user_id = prepare(app, 2 + threads)
    with app.app_context():
        live = live_documents()
        rooms = [live.rooms.get(ids[0]), live.rooms.get(ids[1])]
    out = {"database": "postgresql" if args.database.startswith("postgresql") else "sqlite", "loadavg": loadavg()}

    compactions = collections.Counter()
    compact = store.compact

    def timed_compact(document_id):
        started = time.perf_counter()
        try:
            return compact(document_id)
        finally:
            compactions["n"] += 1
            compactions["seconds"] += time.perf_counter() - started

    store.compact = timed_compact

    # (a) as the app is: one document, in order, many in flight.
    result = _pipelined(live, rooms[0], ids[0], user_id, updates, protocol.check_update)
    result.update(compactions=compactions["n"], compaction_seconds_in_writer=round(compactions["seconds"], 2),
                  loadavg=loadavg())
    assert rooms[0].current_text() == final, "the live room does not read the trace's final text"
    with app.app_context():
        assert store.current_text(ids[0]) == final, "the stored document does not read the trace's final text"
        db.session.remove()
    out["one_document_pipelined"] = result
    log(f"  one document, pipelined: {result['updates_per_s']:,} updates/s "
        f"({result['compactions']} compactions took {result['compaction_seconds_in_writer']} s of the writer)")

    # (a') EXPERIMENT, same run: the two changes proposed in docs/performance.md — decode with get_state,
    #      and no compaction on the writer thread (left to idle eviction, or a thread of its own).
    compactions.clear()
    live.writer.compact_after = 10**12
    result = _pipelined(live, rooms[1], ids[1], user_id, updates, _cheap_check)
    result.update(loadavg=loadavg(), experiment="check with pycrdt.get_state; no compaction in the writer thread")
    assert rooms[1].current_text() == final
    out["one_document_pipelined_experiment"] = result
    live.writer.compact_after = store.COMPACT_AFTER
    log(f"  … with both changes: {result['updates_per_s']:,} updates/s")

    # (b) receive_update itself, from many threads: one document each, each its own ordered share.
    share = min(len(updates) // threads, args.per_thread)
    prefix = updates[:share]
    from pycrdt import Doc, Text
    expected_doc = Doc()
    for update in prefix:
        expected_doc.apply_update(update)
    expected = str(expected_doc.get("body", type=Text))
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)

    def editor(document_id: int) -> None:
        try:
            with app.app_context():
                live.rooms.get(document_id)  # opened before the clock starts, as a join would
                db.session.remove()
            barrier.wait()
            for update in prefix:
                live.receive_update(document_id, update, user_id=user_id)
        except BaseException as exc:  # report, don't hang the barrier
            errors.append(exc)
            barrier.abort()

    workers = [threading.Thread(target=editor, args=(document_id,)) for document_id in ids[2:]]
    for worker in workers:
        worker.start()
    barrier.wait()
    cpu0, started = os.times(), time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    cpu1 = os.times()
    assert not errors, errors
    for document_id in ids[2:]:
        assert live.rooms.get(document_id).current_text() == expected
    total = share * threads
    out["threads_receive_update"] = {
        "threads": threads, "updates_per_thread": share, "updates": total, "seconds": round(elapsed, 3),
        "updates_per_s": round(total / elapsed), "loadavg": loadavg(),
        "process_cpu_seconds": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 2)}
    log(f"  {threads} threads x receive_update: {out['threads_receive_update']['updates_per_s']:,} updates/s")
    return out


# --- 3. opening a document cold ---------------------------------------------------------------------

def worker_open(args) -> dict:
    """In a fresh process: compact as idle eviction does, then open the document cold, several times."""
    from pycrdt import Doc, Text
    from sqlalchemy import func, select, text as sql

    from workspace.documents import store
    from workspace.documents.live import LiveDocuments
    from workspace.documents.models import Document, DocumentSnapshot, DocumentUpdate
    from workspace.extensions import db

    _updates, final, _ = trace_updates(Path(args.cache))
    app = bench_app(args.database, Path(args.instance))
    document_id = args.document
    with app.app_context():
        history = db.session.get(Document, document_id).last_seq
        snapshot_seq = db.session.scalar(select(DocumentSnapshot.upto_seq).where(DocumentSnapshot.document_id == document_id))
        started = time.perf_counter()
        store.compact(document_id)           # what evicting the idle room does
        db.session.commit()
        compact_seconds = time.perf_counter() - started
        snapshot = db.session.get(DocumentSnapshot, document_id)
        state_bytes = len(snapshot.state)
        log_rows = db.session.scalar(select(func.count()).select_from(DocumentUpdate).where(
            DocumentUpdate.document_id == document_id))
        on_disk = table_pages = table_state = None
        if db.engine.dialect.name == "postgresql":  # the stored (TOAST-compressed) size of this row's state
            on_disk = db.session.execute(sql("SELECT pg_column_size(state) FROM document_snapshots WHERE document_id = :d"),
                                         {"d": document_id}).scalar()
        else:  # SQLite stores BLOBs uncompressed: the table's pages against the bytes of every state in it
            table_pages = db.session.execute(sql("SELECT SUM(pgsize) FROM dbstat WHERE name = 'document_snapshots'")).scalar()
            table_state = db.session.execute(sql("SELECT SUM(length(state)) FROM document_snapshots")).scalar()
        db.session.remove()

    opens, raws = [], []
    for _ in range(7):
        with app.app_context():
            db.engine.dispose()              # no pooled connection, no cached rows: cold
            live = LiveDocuments(app)
            started = time.perf_counter()
            room = live.rooms.get(document_id)
            opens.append(time.perf_counter() - started)
            assert room.current_text() == final
            db.session.remove()
        state = room.full_state()
        started = time.perf_counter()
        doc = Doc()
        doc.apply_update(state)
        raws.append(time.perf_counter() - started)
        assert str(doc.get("body", type=Text)) == final
    cold, raw = statistics.median(opens), statistics.median(raws)
    return {"history_updates": history, "snapshot_upto_seq_before": snapshot_seq,
            "compaction_seconds": round(compact_seconds, 3), "log_rows_after_compaction": log_rows,
            "cold_open_ms_median": ms(cold), "cold_open_ms_runs": [ms(t) for t in opens],
            "raw_pycrdt_load_state_ms_median": ms(raw), "ratio": round(cold / raw, 2),
            "state_bytes": state_bytes, "snapshot_bytes_on_disk": on_disk, "text_chars": len(final),
            "sqlite_snapshot_table_page_bytes": table_pages, "sqlite_snapshot_table_state_bytes": table_state,
            "final_state_from_room_bytes": len(state)}


# --- 2. the live server ---------------------------------------------------------------------------

class BenchClient:
    """A lean co-editing client for load: in-order frames (see tests/realtime/yclient.py), its own Doc."""

    def __init__(self, url: str, token: str, sent: dict, *, editor: bool):
        from pycrdt import Doc, Text
        from tests.realtime.yclient import OrderedClient
        self.url, self.token, self.sent, self.editor = url, token, sent, editor
        self.doc = Doc()
        self.text = self.doc.get("body", type=Text)
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.acks: list[float] = []
        self.errors = 0
        self.garbled = 0
        self.received = 0
        self.synced = threading.Event()
        self.document_id = None
        self.sio = OrderedClient(reconnection=False)
        self.sio.on("document_message", self.on_message)

    def open(self, document_id: int) -> None:
        from pycrdt import create_sync_message
        self.document_id = document_id
        self.sio.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=30)
        ack = self.sio.call("join_document", {"document_id": document_id}, timeout=60)
        assert ack.get("ok") and ack["role"] == ("editor" if self.editor else "viewer"), ack
        with self.lock:
            step1 = create_sync_message(self.doc)
        self.sio.emit("document_message", (document_id, step1))
        assert self.synced.wait(60), "no sync step 2 from the server"

    def on_message(self, document_id=None, message=None, *extra):
        from pycrdt import handle_sync_message
        now = time.perf_counter()
        if not isinstance(message, (bytes, bytearray)) or extra:
            self.garbled += 1
            return
        message = bytes(message)
        if message[0] != 0:
            return  # awareness
        sent_at = self.sent.get(message)
        with self.lock:
            reply = handle_sync_message(message[1:], self.doc)
        if sent_at is not None:
            self.latencies.append(now - sent_at)
        self.received += 1
        if message[1] == 0 and reply is not None and self.editor:
            self.sio.emit("document_message", (self.document_id, reply))
        elif message[1] == 1:
            self.synced.set()

    def keystroke(self, rnd: random.Random) -> None:
        from pycrdt import create_update_message
        with self.lock:
            before = self.doc.get_state()
            current = str(self.text)  # ASCII only: code points are bytes
            self.text.insert(rnd.randint(0, len(current)), rnd.choice("abcdefghij "))
            message = create_update_message(self.doc.get_update(before))
        sent_at = time.perf_counter()
        self.sent[message] = sent_at
        self.sio.emit("document_message", (self.document_id, message),
                      callback=lambda ack, t=sent_at: self.on_ack(ack, t))

    def on_ack(self, ack, sent_at: float) -> None:
        if isinstance(ack, dict) and ack.get("ok"):
            self.acks.append(time.perf_counter() - sent_at)
        else:
            self.errors += 1

    def snapshot(self) -> str:
        with self.lock:
            return str(self.text)

    def close(self) -> None:
        try:
            self.sio.disconnect()
        finally:
            self.sio.eio.disconnect()


def _proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def live_run(server, document_id: int, tokens: dict, *, editors: int, viewers: int, seconds: float,
             rate: float = 5.0) -> dict:
    import logging
    import requests
    sent: dict[bytes, float] = {}
    editor_tokens = [tokens[e] for e in EDITOR_ACCOUNTS]
    viewer_tokens = [tokens[v] for v in VIEWER_ACCOUNTS]
    clients = [BenchClient(server.url, editor_tokens[i % len(editor_tokens)], sent, editor=True) for i in range(editors)]
    clients += [BenchClient(server.url, viewer_tokens[i % len(viewer_tokens)], sent, editor=False) for i in range(viewers)]
    handler_errors = collections.Counter()

    class Count(logging.Handler):
        def emit(self, record):
            handler_errors[record.getMessage()[:80]] += 1

    for name in ("socketio.client", "engineio.client"):
        logging.getLogger(name).addHandler(Count(level=logging.ERROR))

    started = time.perf_counter()
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda c: c.open(document_id), clients))
    connect_seconds = time.perf_counter() - started
    log(f"  {len(clients)} clients connected and synced in {connect_seconds:.1f}s")
    worker_pid = max(_children(server.process.pid) or [server.process.pid])
    pids = [server.process.pid, worker_pid]

    stop = threading.Event()
    keystrokes = collections.Counter()

    def type_(i: int, client: BenchClient) -> None:
        rnd = random.Random(i)
        period = 1.0 / rate
        next_at = time.perf_counter() + rnd.random() * period
        while not stop.is_set():
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            if stop.is_set():
                break
            client.keystroke(rnd)
            keystrokes[i] += 1
            next_at += period

    time.sleep(1.0)
    cpu0 = {pid: _proc_cpu_seconds(pid) for pid in pids}
    own0, wall0 = os.times(), time.perf_counter()
    typists = [threading.Thread(target=type_, args=(i, c)) for i, c in enumerate(clients[:editors])]
    for t in typists:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in typists:
        t.join()
    typing_seconds = time.perf_counter() - wall0
    total = sum(keystrokes.values())
    expected = total * (editors + viewers - 1)
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and sum(len(c.latencies) for c in clients) < expected:
        time.sleep(0.1)
    drain_seconds = time.perf_counter() - wall0 - typing_seconds
    cpu1 = {pid: _proc_cpu_seconds(pid) for pid in pids}
    own1, wall1 = os.times(), time.perf_counter()
    window = wall1 - wall0
    rss = {pid: _proc_rss_mb(pid) for pid in pids}

    latencies = [x for c in clients for x in c.latencies]
    acks = [x for c in clients for x in c.acks]
    stored = requests.get(f"{server.url}/api/v1/documents/{document_id}",
                          headers={"Authorization": f"Bearer {editor_tokens[0]}"}, timeout=60).json()["text"]
    texts = collections.Counter(c.snapshot() for c in clients)
    result = {
        "editors": editors, "viewers": viewers, "rate_per_editor": rate, "typing_seconds": round(typing_seconds, 1),
        "keystrokes": total, "keystrokes_per_s": round(total / typing_seconds, 1),
        "deliveries_expected": expected, "deliveries": len(latencies),
        "deliveries_per_s": round(len(latencies) / window),
        "drain_seconds_after_typing": round(drain_seconds, 2),
        "latency_ms": {"p50": ms(percentile(latencies, 50)), "p90": ms(percentile(latencies, 90)),
                       "p99": ms(percentile(latencies, 99)), "max": ms(max(latencies) if latencies else None)},
        "ack_ms": {"p50": ms(percentile(acks, 50)), "p99": ms(percentile(acks, 99))},
        "ack_errors": sum(c.errors for c in clients), "garbled_messages": sum(c.garbled for c in clients),
        "client_handler_errors": dict(handler_errors),
        "converged": len(texts) == 1 and stored in texts, "distinct_copies": len(texts),
        "server_cpu_percent_of_one_core": round(100 * sum(cpu1[p] - cpu0[p] for p in pids) / window, 1),
        "server_rss_mb": {"master": rss[pids[0]], "worker": rss[pids[1]]},
        "client_process_cpu_percent_of_one_core": round(
            100 * ((own1.user - own0.user) + (own1.system - own0.system)) / window, 1),
        "connect_seconds": round(connect_seconds, 1), "loadavg": loadavg()}
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(BenchClient.close, clients))
    return result


EDITOR_ACCOUNTS = ["lee@policing.test", "sam@socialwork.test", "priya@psychiatry.test", "jo@policing.test",
                   "maria@socialwork.test"]
VIEWER_ACCOUNTS = ["omar@psychiatry.test", "admin@convene.test"]


def live_section(tmp: Path, configs: list[tuple[int, int]], seconds: float) -> list[dict]:
    import requests
    sys.path.insert(0, str(ROOT))
    from tests.realtime.restartable import drop, make_restartable
    results = []
    tmp.mkdir(parents=True, exist_ok=True)
    app_module = os.environ.get("BENCH_APP_MODULE", "wsgi:app")  # e.g. an experiment wrapping wsgi:app
    extra_env = {"PYTHONPATH": os.environ["BENCH_PYTHONPATH"]} if os.environ.get("BENCH_PYTHONPATH") else None
    server = make_restartable(tmp, emails=EDITOR_ACCOUNTS + VIEWER_ACCOUNTS, threads=250, app_module=app_module,
                              extra_env=extra_env)
    try:
        tokens = server.tokens
        for editors, viewers in configs:
            response = requests.post(f"{server.url}/api/v1/spaces/{server.space_id('Crisis response policy 2027')}/documents",
                                     json={"title": f"Load {editors}+{viewers}", "text": "Typing test.\n" * 40},
                                     headers={"Authorization": f"Bearer {tokens[EDITOR_ACCOUNTS[0]]}"}, timeout=60)
            assert response.status_code == 201, response.text
            log(f"live: {editors} editors + {viewers} viewers for {seconds:.0f}s (load {loadavg()})")
            result = live_run(server, response.json()["id"], tokens, editors=editors, viewers=viewers, seconds=seconds)
            result["database"] = "postgresql" if server.database_url.startswith("postgresql") else "sqlite"
            result["message_queue"] = server.env.get("SOCKETIO_MESSAGE_QUEUE")
            log(f"  latency p50 {result['latency_ms']['p50']} ms, p99 {result['latency_ms']['p99']} ms; "
                f"{result['deliveries']:,}/{result['deliveries_expected']:,} delivered; "
                f"server CPU {result['server_cpu_percent_of_one_core']}%")
            results.append(result)
            time.sleep(2)
    finally:
        drop(server)
    return results


# --- orchestration --------------------------------------------------------------------------------

def run_worker(kind: str, **kwargs) -> dict:
    args = [sys.executable, "-m", "bench.coedit", "--worker", kind]
    for key, value in kwargs.items():
        args += [f"--{key}", str(value)]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"worker {kind} failed:\n{result.stderr[-5000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sections", default="service,open,live", help="any of service,open,live")
    parser.add_argument("--threads", type=int, default=32, help="receive_update threads (service section)")
    parser.add_argument("--per-thread", type=int, default=2000, help="updates each receive_update thread sends")
    parser.add_argument("--live", default="25x100,10x20",
                        help="editors x viewers, comma-separated (default: the target, and what this box sustains)")
    parser.add_argument("--seconds", type=float, default=20, help="typing time per live configuration")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--document", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        out = worker_service(args) if args.worker == "service" else worker_open(args)
        print(json.dumps(out))
        return

    sections = set(args.sections.split(","))
    cache_dir = Path(tempfile.gettempdir())
    report = {"benchmark": "co-editing", "cpus": os.cpu_count(), "python": sys.version.split()[0],
              "loadavg_start": loadavg(), "trace": {"name": TRACE, "copy": "ascii_only", "credit": CREDIT}}
    import pycrdt
    report["pycrdt"] = pycrdt.__version__
    log(f"making (or loading) the trace's updates… (load {loadavg()})")
    updates, final, made = trace_updates(cache_dir)
    report["trace"].update(edits=len(updates), final_chars=len(final), pycrdt_make_edits_seconds=round(made, 2),
                           update_bytes_total=sum(map(len, updates)))
    databases = ["sqlite"] + (["postgresql"] if postgres_base() else [])
    with tempfile.TemporaryDirectory(prefix="convene-bench-") as tmp:
        tmp = Path(tmp)
        if sections & {"service", "open"}:
            log("raw pycrdt: applying every update into a fresh Doc…")
            report["raw_pycrdt_apply"] = raw = raw_apply(updates, final)
            log(f"  {raw['updates_per_s']:,} updates/s")
            report["service"], report["open"] = {}, {}
            for kind in databases:
                url = create_database(kind, tmp)
                try:
                    instance = tmp / f"instance-{kind}"
                    log(f"service on {kind} (load {loadavg()})…")
                    service = run_worker("service", database=url, cache=cache_dir, instance=instance,
                                         threads=args.threads, **{"per-thread": args.per_thread})
                    for variant in ("one_document_pipelined", "one_document_pipelined_experiment",
                                    "threads_receive_update"):
                        v = service[variant]
                        v["ratio_raw_over_service"] = round(raw["updates_per_s"] / v["updates_per_s"], 1)
                        v["target_20000_per_s_met"] = v["updates_per_s"] >= 20_000
                    report["service"][kind] = service
                    if "open" in sections:
                        log(f"cold open on {kind}…")
                        opened = run_worker("open", database=url, cache=cache_dir, instance=instance,
                                            document=service["one_document_pipelined"]["document_id"])
                        opened["target_3x_met"] = opened["ratio"] <= 3
                        report["open"][kind] = opened
                        log(f"  cold open {opened['cold_open_ms_median']} ms vs raw "
                            f"{opened['raw_pycrdt_load_state_ms_median']} ms ({opened['ratio']}x)")
                finally:
                    drop_database(url)
        if "live" in sections:
            configs = [tuple(int(n) for n in c.split("x")) for c in args.live.split(",")]
            report["live"] = live_section(tmp / "live", configs, args.seconds)
            for result in report["live"]:
                result["target_p99_150ms_met"] = (result["latency_ms"]["p99"] or 1e9) < 150 and \
                    result["deliveries"] == result["deliveries_expected"]
    report["loadavg_end"] = loadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
