"""The client side of Convene's co-editing protocol (docs/realtime.md, "Documents"), in Python.

One `YClient` is one editor (or viewer) with its own pycrdt `Doc`, talking to a live server over a
real Socket.IO connection, exactly as the browser does: join_document, answer the server's sync step 1
with a step 2, send its own step 1, then send each local change as an update and apply what arrives.

Two things the stock threaded python-socketio client does not do, and a CRDT client needs:
- it hands every Engine.IO frame to a new thread, so the two frames of one binary Socket.IO event (the
  placeholder header and the attachment) can be handled in either order (python-socketio issue #436);
  `OrderedClient` handles incoming frames one after another on the reader thread instead;
- it sends those two frames with two separate queue puts, so two threads emitting at once can
  interleave them; `OrderedClient` sends each packet's frames under one lock.
Handlers therefore run on the reader thread: they must never block on the server (emit with a
callback, never `call`).

pycrdt 0.14 indexes `Text` by UTF-8 byte: every edit here takes code-point positions (Python string
indices) and converts them, so an edit never lands inside a multi-byte character.
"""
from __future__ import annotations

import itertools
import random
import re
import threading
import time
from dataclasses import dataclass, field

import engineio
import socketio
from pycrdt import (Doc, Text, YMessageType, YSyncMessageType, create_sync_message, create_update_message,
                    handle_sync_message)

WAIT = 15  # seconds


def byte_offset(s: str, index: int) -> int:
    """The UTF-8 byte offset of code point `index` in `s` (pycrdt 0.14 Text positions)."""
    return len(s[:index].encode("utf-8"))


class _OrderedEngineIO(engineio.Client):
    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False  # keep a binary event's header and attachment together, in order
        return super()._trigger_event(event, *args, **kwargs)


class OrderedClient(socketio.Client):
    """A threaded Socket.IO client that handles incoming frames in order and sends packets atomically."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._send_lock = threading.Lock()

    def _engineio_client_class(self):
        return _OrderedEngineIO

    def _send_packet(self, pkt):
        with self._send_lock:
            super()._send_packet(pkt)


@dataclass
class Edit:
    """One local change: its update, the markers it inserted, and what the server said about it."""
    number: int
    update: bytes
    markers: tuple[str, ...] = ()
    state: str = "local"            # local (not sent), sent, acked, refused
    seq: int | None = None
    error: str | None = None
    sent_at: float | None = None
    acked_at: float | None = None


@dataclass
class Received:
    kind: str                        # sync_step1, sync_step2, sync_update, awareness, garbled
    document_id: object
    message: object
    at: float = field(default_factory=time.monotonic)


class YClient:
    """One person's copy of one document, kept in sync with the live server."""

    def __init__(self, url: str, *, token: str | None = None, cookie: str | None = None, name: str = "client"):
        self.url = url
        self.token = token
        self.cookie = cookie
        self.name = name
        self.lock = threading.RLock()          # one lock per pycrdt Doc: it has one transaction slot
        self.doc = Doc()
        self.text = self.doc.get("body", type=Text)
        self.sio: OrderedClient | None = None
        self.document_id: int | None = None
        self.role: str | None = None
        self.edits: list[Edit] = []
        self.received: list[Received] = []
        self.acks: list[dict] = []              # every ack of a document_message, in arrival order
        self.handshake_acks: list[dict] = []    # acks of the step 2 answering the server's step 1
        self._cond = threading.Condition()
        self._numbers = itertools.count(1)
        self._holding: list[Edit] | None = None
        self.disconnects = 0
        self.last_seq: int | None = None        # the highest relayed seq seen (gap detection)
        self.gaps = 0                           # gaps detected (each answered by a sync step 1)

    # --- connection ------------------------------------------------------------------------------
    def connect(self, url: str | None = None) -> "YClient":
        if url:
            self.url = url
        self.sio = OrderedClient(reconnection=False)
        self.sio.on("document_message", self._on_document_message)
        self.sio.on("disconnect", self._on_disconnect)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.sio.connect(self.url, auth={"token": self.token} if self.token else None, headers=headers,
                         transports=["websocket"], wait_timeout=WAIT)
        return self

    @property
    def connected(self) -> bool:
        return self.sio is not None and self.sio.connected

    def _on_disconnect(self, reason=None):
        with self._cond:
            self.disconnects += 1
            for edit in self.edits:
                if edit.state == "sent":  # its ack can no longer arrive; the next step 2 carries it
                    edit.state = "local"
            self._cond.notify_all()

    def close(self) -> None:
        if self.sio is None:
            return
        try:
            if self.sio.connected:
                self.sio.disconnect()
        finally:
            self.sio.eio.disconnect()

    def call(self, event: str, *args, timeout: float = WAIT):
        return self.sio.call(event, *args, timeout=timeout)

    # --- the handshake ---------------------------------------------------------------------------
    def join(self, document_id: int, *, sync: bool = True) -> dict:
        """join_document; then send our own step 1 and wait for the server's step 2."""
        self.document_id = document_id
        ack = self.call("join_document", {"document_id": document_id})
        if ack.get("ok"):
            self.role = ack["role"]
            with self._cond:
                self.last_seq = max(self.last_seq or 0, ack.get("seq", 0))
            if sync:
                self.sync()
        return ack

    def sync(self, timeout: float = WAIT) -> None:
        """Send our sync step 1 and wait until the server's step 2 (everything we lack) is applied.

        The step 2 may arrive before or after the ack (through a message queue it can overtake it),
        so wait for the message itself.
        """
        before = self.count("sync_step2")
        with self.lock:
            step1 = create_sync_message(self.doc)
        ack = self.call("document_message", (self.document_id, step1), timeout=timeout)
        assert ack == {"ok": True}, f"{self.name}: sync step 1 refused: {ack}"
        self.wait_until(lambda: self.count("sync_step2") > before, timeout=timeout,
                        message=f"{self.name}: the server's sync step 2")

    def _on_document_message(self, document_id=None, message=None, *extra):
        meta = extra[0] if len(extra) == 1 and isinstance(extra[0], dict) else None
        if not isinstance(message, (bytes, bytearray)) or len(message) < 2 or (extra and meta is None):
            self._record(Received("garbled", document_id, message))
            return
        message = bytes(message)
        if document_id != self.document_id:
            self._record(Received("stray", document_id, message))
            return
        if message[0] == YMessageType.AWARENESS:
            self._record(Received("awareness", document_id, message))
            return
        kind = {YSyncMessageType.SYNC_STEP1: "sync_step1", YSyncMessageType.SYNC_STEP2: "sync_step2",
                YSyncMessageType.SYNC_UPDATE: "sync_update"}.get(message[1], "unknown")
        with self.lock:
            reply = handle_sync_message(message[1:], self.doc)
            upto = len(self.edits)  # every local edit so far is in the reply
        if meta is not None and isinstance(meta.get("seq"), int):
            # The client's duty (docs/realtime.md): a relayed update starting past our last seq means
            # something was missed: ask for it at once with a sync step 1.
            with self._cond:
                gap = self.last_seq is not None and isinstance(meta.get("prev"), int) and meta["prev"] > self.last_seq
                self.last_seq = max(self.last_seq or 0, meta["seq"])
                if gap:
                    self.gaps += 1
            if gap:
                with self.lock:
                    step1 = create_sync_message(self.doc)
                self._emit(step1, callback=lambda ack: None)
        if kind == "sync_step1" and reply is not None and self.role != "viewer":
            # Answer with everything the server lacks: this is how offline edits reach it. (Like the
            # browser, a client that does not know its role yet answers too; a viewer's answer is refused.)
            self._emit(reply, callback=lambda ack: self._handshake_acked(ack, upto))
        self._record(Received(kind, document_id, message))

    def _handshake_acked(self, ack, upto: int) -> None:
        with self._cond:
            self.handshake_acks.append(ack)
            self.acks.append(ack)
            if isinstance(ack, dict) and ack.get("ok"):
                for edit in self.edits[:upto]:
                    if edit.state in ("local", "sent"):
                        edit.state, edit.acked_at = "acked", time.monotonic()
            self._cond.notify_all()

    def _record(self, item: Received) -> None:
        with self._cond:
            self.received.append(item)
            self._cond.notify_all()

    def count(self, kind: str) -> int:
        with self._cond:
            return sum(1 for r in self.received if r.kind == kind)

    # --- local edits -----------------------------------------------------------------------------
    def insert(self, index: int, s: str, *, markers: tuple[str, ...] = ()) -> Edit:
        """Insert `s` at code point `index` (clamped to the text) as one local transaction."""
        with self.lock:
            current = str(self.text)
            index = max(0, min(index, len(current)))
            before = self.doc.get_state()
            self.text.insert(byte_offset(current, index), s)
            edit = self.record(before, markers)
        self._dispatch(edit)
        return edit

    def delete(self, index: int, length: int) -> Edit | None:
        """Delete `length` code points at code point `index`."""
        with self.lock:
            current = str(self.text)
            if length <= 0 or index >= len(current):
                return None
            start, end = byte_offset(current, index), byte_offset(current, index + length)
            before = self.doc.get_state()
            del self.text[start:end]
            edit = self.record(before)
        self._dispatch(edit)
        return edit

    def record(self, before: bytes, markers: tuple[str, ...] = ()) -> Edit:
        """Record everything changed locally since state vector `before` as one edit (hold the lock)."""
        with self.lock:
            edit = Edit(next(self._numbers), self.doc.get_update(before), markers)
            with self._cond:
                self.edits.append(edit)
        return edit

    def snapshot(self) -> str:
        with self.lock:
            return str(self.text)

    def _dispatch(self, edit: Edit) -> None:
        if self._holding is not None:
            self._holding.append(edit)
        elif self.connected and self.document_id is not None:
            self.send(edit)

    def hold(self) -> None:
        """Keep the next edits back (to send later, out of order or twice)."""
        self._holding = []

    def release(self, *, order=reversed, twice: bool = False) -> list[Edit]:
        held, self._holding = self._holding or [], None
        batch = list(order(held))
        if twice:
            batch = batch + batch[::2]
        for edit in batch:
            self.send(edit)
        return held

    def send(self, edit: Edit) -> None:
        previous = edit.state
        if edit.state == "local":
            edit.state, edit.sent_at = "sent", time.monotonic()
        if not self._emit(create_update_message(edit.update), callback=lambda ack: self._acked(edit, ack)):
            edit.state = previous

    def send_raw(self, message, *, document_id=None) -> None:
        """Send any payload as a document_message (for refusal tests); the ack lands in self.acks."""
        self.sio.emit("document_message", (self.document_id if document_id is None else document_id, message),
                      callback=self._raw_acked)

    def _raw_acked(self, ack) -> None:
        with self._cond:
            self.acks.append(ack)
            self._cond.notify_all()

    def _emit(self, message: bytes, *, callback) -> bool:
        """Send if connected; an edit that cannot be sent now reaches the server in the next step 2."""
        if not self.connected:
            return False
        try:
            self.sio.emit("document_message", (self.document_id, message), callback=callback)
            return True
        except socketio.exceptions.SocketIOError:  # the connection dropped under us
            return False

    def _acked(self, edit: Edit, ack) -> None:
        with self._cond:
            self.acks.append(ack)
            if isinstance(ack, dict) and ack.get("ok") and "seq" in ack:
                if edit.state != "acked":
                    edit.state, edit.seq, edit.acked_at = "acked", ack["seq"], time.monotonic()
            elif edit.state != "acked":
                edit.state, edit.error = "refused", (ack or {}).get("error") if isinstance(ack, dict) else repr(ack)
            self._cond.notify_all()

    # --- waiting and bookkeeping -----------------------------------------------------------------
    def wait_until(self, predicate, *, timeout: float = WAIT, message: str = "condition"):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{self.name}: timed out after {timeout}s waiting for {message}")
                self._cond.wait(min(remaining, 0.05))

    def wait_acked(self, timeout: float = WAIT) -> None:
        """Wait until every sent edit has its ack (ok with a seq, or a refusal)."""
        self.wait_until(lambda: not any(e.state == "sent" for e in self.edits), timeout=timeout,
                        message=f"acks for {sum(e.state == 'sent' for e in self.edits)} updates")

    def acked_markers(self) -> set[str]:
        with self._cond:
            return {m for e in self.edits if e.state == "acked" for m in e.markers}

    def all_markers(self) -> set[str]:
        with self._cond:
            return {m for e in self.edits for m in e.markers}

    def refused(self) -> list[Edit]:
        return [e for e in self.edits if e.state == "refused"]

    def errors(self) -> list[dict]:
        with self._cond:
            return [a for a in self.acks if not (isinstance(a, dict) and a.get("ok"))]


# --- a typist that never splits a character and never touches a marker ---------------------------

MARKER_RE = re.compile("⟦[^⟦⟧]*⟧")
FILLERS = ["a", "b", "c", " ", "é", "ß", "ø", "😀", "🎉", "👩🏽\u200d💻", "🇺🇦", "שלום", "مرحبا", "e\u0301",
           "n\u0303\u0323", "क्षि", "\u200f", "漢字", "\n", "·", "𝔘"]
MARKER_TAILS = ["", "😀", "ש", "e\u0301", "🇺🇦"]


class Typist:
    """Random inserts and deletes on one client's copy, with unique markers that are never deleted.

    Markers read `⟦tag-n…⟧`; fillers never contain the brackets. An insert never lands inside a marker
    and a delete only removes filler, both judged on the client's own copy at that instant (under its
    lock); concurrent edits by others cannot break a marker either, since a CRDT delete only removes
    what its author saw and an insert is anchored to what its author saw.
    """

    def __init__(self, client: YClient, *, seed: int, tag: str, marker_every: int = 4):
        self.client = client
        self.rnd = random.Random(seed)
        self.tag = tag
        self.marker_every = marker_every
        self.count = 0

    def step(self) -> Edit | None:
        client, rnd = self.client, self.rnd
        self.count += 1
        with client.lock:  # choose the position and edit in one go: remote updates wait
            current = str(client.text)
            spans = [m.span() for m in MARKER_RE.finditer(current)]
            if self.count % self.marker_every == 0:
                marker = f"⟦{self.tag}-{self.count}{rnd.choice(MARKER_TAILS)}⟧"
                return client.insert(self._boundary(current, spans), marker, markers=(marker,))
            if current and rnd.random() < 0.3:
                start, length = self._filler_range(current, spans)
                if length:
                    return client.delete(start, length)
            return client.insert(self._boundary(current, spans), rnd.choice(FILLERS) * rnd.randint(1, 2))

    def _boundary(self, current: str, spans) -> int:
        index = self.rnd.randint(0, len(current))
        for start, end in spans:
            if start < index < end:
                return end
        return index

    def _filler_range(self, current: str, spans) -> tuple[int, int]:
        gaps, previous = [], 0
        for start, end in spans + [(len(current), len(current))]:
            if start > previous:
                gaps.append((previous, start))
            previous = end
        if not gaps:
            return 0, 0
        start, end = self.rnd.choice(gaps)
        at = self.rnd.randint(start, end - 1)
        return at, self.rnd.randint(1, min(3, end - at))


def swapped_pairs(edits: list) -> list:
    """Out of order, the way a network reorders: each pair of neighbours swapped (u2 u1 u4 u3 …)."""
    out = []
    for i in range(0, len(edits) - 1, 2):
        out += [edits[i + 1], edits[i]]
    if len(edits) % 2:
        out.append(edits[-1])
    return out
