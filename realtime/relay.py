"""Relaying stored Yjs updates to this process's clients: one merged message per room per tick.

Each update a client sends is stored (group commit), acknowledged to its sender, and handed here by the
writer in seq order. A relay thread wakes at most once per tick (DOCUMENT_RELAY_TICK_SECONDS, 25 ms),
merges each room's new updates with pycrdt's `merge_updates` and emits ONE `document_message` per room
to this process's clients, so a recipient gets at most ~40 messages a second however many people type;
cursor (awareness) changes are merged the same way, every other tick (DOCUMENT_RELAY_CURSOR_TICK_SECONDS,
50 ms): a cursor a few milliseconds later is not noticed, and every message costs each recipient's
connection a header and an attachment frame.

Gap-free per process, from the durable log: a relayed message carries `{"seq": S, "prev": P}` and holds
every update with P < seq <= S. When this process's own updates do not cover (P, S] contiguously
(another process stored some: a message queue notified us, or the once-a-second poll found them, or a
process died after storing and before relaying), the range is read from the database instead. A client
whose last `seq` is below a message's `prev` has missed something and sends sync step 1 at once
(docs/realtime.md, "Nobody left behind"); a client too slow to keep up (more than
DOCUMENT_RELAY_MAX_QUEUED packets waiting on its connection) is skipped, so it sees such a jump and
resyncs when it drains, while the others are not held back.

Several processes: updates go only to this process's own clients (`ignore_queue`); other processes learn
of new seqs from a tiny `convene:stored` notice through the message queue (or the poll) and read the
updates from the log. Awareness, which is not stored, goes through the queue as before.
"""
import logging
import threading
import time
import weakref

from pycrdt import merge_updates

from realtime import access as access_cache
from workspace.documents import protocol, store
from workspace.extensions import db

log = logging.getLogger("convene.realtime.relay")
INTERNAL_ROOM = "convene:internal"  # no client is ever in it: internal notices ride the message queue
STORED_NOTICE = "convene:stored"


class DocumentRelay:
    def __init__(self, app, socketio):
        self.app = app
        self.socketio = socketio
        self.tick = float(app.config.get("DOCUMENT_RELAY_TICK_SECONDS", 0.025))
        if app.config.get("DOCUMENT_WRITER") == "inline":
            self.tick = 0.0  # the in-process test client: no threads, relay within the handler
        self.cursor_tick = float(app.config.get("DOCUMENT_RELAY_CURSOR_TICK_SECONDS", 0.05)) if self.tick else 0.0
        self._last_cursors = 0.0
        self.poll_seconds = float(app.config.get("DOCUMENT_RELAY_POLL_SECONDS", 1.0))
        self.max_queued = int(app.config.get("DOCUMENT_RELAY_MAX_QUEUED", 400))
        self.with_queue = bool(app.config.get("SOCKETIO_MESSAGE_QUEUE"))
        self._lock = threading.Lock()
        self._updates: dict[int, list[tuple[int, bytes, str | None]]] = {}
        self._awareness: dict[int, dict[int, tuple[protocol.AwarenessEntry, str | None]]] = {}
        self._stored_elsewhere: dict[int, int] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_flush = 0.0
        self._last_poll = time.monotonic()
        self._last_access_poll = 0.0
        self.skipped = 0  # deliveries withheld from slow clients (they resync)

    # --- inputs --------------------------------------------------------------------------------
    def stored(self, items) -> None:
        """From the writer, after commit: [(document_id, seq, update, origin)] in seq order."""
        latest: dict[int, int] = {}
        with self._lock:
            for document_id, seq, update, origin in items:
                self._updates.setdefault(document_id, []).append((seq, update, origin))
                latest[document_id] = seq
        if self.with_queue:
            for document_id, seq in latest.items():
                self.socketio.server.emit(STORED_NOTICE, {"document_id": document_id, "seq": seq},
                                          to=INTERNAL_ROOM)
        self._kick()

    def stored_elsewhere(self, document_id: int, seq: int) -> None:
        """A notice (through the message queue) that some process stored `seq`."""
        with self._lock:
            if seq > self._stored_elsewhere.get(document_id, 0):
                self._stored_elsewhere[document_id] = seq
        self._kick()

    def awareness(self, document_id: int, entries: list[protocol.AwarenessEntry], origin: str | None = None) -> None:
        with self._lock:
            pending = self._awareness.setdefault(document_id, {})
            for entry in entries:
                current = pending.get(entry.client_id)
                if current is None or entry.clock >= current[0].clock:
                    pending[entry.client_id] = (entry, origin)
        self._kick()

    def _kick(self) -> None:
        if self.tick <= 0:  # no thread (the in-process test client): relay at once, in this thread
            self.flush()
            return
        self._ensure_thread()
        self._wake.set()

    # --- the relay thread ----------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="document-relay", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(timeout=self.poll_seconds)
            # Leading edge: relay at once when the last flush is a tick old, else wait for the tick.
            wait = self._last_flush + self.tick - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._wake.clear()
            self._last_flush = time.monotonic()
            try:
                with self.app.app_context():
                    self._poll_access()
                    self.flush()
            except Exception:
                log.exception("relay tick failed; retrying")
            finally:
                with self.app.app_context():
                    db.session.remove()

    def _poll_access(self) -> None:
        """Once a second: has any process (or the command line) changed someone's access? (realtime/access.py)"""
        if time.monotonic() - self._last_access_poll < self.poll_seconds:
            return
        self._last_access_poll = time.monotonic()
        access_cache.poll_version(db.session)
        db.session.commit()  # end the read (on SQLite every transaction holds the write lock)

    def flush(self) -> None:
        from workspace.documents.live import live_documents
        cursors_due = time.monotonic() - self._last_cursors >= self.cursor_tick - 0.002
        with self._lock:
            updates, self._updates = self._updates, {}
            elsewhere, self._stored_elsewhere = self._stored_elsewhere, {}
            awareness = {}
            if cursors_due:
                awareness, self._awareness = self._awareness, {}
        if awareness:
            self._last_cursors = time.monotonic()
        elif self._awareness:
            self._wake.set()  # cursors wait for the next tick: come back for them
        poll = self.tick > 0 and time.monotonic() - self._last_poll >= self.poll_seconds
        rooms = live_documents().rooms
        document_ids = set(updates) | set(elsewhere)
        if poll:
            self._last_poll = time.monotonic()
            document_ids |= {room.document_id for room in rooms.all() if room.clients}
        for document_id in document_ids:
            room = rooms.peek(document_id)
            if room is None or not room.clients:
                continue
            try:
                self._relay_updates(room, updates.get(document_id, []), elsewhere.get(document_id, 0), poll)
            except Exception:
                db.session.rollback()
                log.exception("relaying document %s failed; the clients will resync", document_id)
        for document_id, entries in awareness.items():
            if entries:
                origins = {origin for _entry, origin in entries.values()}
                self.socketio.server.emit(
                    "document_message",
                    (document_id, protocol.awareness_message([entry for entry, _origin in entries.values()])),
                    to=f"document:{document_id}", skip_sid=origins.pop() if len(origins) == 1 else None)

    def _relay_updates(self, room, mine: list[tuple[int, bytes, str | None]], elsewhere: int, poll: bool) -> None:
        start = room.relayed_seq
        mine = sorted((item for item in mine if item[0] > start), key=lambda item: item[0])
        contiguous = [item[0] for item in mine] == list(range(start + 1, start + 1 + len(mine)))
        top = mine[-1][0] if mine else start
        # Senders get their own updates back too (Yjs ignores what it has): skipping them would break
        # the seq chain they check for gaps.
        if contiguous and elsewhere <= top and not (poll and not mine):
            payload = [item[1] for item in mine]
        else:
            # Someone else stored updates in (start, top]: the durable log has them all, in order.
            payload, top = store.load(room.document_id, after_seq=start)
            db.session.commit()  # end the read (on SQLite every transaction holds the write lock)
            room.apply_through(payload, top)
        if not payload or top <= start:
            return
        merged = payload[0] if len(payload) == 1 else merge_updates(*payload)
        room.relayed_seq = top
        self._emit_local(room, (room.document_id, protocol.update_message(merged), {"seq": top, "prev": start}))

    def _emit_local(self, room, data) -> None:
        """One emit to this process's clients in the room, minus those whose connection is backed up."""
        server = self.socketio.server
        name = f"document:{room.document_id}"
        slow = []
        eio_sockets = getattr(server.eio, "sockets", {})
        for sid, eio_sid in server.manager.get_participants("/", name):
            queue = getattr(eio_sockets.get(eio_sid), "queue", None)
            if queue is not None and queue.qsize() > self.max_queued:
                slow.append(sid)
        if slow:
            self.skipped += len(slow)
            log.info("document %s: %s slow client(s) skipped; they resync", room.document_id, self.skipped)
        server.emit("document_message", data, to=name, skip_sid=slow or None, ignore_queue=True)


def relay():
    """This app's relay, created (and hooked to the writer) on first use."""
    from flask import current_app

    from workspace.documents.live import live_documents
    from workspace.extensions import socketio
    app = current_app._get_current_object()
    existing = app.extensions.get("convene_relay")
    if existing is None:
        with _CREATE_LOCK:
            existing = app.extensions.get("convene_relay")
            if existing is None:
                existing = app.extensions["convene_relay"] = DocumentRelay(app, socketio)
                RELAYS.add(existing)
    listeners = live_documents().stored_listeners
    if existing.stored not in listeners:  # (tests replace the live documents between tests)
        listeners.append(existing.stored)
    if existing.tick > 0:
        existing._ensure_thread()  # it also polls the log: other processes may store with no queue to tell us
    return existing


_CREATE_LOCK = threading.Lock()
RELAYS: "weakref.WeakSet[DocumentRelay]" = weakref.WeakSet()  # every app's relay in this process (notices from other processes reach them)
