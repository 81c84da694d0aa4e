"""Reading across communities: which terms a reader sees marked in a space, compiled once and cached.

The compiled matcher depends only on the space's convened communities, the community the reader
reads as, and the glossaries' versions (bumped on every term or bridge change), so it is cached
under exactly that key: a change anywhere makes a new key, on every process, with no messages.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from workspace import policy
from workspace.communities.models import Community, Membership
from workspace.extensions import db
from workspace.glossary import annotate as annotator
from workspace.glossary.common_words import is_common_word
from workspace.glossary.inflection import replacements_for
from workspace.glossary.models import DISPUTED, EQUIVALENT, FALSE_FRIEND, LOADED, Bridge, Term
from workspace.glossary.services import bridges_among, glossary_versions, reader_preference

CACHE_SIZE = 256
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()

# SKOS reading of a bridge A→B: "broader" means B is broader than A. Seen from B, it is the inverse.
INVERSE = {"broader": "narrower", "narrower": "broader", "equivalent": "equivalent", "related": "related",
           "false_friend": "false_friend"}


@dataclass(frozen=True)
class CompiledGlossary:
    terms: annotator.CompiledTerms
    known_forms: frozenset  # folded surface forms of every convened glossary (acronyms found nowhere get a hint)


@dataclass
class ReadingContext:
    """One reader in one space: the communities they may read as, the chosen one, and the matcher."""

    space_id: int
    reading_as: Community | None
    choices: list
    enabled: bool
    compiled: CompiledGlossary
    used: set = field(default_factory=set)

    def annotate(self, html: Markup) -> Markup:
        """Mark foreign terms in sanitised HTML (the markdown filter's `annotate=` hook)."""
        if not self.enabled:
            return html
        result = annotator.annotate(html, self.compiled.terms, used=self.used)
        return result

    def in_my_words(self, html: Markup) -> Markup:
        """Replace terms that have an equivalent in the reader's community by that equivalent."""
        return annotator.read_in_my_words(html, self.compiled.terms)

    @property
    def has_equivalents(self) -> bool:
        return any(info.replacement for info in self.compiled.terms.infos.values())


def reading_choices(user, space) -> list[Community]:
    """The reader's communities among those the space convenes, by name."""
    ids = [link.community_id for link in space.convened]
    if not policy.is_signed_in(user):
        return []
    return list(db.session.scalars(select(Community).join(Membership).where(
        Membership.user_id == user.id, Community.id.in_(ids)).order_by(Community.name)))


def context_for(space, user) -> ReadingContext:
    """Build (or fetch from the cache) what `user` sees marked when reading in `space`."""
    choices = reading_choices(user, space)
    preference = reader_preference(user)
    reading_as = None
    if choices:
        chosen = preference.reading_community_id if preference else None
        reading_as = next((c for c in choices if c.id == chosen), choices[0])
    enabled = preference.annotations_enabled if preference else True
    convened = tuple(sorted(link.community_id for link in space.convened))
    versions = glossary_versions(convened)
    key = (space.id, reading_as.id if reading_as else None, tuple(versions[c] for c in convened), convened)
    with _cache_lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
    if compiled is None:
        compiled = compile_for(convened, reading_as.id if reading_as else None)
        with _cache_lock:
            _cache[key] = compiled
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return ReadingContext(space.id, reading_as, choices, enabled, compiled)


def compile_for(convened, reading_as_id) -> CompiledGlossary:
    """The matcher for a reader of `reading_as_id` (None: reads every convened community as foreign)."""
    terms = list(db.session.scalars(select(Term).where(Term.community_id.in_(convened), Term.approved.is_(True))))
    by_id = {t.id: t for t in terms}
    bridges = bridges_among(convened)
    entries, known = [], set()
    for term in terms:
        forms = [term.term, *(term.aliases or [])]
        known.update(annotator.fold(f.strip()) for f in forms)
        if term.community_id == reading_as_id:
            continue
        kind = LOADED if term.status == LOADED else annotator.TERM
        replacement, replacements = None, ()
        for bridge in bridges:
            if term.id not in (bridge.from_term_id, bridge.to_term_id):
                continue
            other = by_id.get(bridge.to_term_id if bridge.from_term_id == term.id else bridge.from_term_id)
            if other is None or (reading_as_id is not None and other.community_id != reading_as_id):
                continue
            if bridge.relation == FALSE_FRIEND:
                kind = FALSE_FRIEND
            elif bridge.relation == EQUIVALENT and bridge.status != DISPUTED and reading_as_id is not None:
                replacement = other.term
                replacements = tuple((annotator.fold(form), mine) for form, mine in
                                     replacements_for(forms, other.term, [other.term, *(other.aliases or [])]))
        entries.append((annotator.TermInfo(term.id, kind, replacement, replacements), forms))
    return CompiledGlossary(annotator.compile_terms(entries), frozenset(known))


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


@event.listens_for(Session, "after_commit")
def _bump_kept(session) -> None:
    session.info.pop("glossary_versions_bumped", None)


@event.listens_for(Session, "after_rollback")
def _bump_undone(session) -> None:
    """A rolled-back bump frees its version numbers for different content: drop what used them."""
    if session.info.pop("glossary_versions_bumped", None):
        clear_cache()


# --- what a popover says -------------------------------------------------------------------------

@dataclass
class BridgeView:
    relation: str      # seen from the marked term: "broader" = the other term is broader
    other: Term
    status: str
    note: str
    waiting_for: list = field(default_factory=list)  # communities yet to confirm a proposed bridge


def popover_entries(ctx: ReadingContext, term_ids=None) -> list[dict]:
    """For each marked term: the term, its community, and its bridges into the reader's community."""
    ids = sorted(ctx.used if term_ids is None else term_ids)
    if not ids:
        return []
    terms = list(db.session.scalars(select(Term).where(Term.id.in_(ids)).order_by(Term.id)))
    bridges = list(db.session.scalars(select(Bridge).where(
        (Bridge.from_term_id.in_(ids)) | (Bridge.to_term_id.in_(ids))).order_by(Bridge.id)))
    entries = []
    for term in terms:
        views = []
        for bridge in bridges:
            if term.id == bridge.from_term_id:
                other, relation = bridge.to_term, bridge.relation
            elif term.id == bridge.to_term_id:
                other, relation = bridge.from_term, INVERSE[bridge.relation]
            else:
                continue
            if ctx.reading_as is not None and other.community_id != ctx.reading_as.id:
                continue
            views.append(BridgeView(relation, other, bridge.status, bridge.note, bridge.waiting_for))
        info = ctx.compiled.terms.infos.get(term.id)
        entries.append({"term": term, "bridges": views, "kind": info.kind if info else annotator.TERM})
    return entries


# --- jargon hints while writing ------------------------------------------------------------------

ACRONYM = re.compile(r"(?<![\w])[A-Z][A-Z0-9]{1,9}(?![\w])")


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def jargon_hints(text: str, ctx: ReadingContext) -> list[dict]:
    """Gentle hints for a writer: other communities' loaded terms and false friends, unknown acronyms."""
    if not isinstance(text, str) or not text:
        return []
    hints = []
    matches = ctx.compiled.terms.find(text)
    flagged = [m for m in matches if m.kind in (FALSE_FRIEND, LOADED)]
    entries = {e["term"].id: e for e in popover_entries(ctx, {i for m in flagged for i in m.term_ids})}
    for match in flagged:
        terms = [entries[i] for i in match.term_ids if i in entries]
        if not terms:
            continue
        entry = terms[0]
        term = entry["term"]
        word = text[match.start:match.end]
        if match.kind == FALSE_FRIEND:
            bridge = next((b for b in entry["bridges"] if b.relation == FALSE_FRIEND), None)
            message = (f"“{word}” is a false friend: in {term.community.name} it means something else"
                       + (f" ({bridge.note})" if bridge and bridge.note else "") + ".")
        else:
            message = f"{term.community.name} hears “{word}” as loaded: {term.loaded_note}"
        hints.append({"kind": match.kind, "start": match.start, "end": match.end,
                      "utf16_start": _utf16(text, match.start), "utf16_end": _utf16(text, match.end),
                      "text": word, "term_id": term.id, "community": term.community.name, "message": message,
                      "bridges": [{"relation": b.relation, "term": b.other.term, "term_id": b.other.id,
                                   "community": b.other.community.name, "status": b.status}
                                  for b in entry["bridges"]]})
    taken = [(m.start, m.end) for m in matches]
    for found in ACRONYM.finditer(text):
        start, end = found.span()
        if annotator.fold(found.group()) in ctx.compiled.known_forms:
            continue
        if is_common_word(found.group()):
            continue  # "MUST", "NOT": an ordinary word written in capitals, not an acronym
        if any(s < end and start < e for s, e in taken):
            continue
        hints.append({"kind": "unknown_acronym", "start": start, "end": end,
                      "utf16_start": _utf16(text, start), "utf16_end": _utf16(text, end),
                      "text": found.group(), "term_id": None, "community": None,
                      "message": f"“{found.group()}” is in no glossary here: other communities may not know it. "
                                 "Spell it out, or add it to your glossary.", "bridges": []})
    hints.sort(key=lambda h: h["start"])
    return hints
