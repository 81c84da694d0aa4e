"""A readable word-level diff between two texts, as safe HTML (<ins>/<del>, everything escaped)."""
import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_TOKENS = re.compile(r"\s+|[^\s]+")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def render_diff(old: str, new: str) -> Markup:
    a, b = _tokens(old), _tokens(new)
    parts = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(escape("".join(a[i1:i2])))
        if tag in ("delete", "replace"):
            parts.append(Markup('<del aria-label="removed">{}</del>').format("".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(Markup('<ins aria-label="added">{}</ins>').format("".join(b[j1:j2])))
    return Markup('<pre class="diff">{}</pre>').format(Markup("").join(parts))


def changed(old: str, new: str) -> tuple[int, int]:
    """(words added, words removed), for a one-line summary."""
    a, b = [t for t in _tokens(old) if not t.isspace()], [t for t in _tokens(new) if not t.isspace()]
    added = removed = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            removed += i2 - i1
        if tag in ("insert", "replace"):
            added += j2 - j1
    return added, removed
