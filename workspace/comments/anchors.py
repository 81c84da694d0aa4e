"""Anchors of document comments: Yjs relative positions, checked and resolved against the live document.

A comment on a passage stores two Yjs relative positions (`Y.encodeRelativePosition`), made by the
browser with `Y.createRelativePositionFromTypeIndex` on the document's `Y.Text`:
- the start sticks to the first character of the passage (assoc 0, "after"),
- the end sticks to the last character of the passage (assoc -1, "before"),
so text typed just outside the passage stays outside, and everyone's edits move the passage with it.

Why not simply `pycrdt.StickyIndex.get_index()`: in pycrdt 0.14.13 it adds the offset *inside* the
item it points into in UTF-16 units to the length of the items to its left in UTF-8 *bytes*, so any
non-ASCII character before the anchor shifts it (see TOOLCHAIN.md and pycrdt issue #382), and it
panics (a BaseException) on bytes that do not decode or on an item the document lacks. So here:
- anchors are decoded by our own strict lib0 reader, never by pycrdt's panicking one;
- an anchor belongs to the document when its item id is in the document's own history (its state
  vector), which refuses another document's anchor;
- the position is pycrdt's offset with the in-item part corrected: the document's state is read once
  (its blocks per client, with their text in UTF-16 units) so the in-item offset is known, and
  `get_index()` of the block's own first character gives the exact byte offset of its start.
The resolved range is given in code points (Python) and in UTF-16 units (JavaScript).
"""
from __future__ import annotations

import base64
import binascii
import bisect
import re
from dataclasses import dataclass

from pycrdt import Doc, StickyIndex, Text

ASSOC_AFTER = 0
ASSOC_BEFORE = -1
MAX_ANCHOR_BYTES = 64  # a relative position to an item is three varints: a few dozen bytes at most
_LOW_SURROGATES = re.compile("[\udc00-\udfff]")


class AnchorError(ValueError):
    """An anchor that cannot be used for this document; the message is meant for the person."""


UNREADABLE = ("The comment's position in the text could not be read. Send the start and end of the "
              "passage as base64-encoded Yjs relative positions.")
NOT_HERE = ("The comment's position is not in this document: it was made on another document, or on "
            "text that has not reached the server yet. Reload the document and select the passage again.")
NOTHING_SELECTED = "Select the words you want to comment on: the passage is empty."


# --- lib0 decoding ----------------------------------------------------------------------------------
class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def done(self) -> bool:
        return self.pos >= len(self.data)

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise AnchorError(UNREADABLE)
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varuint(self) -> int:
        value, shift = 0, 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if b < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise AnchorError(UNREADABLE)

    def varint(self) -> int:
        b = self.byte()
        negative = bool(b & 0x40)
        value, shift = b & 0x3F, 6
        while b & 0x80:
            b = self.byte()
            value |= (b & 0x7F) << shift
            shift += 7
            if shift > 63:
                raise AnchorError(UNREADABLE)
        return -value if negative else value

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise AnchorError(UNREADABLE)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def string(self) -> str:
        return self.raw(self.varuint()).decode("utf-8", "surrogatepass")


# --- anchors ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Anchor:
    """A relative position that points at one character (an item id) of the document's text."""
    client: int
    clock: int
    assoc: int

    def encode(self) -> bytes:
        return bytes([0]) + _varuint(self.client) + _varuint(self.clock) + _varint(self.assoc)

    def b64(self) -> str:
        return base64.b64encode(self.encode()).decode("ascii")


def _varuint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _varint(n: int) -> bytes:
    negative, n = n < 0, abs(n)
    out = bytearray([(n & 0x3F) | (0x40 if negative else 0) | (0x80 if n > 0x3F else 0)])
    n >>= 6
    while n:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
    return bytes(out)


def decode_anchor(value: str | bytes | None) -> Anchor:
    """Read one base64 (or raw) Yjs relative position; refuse anything but a position on a character."""
    if value is None or value == "" or value == b"":
        raise AnchorError(UNREADABLE)
    if isinstance(value, str):
        try:
            data = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise AnchorError(UNREADABLE) from None
    else:
        data = bytes(value)
    if not data or len(data) > MAX_ANCHOR_BYTES:
        raise AnchorError(UNREADABLE)
    reader = _Reader(data)
    if reader.varuint() != 0:
        # 1 = "start/end of a named type", 2 = "of a nested type": not a passage of the text.
        raise AnchorError(UNREADABLE)
    client, clock = reader.varuint(), reader.varuint()
    assoc = reader.varint() if not reader.done() else ASSOC_AFTER  # Yjs before 13.5 wrote no assoc
    if not reader.done() or assoc not in (ASSOC_AFTER, ASSOC_BEFORE) or client >= 2 ** 53:
        raise AnchorError(UNREADABLE)
    return Anchor(client, clock, assoc)


# --- the document's blocks ----------------------------------------------------------------------------
@dataclass
class _Block:
    clock: int          # first clock of the block
    length: int         # in clock units (UTF-16 code units for text)
    units: str | None   # the text as UTF-16 code units (one str char per unit), None when not text


def _utf16_units(s: str) -> str:
    """The string as one character per UTF-16 code unit (surrogates kept), so indexes match Yjs clocks."""
    if not s or max(s) <= "\uffff":
        return s  # no pairs: one character is one unit already (the usual case, and C-speed)
    raw = s.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(raw[i:i + 2], "little")) for i in range(0, len(raw), 2))


def _read_blocks(update: bytes) -> tuple[dict[int, list[_Block]], dict[int, list[tuple[int, int]]]]:
    """Parse a Yjs v1 update into each client's blocks (in clock order) and its delete set."""
    r = _Reader(update)
    blocks: dict[int, list[_Block]] = {}
    for _ in range(r.varuint()):
        count, client, clock = r.varuint(), r.varuint(), r.varuint()
        mine = blocks.setdefault(client, [])
        for _ in range(count):
            info = r.byte()
            ref = info & 0x1F
            if ref == 0 or ref == 10:  # GC / Skip: a length only
                length = r.varuint()
                mine.append(_Block(clock, length, None))
                clock += length
                continue
            if info & 0x80:
                r.varuint(), r.varuint()
            if info & 0x40:
                r.varuint(), r.varuint()
            if not info & 0xC0:
                if r.varuint() == 1:
                    r.string()
                else:
                    r.varuint(), r.varuint()
                if info & 0x20:
                    r.string()
            units, length = None, 1
            if ref == 1:            # deleted content
                length = r.varuint()
            elif ref == 2:          # JSON values
                length = r.varuint()
                for _ in range(length):
                    r.string()
            elif ref == 3:          # binary
                r.raw(r.varuint())
            elif ref == 4:          # string
                units = _utf16_units(r.string())
                length = len(units)
            elif ref == 5:          # embed
                r.string()
            elif ref == 6:          # format
                r.string(), r.string()
                # formats occupy one clock and no text
            elif ref == 7:          # a nested type
                if r.varuint() in (3, 5):
                    r.string()
            else:                   # Any / subdocument: never written by Convene's editor
                raise AnchorError(NOT_HERE)
            mine.append(_Block(clock, length, units))
            clock += length
    deleted: dict[int, list[tuple[int, int]]] = {}
    for _ in range(r.varuint()):
        client = r.varuint()
        ranges = deleted.setdefault(client, [])
        for _ in range(r.varuint()):
            start = r.varuint()
            ranges.append((start, start + r.varuint()))
    for ranges in deleted.values():
        ranges.sort()
    return blocks, deleted


@dataclass(frozen=True)
class ResolvedRange:
    """Where a passage is now: code-point and UTF-16 offsets, or removed (its text was deleted)."""
    start: int
    end: int
    start_utf16: int
    end_utf16: int
    removed: bool
    text: str

    def as_json(self) -> dict:
        return {"start": self.start, "end": self.end, "start_utf16": self.start_utf16,
                "end_utf16": self.end_utf16, "removed": self.removed}


class DocumentPositions:
    """One reading of a document's state, to check and resolve many anchors against it.

    Build it while holding the room's lock (a pycrdt Doc has one transaction slot) and use it before
    the document changes again.
    """

    def __init__(self, doc: Doc, text: Text):
        self.doc = doc
        self.text = text
        self.string = str(text)
        self.utf8 = self.string.encode("utf-8")
        try:
            self.blocks, self.deleted = _read_blocks(doc.get_update())
        except AnchorError:
            self.blocks, self.deleted = {}, {}
        self._starts = {client: [b.clock for b in bs] for client, bs in self.blocks.items()}

    # -- ownership --
    def _block(self, anchor: Anchor) -> _Block | None:
        starts = self._starts.get(anchor.client)
        if not starts:
            return None
        i = bisect.bisect_right(starts, anchor.clock) - 1
        if i < 0:
            return None
        block = self.blocks[anchor.client][i]
        if anchor.clock >= block.clock + block.length:
            return None
        return block

    def check(self, anchor: Anchor) -> None:
        """Refuse an anchor whose character is not part of this document's text."""
        block = self._block(anchor)
        if block is None or (block.units is None and not self._is_deleted(anchor.client, anchor.clock)):
            raise AnchorError(NOT_HERE)

    def _is_deleted(self, client: int, clock: int) -> bool:
        ranges = self.deleted.get(client, ())
        i = bisect.bisect_right(ranges, (clock, float("inf"))) - 1
        return i >= 0 and ranges[i][0] <= clock < ranges[i][1]

    # -- positions --
    def _offset(self, client: int, clock: int, assoc: int) -> int:
        """pycrdt's own (mixed-unit) offset for a position; the caller corrects the in-item part."""
        sticky = StickyIndex.from_json({"item": {"client": client, "clock": clock}, "assoc": assoc})
        try:
            with self.doc.transaction() as txn:
                return sticky.get_index(txn)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # pyo3 PanicException: never let a bad anchor take the request down
            raise AnchorError(NOT_HERE) from None

    def _deleted_ranges(self, client: int, start: int, end: int) -> list[tuple[int, int]]:
        """The deleted clock ranges of `client` that overlap [start, end), clipped to it."""
        ranges = self.deleted.get(client, ())
        i = max(0, bisect.bisect_right(ranges, (start, float("inf"))) - 1)
        out = []
        while i < len(ranges) and ranges[i][0] < end:
            lo, hi = max(ranges[i][0], start), min(ranges[i][1], end)
            if lo < hi:
                out.append((lo, hi))
            i += 1
        return out

    def _first_visible(self, client: int, start: int, limit: int) -> int:
        for lo, hi in self._deleted_ranges(client, start, limit):
            if lo > start:
                break
            start = hi
        return min(start, limit)

    def _visible_units(self, client: int, block: _Block, start: int, end: int) -> str:
        """The block's units in [start, end) that are not deleted (a C-speed slice in the usual case)."""
        pieces, at = [], start
        for lo, hi in self._deleted_ranges(client, start, end):
            pieces.append(block.units[at - block.clock:lo - block.clock])
            at = hi
        pieces.append(block.units[at - block.clock:end - block.clock])
        return "".join(pieces)

    def _code_points(self, byte_offset: int) -> int:
        return len(self.utf8[:byte_offset].decode("utf-8", "replace"))

    def position(self, anchor: Anchor) -> tuple[int, bool]:
        """The anchor's current place in code points, and whether its character was deleted."""
        self.check(anchor)
        if self._is_deleted(anchor.client, anchor.clock):
            # pycrdt counts only the visible text left of a deleted item, in bytes: exact.
            return self._code_points(self._offset(anchor.client, anchor.clock, ASSOC_AFTER)), True
        block = self._block(anchor)
        # The first character of this block: no in-item part, so its offset is exact (in bytes).
        # A block can be partly deleted: start from the first visible clock at or before ours.
        head = self._first_visible(anchor.client, block.clock, anchor.clock)
        start_bytes = self._offset(anchor.client, head, ASSOC_AFTER)
        visible = self._visible_units(anchor.client, block, head, anchor.clock)
        chars_before = len(visible) - len(_LOW_SURROGATES.findall(visible))
        if visible and _is_low_surrogate(block.units[anchor.clock - block.clock]):
            chars_before -= 1  # on the second half of a pair: the character began one unit earlier
        at = self._code_points(start_bytes) + chars_before
        if anchor.assoc == ASSOC_BEFORE:
            at += 1  # just after the character it sticks to
        return min(at, len(self.string)), False

    def resolve(self, start: Anchor, end: Anchor) -> ResolvedRange:
        """The passage between two anchors now; removed when nothing of it is left or both its first and
        last characters were deleted (text typed in their place is not what the comment was about)."""
        s, start_deleted = self.position(start)
        e, end_deleted = self.position(end)
        removed = e <= s or (start_deleted and end_deleted)
        if removed:
            e = s
        return ResolvedRange(s, e, self.utf16(s), self.utf16(e), removed, self.string[s:e])

    def utf16(self, code_points: int) -> int:
        return len(self.string[:code_points].encode("utf-16-le", "surrogatepass")) // 2

    # -- making anchors (tests, the demo, server-side tools) --
    def anchor_at(self, index: int, assoc: int = ASSOC_AFTER) -> Anchor:
        """The anchor on the character at code point `index` (assoc after) or before it (assoc before)."""
        target = index if assoc == ASSOC_AFTER else index - 1
        if not 0 <= target < len(self.string):
            raise AnchorError(NOTHING_SELECTED)
        for client, blocks in self.blocks.items():
            for block in blocks:
                if block.units is None:
                    continue
                # Each run of visible units is contiguous in the text: place its first, count the rest.
                i = 0
                while i < block.length:
                    if self._is_deleted(client, block.clock + i):
                        i += 1
                        continue
                    run_start = i
                    while i < block.length and not self._is_deleted(client, block.clock + i):
                        i += 1
                    at, _ = self.position(Anchor(client, block.clock + run_start, ASSOC_AFTER))
                    for u in range(run_start, i):
                        unit = block.units[u]
                        if _is_low_surrogate(unit):
                            continue
                        if at == target:
                            clock = block.clock + u
                            if assoc == ASSOC_BEFORE and u + 1 < i and _is_high_surrogate(unit):
                                clock += 1  # the end of a pair is its second half, as Yjs makes it
                            return Anchor(client, clock, assoc)
                        at += 1
        raise AnchorError(NOTHING_SELECTED)

    def anchors_for(self, start: int, end: int) -> tuple[Anchor, Anchor]:
        """Anchors for the passage [start, end) in code points, as the editor makes them."""
        if end <= start:
            raise AnchorError(NOTHING_SELECTED)
        return self.anchor_at(start, ASSOC_AFTER), self.anchor_at(end, ASSOC_BEFORE)


def _is_low_surrogate(unit: str) -> bool:
    return 0xDC00 <= ord(unit) <= 0xDFFF


def _is_high_surrogate(unit: str) -> bool:
    return 0xD800 <= ord(unit) <= 0xDBFF
