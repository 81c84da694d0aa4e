"""Comments on passages of a joint response: anchors checked against the live document, threads in text order.

The live room (`workspace/documents/rooms.py`) holds the document's current pycrdt Doc; it is brought
up to date from the database first (another process may hold newer edits), then read under its lock.
"""
from __future__ import annotations

import base64
import weakref
from contextlib import contextmanager
from dataclasses import dataclass

from workspace.comments import services
from workspace.comments.anchors import NOTHING_SELECTED, AnchorError, DocumentPositions, ResolvedRange, decode_anchor
from workspace.comments.models import QUOTE_MAX, Comment
from workspace.comments.views import thread_views
from workspace.documents.live import live_documents
from workspace.errors import ValidationError

GONE_MEANWHILE = "The words you selected were deleted meanwhile; select the passage again."


@contextmanager
def document_positions(document):
    """The document's current positions, read under its room's lock (hold it briefly)."""
    room = live_documents().rooms.get(document.id)
    with room.lock:
        room.catch_up()
        yield DocumentPositions(room.doc, room.text)


def comment_on_document(document, *, actor, body, anchor_start_b64, anchor_end_b64, quote=None) -> Comment:
    """Start a thread on a passage of `document`, after checking its anchor belongs to this document."""
    try:
        start, end = decode_anchor(anchor_start_b64), decode_anchor(anchor_end_b64)
        with document_positions(document) as positions:
            passage = positions.resolve(start, end)
            deleted = positions.position(start)[1] and positions.position(end)[1]
    except AnchorError as error:
        raise ValidationError({"anchor": str(error)}) from None
    if passage.removed:
        raise ValidationError({"anchor": GONE_MEANWHILE if deleted else NOTHING_SELECTED})
    if quote is None or (isinstance(quote, str) and not quote.strip()):
        quote = passage.text if len(passage.text) <= QUOTE_MAX else passage.text[:QUOTE_MAX - 1] + "…"
    return services.create_comment(space=document.space, actor=actor, body=body, document=document,
                                   anchor_start=start.encode(), anchor_end=end.encode(), quote=quote)


@dataclass
class PlacedThread:
    """A thread with where its passage is now (None when the anchor cannot be read any more)."""
    thread: Comment
    passage: ResolvedRange | None

    @property
    def removed(self) -> bool:
        return self.passage is not None and self.passage.removed

    @property
    def start_b64(self) -> str:
        return base64.b64encode(self.thread.anchor_start or b"").decode("ascii")

    @property
    def end_b64(self) -> str:
        return base64.b64encode(self.thread.anchor_end or b"").decode("ascii")


REPLIES_SHOWN = 2  # the document page opens long threads with their latest replies; the rest on request


def placed_threads(document, *, replies_shown: int | None = None) -> list[PlacedThread]:
    """The document's threads in the order their passages appear in the text (then oldest first).

    `replies_shown`: for a page, see views.thread_views (the API gives every reply).
    """
    threads = thread_views(document, replies_shown=replies_shown)  # lean, read-only (views.py)
    placed = []
    room = live_documents().rooms.get(document.id)
    with room.lock:
        room.catch_up()
        known, positions = _passages_now(room), None
        for thread in threads:
            key = (thread.anchor_start, thread.anchor_end)
            if known is not None and key in known:
                placed.append(PlacedThread(thread, known[key]))
                continue
            positions = positions or DocumentPositions(room.doc, room.text)
            passage = _passage(positions, thread)
            if known is not None:
                known[key] = passage
            placed.append(PlacedThread(thread, passage))
    end = float("inf")
    placed.sort(key=lambda p: (p.passage.start if p.passage else end, p.thread.id))
    return placed


# Where a passage is depends only on the document's state, and a room's state is named by its watermark when no
# update arrived out of order: opening a document with 50 threads again (bench/doc_comments.py) reuses the
# places found at that watermark instead of resolving 100 anchors. Any applied update moves the watermark.
_passages: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _passages_now(room) -> dict | None:
    """The passages already resolved at the room's current state, or None when its state has no one name."""
    if room._above:
        return None
    seen = _passages.get(room)
    if seen is None or seen[0] != room.watermark or seen[1] is not room.doc:
        seen = (room.watermark, room.doc, {})
        _passages[room] = seen
    return seen[2]


def _passage(positions: DocumentPositions, thread: Comment) -> ResolvedRange | None:
    if thread.anchor_start is None or thread.anchor_end is None:
        return None
    try:
        return positions.resolve(decode_anchor(thread.anchor_start), decode_anchor(thread.anchor_end))
    except AnchorError:
        return None
