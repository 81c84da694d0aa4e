"""Mark glossary terms in safe HTML for one reader: a pure function of the HTML and a compiled term set.

The input is the output of the one sanitiser (workspace.sanitize.render_markdown). The output is
rebuilt by walking that HTML: tags are copied exactly as the sanitiser wrote them, text is
re-escaped, and the only markup added is built from constants and integers. So the annotator can
never turn safe HTML into unsafe HTML, whatever the terms or the text contain.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Iterable, NamedTuple

import ahocorasick
from markupsafe import Markup

TERM, FALSE_FRIEND, LOADED = "term", "false_friend", "loaded"
KIND_ORDER = (FALSE_FRIEND, LOADED, TERM)  # when one word is several terms, the sharpest warning wins

# Text inside these is never annotated: links (a button inside a link is invalid and confusing),
# code and preformatted text (exact by definition).
SKIP_TAGS = frozenset({"a", "code", "pre", "script", "style", "textarea", "button", "kbd", "samp"})
# "First occurrence per block": each of these starts a fresh set of already-marked terms.
BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dd", "dt",
                        "div", "section", "article", "pre", "table", "ul", "ol"})
VOID_TAGS = frozenset({"br", "hr", "img", "input", "wbr", "col", "area", "base", "link", "meta", "source",
                       "track", "embed", "param"})
_TAG_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class TermInfo:
    """What a mark points at: a term id, how to mark it, and its equivalent in the reader's words."""

    id: int
    kind: str = TERM
    replacement: str | None = None
    # (folded written form, replacement) where the written form's number differs from the
    # replacement's: "clients" → "patients" (see inflection.py)
    replacements: tuple = ()


class TermGroup(NamedTuple):
    """Every term one surface form stands for, with its mark's opening tag built once at compile time."""

    infos: tuple
    term_ids: tuple
    kind: str
    opening: str

    @classmethod
    def of(cls, infos) -> "TermGroup":
        infos = tuple(infos)
        kinds = {info.kind for info in infos}
        kind = next(k for k in KIND_ORDER if k in kinds or k == TERM)
        ids = " ".join(str(int(info.id)) for info in infos)
        css = "term" if kind == TERM else f"term term--{kind.replace('_', '-')}"
        opening = (f'<button type="button" class="{css}" data-term-ids="{ids}" data-kind="{kind}" '
                   f'aria-expanded="false" aria-describedby="glossary-hint-{kind.replace("_", "-")}">')
        return cls(infos, tuple(info.id for info in infos), kind, opening)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    group: TermGroup

    @property
    def infos(self) -> tuple[TermInfo, ...]:
        return self.group.infos

    @property
    def kind(self) -> str:
        return self.group.kind

    @property
    def term_ids(self) -> tuple[int, ...]:
        return self.group.term_ids


# --- case folding that keeps positions -------------------------------------------------------

class _FoldTable(dict):
    """Per-character lower-casing that never changes the length, so match offsets stay offsets."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        lower = char.lower()
        folded = lower if len(lower) == 1 else char
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_FOLD[ord("ς")] = "σ"  # final sigma reads as sigma


def fold(text: str) -> str:
    """Lower-case `text` one character at a time (str.lower can change lengths: 'İ' → 'i̇')."""
    return text.lower() if text.isascii() else text.translate(_FOLD)


def is_word_char(char: str) -> bool:
    """Letters, digits, underscore and combining marks are inside a word, in every script."""
    if char.isalnum() or char == "_":
        return True
    return not char.isascii() and unicodedata.category(char)[0] == "M"


# --- the compiled term set --------------------------------------------------------------------

@dataclass
class CompiledTerms:
    """An Aho–Corasick automaton over every surface form (term and aliases) of a reader's term set."""

    automaton: object | None
    infos: dict[int, TermInfo] = field(default_factory=dict)
    size: int = 0

    def find(self, text: str) -> list[Match]:
        """Whole-word, case-insensitive matches, longest first, never overlapping, in text order."""
        if self.automaton is None or not text:
            return []
        folded = fold(text)
        length = len(text)
        candidates = []
        for end, (size, starts_word, ends_word, group) in self.automaton.iter(folded):
            start = end - size + 1
            if starts_word and start > 0 and is_word_char(text[start - 1]):
                continue
            if ends_word and end + 1 < length and is_word_char(text[end + 1]):
                continue
            candidates.append((start, end + 1, group))
        if not candidates:
            return []
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))  # longest first, then leftmost
        taken = bytearray(length)
        chosen = []
        for start, end, group in candidates:
            if taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            chosen.append(Match(start, end, group))
        chosen.sort(key=lambda m: m.start)
        return chosen


def compile_terms(entries: Iterable[tuple[TermInfo, Iterable[str]]]) -> CompiledTerms:
    """Build the matcher from (term info, surface forms); one form may belong to several terms."""
    by_key: dict[str, list[TermInfo]] = {}
    infos: dict[int, TermInfo] = {}
    for info, forms in entries:
        infos[info.id] = info
        for form in forms:
            if not isinstance(form, str):
                continue
            form = form.strip()
            if not form:
                continue
            bucket = by_key.setdefault(fold(form), [])
            if info not in bucket:
                bucket.append(info)
    if not by_key:
        return CompiledTerms(None, infos, 0)
    automaton = ahocorasick.Automaton()
    groups: dict[tuple, TermGroup] = {}  # a term's forms share one group (and one built opening tag)
    for key, bucket in by_key.items():
        bucket = tuple(bucket)
        group = groups.get(bucket) or groups.setdefault(bucket, TermGroup.of(bucket))
        automaton.add_word(key, (len(key), is_word_char(key[0]), is_word_char(key[-1]), group))
    automaton.make_automaton()
    return CompiledTerms(automaton, infos, len(by_key))


# --- walking safe HTML -----------------------------------------------------------------------

class _Rewriter(HTMLParser):
    """Copy tags verbatim, hand each text run (unescaped) to `on_text`, which returns safe HTML."""

    def __init__(self, on_text):
        super().__init__(convert_charrefs=True)
        self.on_text = on_text
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip_depth = 0
        self.blocks: list[set] = [set()]

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in VOID_TAGS:
            return
        self.open.append(tag)
        if tag in SKIP_TAGS:
            self.skip_depth += 1
        if tag in BLOCK_TAGS:
            self.blocks.append(set())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if not _TAG_NAME.match(tag):
            return  # cannot come from the sanitiser; dropping it is the safe choice
        self.out.append(f"</{tag}>")
        if tag not in self.open:
            return
        while self.open:
            closed = self.open.pop()
            if closed in SKIP_TAGS:
                self.skip_depth -= 1
            if closed in BLOCK_TAGS and len(self.blocks) > 1:
                self.blocks.pop()
            if closed == tag:
                break

    def handle_data(self, data):
        if self.skip_depth > 0:
            self.out.append(escape(data, quote=False))
        else:
            self.out.append(self.on_text(data, self.blocks[-1]))

    # Comments, declarations and processing instructions never come out of the sanitiser: drop them.
    def handle_comment(self, data):
        pass

    def handle_decl(self, decl):
        pass

    def handle_pi(self, data):
        pass

    def unknown_decl(self, data):
        pass


def _rewrite(html: str, on_text) -> Markup:
    parser = _Rewriter(on_text)
    parser.feed(str(html))
    parser.close()
    return Markup("".join(parser.out))


def _spliced(text: str, matches: list[Match], render) -> str:
    """Escape `text`, replacing each match by `render(match, escaped matched text)`."""
    if not matches:
        return escape(text, quote=False)
    parts, cursor = [], 0
    for match in matches:
        parts.append(escape(text[cursor:match.start], quote=False))
        parts.append(render(match, text[match.start:match.end]))
        cursor = match.end
    parts.append(escape(text[cursor:], quote=False))
    return "".join(parts)


def _mark(match: Match, matched: str) -> str:
    return f"{match.group.opening}{escape(matched, quote=False)}</button>"


def annotate(html: str, terms: CompiledTerms, *, first_only: bool = True, used: set | None = None) -> Markup:
    """Mark the reader's foreign terms in sanitised HTML: never in links, code or attributes.

    `used`, when given, collects the ids of the terms marked (to render their popovers once).
    """
    if terms.automaton is None or not html:
        return Markup(html or "")

    def on_text(text: str, seen: set) -> str:
        matches = terms.find(text)
        if first_only:
            kept = []
            for match in matches:
                key = match.group.term_ids
                if key in seen:
                    continue
                seen.add(key)
                kept.append(match)
            matches = kept
        if used is not None:
            for match in matches:
                used.update(match.group.term_ids)
        return _spliced(text, matches, _mark)

    return _rewrite(html, on_text)


def _match_case(original: str, replacement: str) -> str:
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _in_my_words(match: Match, matched: str) -> str:
    info = next((i for i in match.infos if i.replacement), None)
    if info is None:
        return escape(matched, quote=False)
    folded = fold(matched)
    replacement = next((r for form, r in info.replacements if form == folded), info.replacement)
    mine = _match_case(matched, replacement)
    return ('<span class="in-my-words" tabindex="0">'
            f'<span class="in-my-words__mine">{escape(mine, quote=False)}</span>'
            f'<span class="in-my-words__original"> (written: {escape(matched, quote=False)})</span></span>')


def read_in_my_words(html: str, terms: CompiledTerms) -> Markup:
    """Replace every term that has an equivalent in the reader's community by that equivalent."""
    if terms.automaton is None or not html:
        return Markup(html or "")
    return _rewrite(html, lambda text, _seen: _spliced(text, terms.find(text), _in_my_words))


def text_content(html: str) -> str:
    """The text a reader sees in `html` (for tests and the benchmark)."""
    chunks: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = chunks.append
    parser.feed(str(html))
    parser.close()
    return "".join(chunks)
