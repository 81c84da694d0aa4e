"""Server-side edits of a pycrdt Text as a minimal diff, so a restore reads as an edit, not a rewrite.

pycrdt 0.14 indexes Text by UTF-8 *bytes* (and silently appends when an index falls inside a
character), while Python strings index by code points: every position is converted here.
"""
from difflib import SequenceMatcher

from pycrdt import Doc, Text


def _byte_offset(s: str, index: int) -> int:
    return len(s[:index].encode("utf-8"))


def edit_to(doc: Doc, text: Text, new: str) -> bytes:
    """Change `text` to read `new` with the fewest inserts and deletes; return the Yjs v1 update."""
    old = str(text)
    if old == new:
        return b""
    before = doc.get_state()
    ops = SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    with doc.transaction():
        # Apply from the end so earlier offsets stay valid.
        for tag, i1, i2, j1, j2 in reversed(ops):
            if tag == "equal":
                continue
            start, end = _byte_offset(old, i1), _byte_offset(old, i2)
            if tag in ("delete", "replace"):
                del text[start:end]
            if tag in ("insert", "replace"):
                text.insert(start, new[j1:j2])
    assert str(text) == new, "server-side edit did not produce the intended text"
    return doc.get_update(before)
