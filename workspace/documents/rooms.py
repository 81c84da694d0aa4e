"""A room per open document: the live pycrdt Doc, fed bytes, knowing nothing of Socket.IO.

The room is a cache of what the database holds. It applies an update only after the update is
stored, and before answering a client's sync step 1 it catches up from the log, so several app
processes serving the same document all answer from the durable truth.
"""
import concurrent.futures
import logging
import queue
import threading
import time


from workspace.documents import store
from workspace.documents.protocol import AwarenessEntry
from workspace.extensions import db

log = logging.getLogger("convene.documents.rooms")


class DocumentRoom:
    def __init__(self, document_id: int):
        self.document_id = document_id
        self.lock = threading.RLock()  # a pycrdt Doc has one transaction slot: one thread at a time
        self.doc, self.text = store.new_doc()
        self.watermark = 0             # every seq <= watermark is applied
        self._above: set[int] = set()  # applied seqs beyond the watermark (out-of-order arrivals)
        self.clients: dict[str, set[int]] = {}        # sid -> Yjs client ids it announced
        self.awareness: dict[int, AwarenessEntry] = {}  # client id -> latest awareness entry
        self.authors: set[int] = set()                 # client ids already recorded as authors
        self.relayed_seq = 0           # this process has relayed every seq <= this to its clients
        self.idle_since: float | None = time.monotonic()

    # --- CRDT state ---------------------------------------------------------------------------
    def load(self) -> None:
        self.catch_up()
        with self.lock:
            self.relayed_seq = self.watermark  # what came before is in the doc joiners sync from

    def catch_up(self) -> None:
        """Apply whatever the database holds beyond our watermark (written by any process).

        The read happens outside the room's lock: the lock order is always the database first, then
        the room (a handler holding SQLite's write lock must never wait for a thread that holds the
        room and waits for the database).
        """
        updates, last = store.load(self.document_id, after_seq=self.watermark)
        self.apply_through(updates, last)

    def apply(self, update: bytes, seq: int) -> None:
        with self.lock:
            self.doc.apply_update(update)
            if seq > self.watermark:
                self._above.add(seq)
            while self.watermark + 1 in self._above:
                self.watermark += 1
                self._above.discard(self.watermark)

    def apply_through(self, updates: list[bytes], last: int) -> None:
        """Apply updates read from the log (everything up to `last`, maybe some already applied)."""
        with self.lock:
            for data in updates:
                self.doc.apply_update(data)
            self._mark_through(last)

    def _mark_through(self, seq: int) -> None:
        if seq > self.watermark:
            self.watermark = seq
        self._above = {s for s in self._above if s > self.watermark}

    def state_vector(self) -> bytes:
        with self.lock:
            return self.doc.get_state()

    def diff_since(self, state_vector: bytes) -> bytes:
        with self.lock:
            return self.doc.get_update(state_vector)

    def full_state(self) -> bytes:
        with self.lock:
            return self.doc.get_update()

    def snapshot(self) -> tuple[bytes, int]:
        """The whole state and the seq it is complete up to (it may hold later updates too)."""
        with self.lock:
            return self.doc.get_update(), self.watermark

    def current_text(self) -> str:
        with self.lock:
            return str(self.text)

    # --- clients and awareness ----------------------------------------------------------------
    def add_client(self, sid: str) -> None:
        with self.lock:
            self.clients.setdefault(sid, set())
            self.idle_since = None

    def has_client(self, sid: str) -> bool:
        return sid in self.clients

    def claim_client_id(self, sid: str, client_id: int) -> bool:
        """Bind a Yjs client id to the socket that first announces it; refuse it to any other."""
        with self.lock:
            for other, ids in self.clients.items():
                if other != sid and client_id in ids:
                    return False
            self.clients.setdefault(sid, set()).add(client_id)
            return True

    def owns_client_id(self, sid: str, client_id: int) -> bool:
        """Has this socket already claimed this Yjs client id? (No lock: a read of one set.)"""
        return client_id in self.clients.get(sid, ())

    def remember_awareness(self, entry: AwarenessEntry) -> None:
        with self.lock:
            if entry.state is None:
                self.awareness.pop(entry.client_id, None)
            else:
                self.awareness[entry.client_id] = entry

    def awareness_entries(self) -> list[AwarenessEntry]:
        with self.lock:
            return list(self.awareness.values())

    def remove_client(self, sid: str) -> list[AwarenessEntry]:
        """Forget a socket; return the awareness removals to tell the others."""
        with self.lock:
            removed = []
            for client_id in self.clients.pop(sid, set()):
                entry = self.awareness.pop(client_id, None)
                clock = entry.clock + 1 if entry else 1
                removed.append(AwarenessEntry(client_id, clock, None))
            if not self.clients:
                self.idle_since = time.monotonic()
            return removed


class RoomRegistry:
    """The rooms this process holds; idle ones are compacted and leave memory."""

    def __init__(self, idle_seconds: float = 60.0):
        self.idle_seconds = idle_seconds
        self._rooms: dict[int, DocumentRoom] = {}
        self._lock = threading.Lock()

    def get(self, document_id: int) -> DocumentRoom:
        with self._lock:
            room = self._rooms.get(document_id)
            if room is None:
                room = self._rooms[document_id] = DocumentRoom(document_id)
                fresh = True
            else:
                fresh = False
        if fresh:
            room.load()
        return room

    def peek(self, document_id: int) -> DocumentRoom | None:
        return self._rooms.get(document_id)

    def all(self) -> list[DocumentRoom]:
        return list(self._rooms.values())

    def rooms_with(self, sid: str) -> list[DocumentRoom]:
        return [room for room in list(self._rooms.values()) if room.has_client(sid)]

    def drop(self, document_id: int) -> None:
        """Forget a room whose memory may disagree with the database; the next get reloads it."""
        with self._lock:
            self._rooms.pop(document_id, None)

    def evict_idle(self, *, now: float | None = None, compact=None) -> list[int]:
        """Compact and drop rooms nobody has open; return their ids."""
        now = time.monotonic() if now is None else now
        evicted = []
        with self._lock:
            for document_id, room in list(self._rooms.items()):
                if room.idle_since is not None and now - room.idle_since >= self.idle_seconds:
                    del self._rooms[document_id]
                    evicted.append(document_id)
        for document_id in evicted:
            if compact is not None:
                compact(document_id)
        return evicted

    def __len__(self) -> int:
        return len(self._rooms)


class UpdateWriter:
    """Group commit: one thread stores every waiting update in one transaction, then wakes the senders.

    Durability before acknowledgement costs one commit; with many editors typing at once, sharing that
    commit is what keeps the throughput up (a burst of keystrokes must not mean a burst of fsyncs).
    """

    def __init__(self, app, *, max_batch: int = 1000, compact_after: int = store.COMPACT_AFTER, compact=None,
                 on_stored=None):
        self.app = app
        self.compact = compact or store.compact
        self.on_stored = on_stored  # called with [(document_id, seq, update, origin)] in seq order after each commit
        self.max_batch = max_batch
        self.compact_after = compact_after
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._since_compaction: dict[int, int] = {}

    def submit(self, document_id: int, update: bytes, user_id: int | None, origin=None) -> concurrent.futures.Future:
        self._ensure_thread()
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.origin = origin  # who sent it (a socket id), handed to the relay with the stored update
        self._queue.put((document_id, update, user_id, future))
        return future

    def store(self, document_id: int, update: bytes, user_id: int | None, timeout: float = 30, origin=None) -> int:
        return self.submit(document_id, update, user_id, origin).result(timeout=timeout)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._start_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="document-writer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            with self.app.app_context():
                self._write(batch)
                db.session.remove()

    def _write(self, batch) -> None:
        try:
            seqs = store.append_committed([(d, u, user) for d, u, user, _f in batch], own_transaction=True)
        except Exception:
            log.exception("group commit of %s updates failed; storing them one by one", len(batch))
            db.session.rollback()
            for item in batch:  # isolate the bad one so the others still land
                try:
                    (seq,) = store.append_committed([item[:3]], own_transaction=True)
                    self._stored([(item[0], seq, item[1], item[3].origin)])
                    item[3].set_result(seq)
                    self._count(item[0], 1)
                except Exception as exc:
                    db.session.rollback()
                    item[3].set_exception(exc)
            return
        self._stored([(document_id, seq, update, future.origin)
                      for (document_id, update, _user, future), seq in zip(batch, seqs)])
        for (document_id, _u, _user, future), seq in zip(batch, seqs):
            future.set_result(seq)
            self._count(document_id, 1)

    def _stored(self, items) -> None:
        if self.on_stored is not None:
            try:
                self.on_stored(sorted(items, key=lambda item: (item[0], item[1])))
            except Exception:  # relaying must never fail a commit that happened
                log.exception("could not hand %s stored updates to the relay", len(items))

    def _count(self, document_id: int, n: int) -> None:
        total = self._since_compaction.get(document_id, 0) + n
        if total >= self.compact_after:
            try:
                self.compact(document_id)
                db.session.commit()
                total = 0
            except Exception:
                db.session.rollback()
                log.exception("compaction of document %s failed; will retry later", document_id)
        self._since_compaction[document_id] = total


class InlineWriter:
    """Store in the caller's own transaction and commit at once (the Flask test client runs handlers
    synchronously in the test's transaction, where a second thread cannot see uncommitted rows)."""

    def __init__(self, *, compact_after: int = store.COMPACT_AFTER, compact=None, on_stored=None):
        self.compact_after = compact_after
        self.compact = compact or store.compact
        self.on_stored = on_stored
        self._since_compaction: dict[int, int] = {}

    def store(self, document_id: int, update: bytes, user_id: int | None, timeout: float = 30, origin=None) -> int:
        (seq,) = store.append_committed([(document_id, update, user_id)])
        if self.on_stored is not None:
            self.on_stored([(document_id, seq, update, origin)])
        total = self._since_compaction.get(document_id, 0) + 1
        if total >= self.compact_after:
            self.compact(document_id)
            db.session.commit()
            total = 0
        self._since_compaction[document_id] = total
        return seq
