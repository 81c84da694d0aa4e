"""Glossaries: propose, approve and edit terms with their history; propose, confirm and dispute bridges."""
import logging
import unicodedata

from sqlalchemy import or_, select, update

from workspace import policy
from workspace.accounts.models import User
from workspace.communities.models import Community
from workspace.database import utcnow
from workspace.errors import Conflict, ValidationError
from workspace.events import pending, publish, room_for
from workspace.extensions import db
from workspace.glossary.models import (APPLIED, CONFIRMED, DISPUTED, LOADED, PENDING, PROPOSED, REJECTED,
                                       RELATIONS, TERM_STATUSES, Bridge, BridgeConfirmation, GlossarySettings,
                                       ReaderPreference, Term, TermRevision)
from workspace.spaces.models import DECLINED, Space, SpaceCommunity
from workspace.validation import LONG_TEXT_MAX, FieldErrors

log = logging.getLogger("convene.glossary")

TERM_MAX = 80
MAX_ALIASES = 20
NOTE_MAX = 2_000
RELATION_LABELS = {"equivalent": "equivalent", "broader": "broader", "narrower": "narrower",
                   "related": "related", "false_friend": "false friend"}
STATUS_LABELS = {"active": "active", "deprecated": "deprecated", "loaded": "loaded"}


def term_key(text: str) -> str:
    """The form two spellings of one term share: NFKC-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# --- settings and change notification ----------------------------------------------------------

def settings_for(community: Community) -> GlossarySettings:
    settings = db.session.get(GlossarySettings, community.id)
    if settings is None:
        settings = GlossarySettings(community_id=community.id, members_edit_directly=False, version=0)
        db.session.add(settings)
        db.session.flush()
    return settings


def set_members_edit_directly(community: Community, *, enabled: bool, actor: User) -> GlossarySettings:
    """Let members edit the glossary without a steward's approval (or require it again)."""
    settings = settings_for(community)
    settings.members_edit_directly = bool(enabled)
    db.session.flush()
    log.info("glossary of %s: members edit directly = %s (by %s)", community.slug, enabled, actor.id)
    return settings


def glossary_versions(community_ids) -> dict[int, int]:
    rows = db.session.execute(select(GlossarySettings.community_id, GlossarySettings.version).where(
        GlossarySettings.community_id.in_(list(community_ids))))
    versions = {cid: 0 for cid in community_ids}
    versions.update({cid: v for cid, v in rows})
    return versions


def spaces_involving(community_ids) -> list[Space]:
    return list(db.session.scalars(select(Space).where(Space.status != DECLINED, Space.id.in_(
        select(SpaceCommunity.space_id).where(SpaceCommunity.community_id.in_(list(community_ids)))))
        .order_by(Space.id)))


def _changed(community_ids, change: str, **ids) -> None:
    """Bump the glossaries' versions (the matcher cache key) and tell every space involving them."""
    community_ids = sorted(set(community_ids))
    for cid in community_ids:
        if db.session.get(GlossarySettings, cid) is None:
            db.session.add(GlossarySettings(community_id=cid, members_edit_directly=False, version=0))
    db.session.flush()
    db.session.execute(update(GlossarySettings).where(GlossarySettings.community_id.in_(community_ids))
                       .values(version=GlossarySettings.version + 1))
    # If this transaction rolls back, its version numbers will be handed out again for other content:
    # the reading cache must then forget what it compiled under them (see reading.py).
    db.session.info["glossary_versions_bumped"] = True
    already = {e.room for e in pending() if not callable(e) and e.name == "glossary_changed"}
    for space in spaces_involving(community_ids):
        if room_for(space) in already:
            continue  # one notice per space per transaction is enough: clients re-fetch everything
        publish("glossary_changed", {"space_id": space.id, "community_ids": community_ids, "change": change, **ids},
                room=room_for(space))


# --- terms ---------------------------------------------------------------------------------------

def list_terms(community: Community, *, include_pending: bool = False) -> list[Term]:
    query = select(Term).where(Term.community_id == community.id)
    if not include_pending:
        query = query.where(Term.approved.is_(True))
    return sorted(db.session.scalars(query), key=lambda t: term_key(t.term))


def find_term(community: Community, text: str) -> Term | None:
    return db.session.scalar(select(Term).where(Term.community_id == community.id,
                                                Term.term_key == term_key(text)))


def _aliases(errors: FieldErrors, value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        errors.add("aliases", "Aliases must be a list of texts.")
        return []
    aliases, keys = [], set()
    for raw in value:
        alias = raw.strip()
        if not alias:
            continue
        if "\x00" in alias:
            errors.add("aliases", "An alias contains a character that cannot be stored (NUL).")
            return []
        if len(alias) > TERM_MAX:
            errors.add("aliases", f"Each alias must be at most {TERM_MAX} characters (“{alias[:20]}…” has {len(alias)}).")
            return []
        key = term_key(alias)
        if key in keys:
            errors.add("aliases", f"The alias “{alias}” is listed twice.")
            return []
        keys.add(key)
        aliases.append(alias)
    if len(aliases) > MAX_ALIASES:
        errors.add("aliases", f"Give at most {MAX_ALIASES} aliases.")
    return aliases


def normalised_fields(community: Community, data: dict, *, current: Term | None = None) -> dict:
    """Validate every field of a term at once; `current` is the term being edited (not a duplicate of itself)."""
    errors = FieldErrors()
    text = errors.text("term", data.get("term"), label="Term", max_length=TERM_MAX, min_length=1)
    aliases = _aliases(errors, data.get("aliases"))
    definition = errors.text("definition", data.get("definition"), label="Definition", max_length=LONG_TEXT_MAX)
    example = errors.text("example", data.get("example"), label="Example", max_length=LONG_TEXT_MAX,
                          required=False)
    status = data.get("status") or "active"
    errors.choice("status", status, TERM_STATUSES, label="Status")
    loaded_note = errors.text("loaded_note", data.get("loaded_note"), label="Why it is loaded",
                              max_length=NOTE_MAX, required=False)
    if status == LOADED and not loaded_note and "loaded_note" not in errors.errors:
        errors.add("loaded_note", "Say why this term is loaded: what might another community hear in it?")
    if text and "term" not in errors.errors:
        key = term_key(text)
        if any(term_key(a) == key for a in aliases):
            errors.add("aliases", "An alias cannot repeat the term itself.")
        existing = find_term(community, text)
        if existing is not None and (current is None or existing.id != current.id):
            state = "" if existing.approved else " (awaiting a steward's approval)"
            errors.add("term", f"“{existing.term}” is already in the {community.name} glossary{state}; "
                               "terms are compared ignoring case and Unicode variants.")
    errors.raise_if_any()
    return {"term": text, "aliases": aliases, "definition": definition, "example": example, "status": status,
            "loaded_note": loaded_note if status == LOADED else ""}


def _apply(term: Term, fields: dict) -> None:
    for name, value in fields.items():
        setattr(term, name, value)
    term.term_key = term_key(fields["term"])
    term.updated_at = utcnow()


def create_term(community: Community, *, data: dict, actor: User) -> Term:
    """Add a term: at once for stewards (or members when the community allows), else as a proposal."""
    fields = normalised_fields(community, data)
    direct = policy.can_edit_terms_directly(actor, community)
    term = Term(community_id=community.id, approved=direct, version=1, created_by_id=actor.id)
    _apply(term, fields)
    db.session.add(term)
    db.session.flush()
    db.session.add(TermRevision(term_id=term.id, state=APPLIED if direct else PENDING, base_version=0,
                                summary="created" if direct else "proposed", actor_id=actor.id, **fields))
    db.session.flush()
    if direct:
        _changed([community.id], "term_created", term_id=term.id)
    log.info("term %s %s in %s by %s", term.id, "created" if direct else "proposed", community.slug, actor.id)
    return term


def update_term(term: Term, *, data: dict, version, actor: User) -> TermRevision:
    """Change a term, or propose the change; a write based on an older version is refused (409)."""
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationError({"version": "Give the version of the term you edited (a number)."})
    merged = {**term_fields_of(term), **{k: v for k, v in data.items() if k in term_fields_of(term)}}
    fields = normalised_fields(term.community, merged, current=term)
    if version != term.version:
        from workspace.glossary.schemas import term_json
        raise Conflict(f"“{term.term}” was changed by someone else since you opened it; "
                       "your edit is not saved. Review the current text and edit again.",
                       current=term_json(term))
    direct = term.approved and policy.can_edit_terms_directly(actor, term.community)
    revision = TermRevision(term_id=term.id, state=APPLIED if direct else PENDING, base_version=term.version,
                            summary="edited" if direct else "proposed edit", actor_id=actor.id, **fields)
    db.session.add(revision)
    if direct:
        _apply(term, fields)
        term.version += 1
        db.session.flush()
        _changed([term.community_id], "term_updated", term_id=term.id)
    db.session.flush()
    return revision


def term_fields_of(term: Term) -> dict:
    """The editable fields of a term, as a service would receive them."""
    return {"term": term.term, "aliases": list(term.aliases or []), "definition": term.definition,
            "example": term.example, "status": term.status, "loaded_note": term.loaded_note}


def pending_revisions(community: Community) -> list[TermRevision]:
    return list(db.session.scalars(select(TermRevision).join(Term, TermRevision.term_id == Term.id).where(
        Term.community_id == community.id, TermRevision.state == PENDING).order_by(TermRevision.id)))


def approve_revision(revision: TermRevision, *, actor: User) -> Term:
    """A steward accepts a member's proposal: it becomes the term's current text."""
    term = revision.term_entry
    if revision.state != PENDING:
        raise ValidationError({"revision": "This proposal was already decided."})
    if term.approved and revision.base_version != term.version:
        raise ValidationError({"revision": f"“{term.term}” changed after this proposal was written; "
                                           "reject it and ask for a new one based on the current text."})
    fields = normalised_fields(term.community, revision.fields, current=term)
    _apply(term, fields)
    change = "term_updated" if term.approved else "term_created"
    if term.approved:
        term.version += 1
    term.approved = True
    revision.state = APPLIED
    revision.decided_by_id = actor.id
    revision.decided_at = utcnow()
    db.session.flush()
    _changed([term.community_id], change, term_id=term.id)
    return term


def reject_revision(revision: TermRevision, *, actor: User) -> None:
    """A steward declines a proposal; a proposed new term disappears with it."""
    if revision.state != PENDING:
        raise ValidationError({"revision": "This proposal was already decided."})
    term = revision.term_entry
    if not term.approved:
        db.session.delete(term)
    else:
        revision.state = REJECTED
        revision.decided_by_id = actor.id
        revision.decided_at = utcnow()
    db.session.flush()


def term_history(term: Term) -> list[TermRevision]:
    return [r for r in term.revisions if r.state != PENDING] + [r for r in term.revisions if r.state == PENDING]


# --- bridges -------------------------------------------------------------------------------------

def bridges_of(term: Term) -> list[Bridge]:
    return list(db.session.scalars(select(Bridge).where(
        or_(Bridge.from_term_id == term.id, Bridge.to_term_id == term.id)).order_by(Bridge.id)))


def bridges_among(community_ids) -> list[Bridge]:
    """Every bridge whose two terms both belong to the given communities."""
    ids = list(community_ids)
    from_term = select(Term.id).where(Term.community_id.in_(ids))
    return list(db.session.scalars(select(Bridge).where(Bridge.from_term_id.in_(from_term),
                                                        Bridge.to_term_id.in_(from_term)).order_by(Bridge.id)))


def list_bridges(*, term: Term | None = None, community: Community | None = None,
                 space: Space | None = None) -> list[Bridge]:
    if term is not None:
        return bridges_of(term)
    if space is not None:
        return bridges_among([link.community_id for link in space.convened])
    query = select(Bridge).order_by(Bridge.id)
    if community is not None:
        in_community = select(Term.id).where(Term.community_id == community.id)
        query = query.where(or_(Bridge.from_term_id.in_(in_community), Bridge.to_term_id.in_(in_community)))
    return list(db.session.scalars(query))


def _recompute_status(bridge: Bridge) -> None:
    confirmed = {c.community_id for c in bridge.confirmations}
    if set(bridge.community_ids) <= confirmed:
        bridge.status = CONFIRMED
        bridge.dispute_reason = ""
        bridge.disputed_by_id = bridge.disputed_community_id = None
    elif bridge.disputed_community_id is not None:
        bridge.status = DISPUTED
    else:
        bridge.status = PROPOSED


def propose_bridge(*, from_term: Term | None, to_term: Term | None, relation, note="", actor: User) -> Bridge:
    """Link a term of one community to a term of another; the proposer's side counts as confirmed."""
    errors = FieldErrors()
    if from_term is None:
        errors.add("from_term_id", "Choose an existing term.")
    if to_term is None:
        errors.add("to_term_id", "Choose an existing term.")
    errors.choice("relation", relation, RELATIONS, label="Relation")
    note = errors.text("note", note, label="Note", max_length=NOTE_MAX, required=False)
    if from_term is not None and to_term is not None:
        if from_term.id == to_term.id:
            errors.add("to_term_id", "A term cannot be bridged to itself.")
        elif from_term.community_id == to_term.community_id:
            errors.add("to_term_id", "A bridge links terms of two different communities; both terms are in "
                                     f"{from_term.community.name}.")
        elif not (from_term.approved and to_term.approved):
            errors.add("to_term_id", "Both terms must be approved glossary entries.")
        elif db.session.scalar(select(Bridge.id).where(or_(
                (Bridge.from_term_id == from_term.id) & (Bridge.to_term_id == to_term.id),
                (Bridge.from_term_id == to_term.id) & (Bridge.to_term_id == from_term.id)))):
            errors.add("to_term_id", f"“{from_term.term}” and “{to_term.term}” are already bridged.")
    errors.raise_if_any()
    bridge = Bridge(from_term_id=from_term.id, to_term_id=to_term.id, relation=relation, note=note,
                    status=PROPOSED, proposed_by_id=actor.id)
    db.session.add(bridge)
    db.session.flush()
    mine = policy.community_ids_of(actor)
    for cid in (from_term.community_id, to_term.community_id):
        if cid in mine:
            bridge.confirmations.append(BridgeConfirmation(community_id=cid, user_id=actor.id))
            break  # one person speaks for one side: the other side must agree separately
    db.session.flush()
    _recompute_status(bridge)
    db.session.flush()
    _changed(bridge.community_ids, "bridge_proposed", bridge_id=bridge.id)
    log.info("bridge %s (%s) proposed by %s", bridge.id, relation, actor.id)
    return bridge


def confirm_bridge(bridge: Bridge, *, actor: User) -> Bridge:
    """Record agreement for the first of the bridge's communities the actor belongs to that has not agreed."""
    done = {c.community_id for c in bridge.confirmations}
    mine = policy.community_ids_of(actor)
    side = next((cid for cid in bridge.community_ids if cid in mine and cid not in done), None)
    if side is None:
        raise ValidationError({"bridge": "Your communities have already confirmed this bridge."})
    bridge.confirmations.append(BridgeConfirmation(community_id=side, user_id=actor.id))
    if bridge.disputed_community_id == side:
        bridge.disputed_community_id = None
        bridge.dispute_reason = ""
        bridge.disputed_by_id = None
    db.session.flush()
    _recompute_status(bridge)
    bridge.updated_at = utcnow()
    db.session.flush()
    _changed(bridge.community_ids, "bridge_confirmed", bridge_id=bridge.id)
    return bridge


def dispute_bridge(bridge: Bridge, *, reason, actor: User) -> Bridge:
    """Disagree, with a reason: the disputing community's confirmation is withdrawn."""
    errors = FieldErrors()
    reason = errors.text("reason", reason, label="Reason", max_length=NOTE_MAX)
    errors.raise_if_any()
    mine = policy.community_ids_of(actor)
    side = next((cid for cid in bridge.community_ids if cid in mine), None)
    if side is None:
        raise ValidationError({"bridge": "Only members of the two communities can dispute this bridge."})
    for confirmation in list(bridge.confirmations):
        if confirmation.community_id == side:
            bridge.confirmations.remove(confirmation)
    bridge.dispute_reason = reason
    bridge.disputed_by_id = actor.id
    bridge.disputed_community_id = side
    bridge.status = DISPUTED
    bridge.updated_at = utcnow()
    db.session.flush()
    _changed(bridge.community_ids, "bridge_disputed", bridge_id=bridge.id)
    return bridge


def remove_bridge(bridge: Bridge, *, actor: User) -> None:
    community_ids = bridge.community_ids
    bridge_id = bridge.id
    db.session.delete(bridge)
    db.session.flush()
    _changed(community_ids, "bridge_removed", bridge_id=bridge_id)
    log.info("bridge %s removed by %s", bridge_id, actor.id)


# --- reader preferences --------------------------------------------------------------------------

def reader_preference(user: User) -> ReaderPreference | None:
    return db.session.get(ReaderPreference, user.id) if policy.is_signed_in(user) else None


def set_reader_preference(user: User, *, reading_community: Community | None, annotations_enabled: bool,
                          actor: User) -> ReaderPreference:
    """Choose which of your communities you read as, and whether glossary marks are shown."""
    if reading_community is not None and reading_community.id not in policy.community_ids_of(user):
        raise ValidationError({"reading_community_id": "You can only read as a community you belong to."})
    preference = reader_preference(user)
    if preference is None:
        preference = ReaderPreference(user_id=user.id)
        db.session.add(preference)
    preference.reading_community_id = reading_community.id if reading_community else None
    preference.annotations_enabled = bool(annotations_enabled)
    db.session.flush()
    return preference


# --- possible jargon -------------------------------------------------------------------------------

def space_corpus(space: Space):
    """The space's text attributed to communities, as (community_id, text).

    Today: purpose and ground rules (written by the proposing community), each convened glossary's
    definitions and examples, its members' own words, and the space's documents and cards written
    within one community (see each domain's `texts_by_community`). Comments will add theirs here.
    """
    from workspace.boards.services import texts_by_community as card_texts
    from workspace.documents.services import texts_by_community as document_texts
    proposer = next((link.community_id for link in space.convened if link.is_proposer), None)
    if proposer is not None:
        yield proposer, space.purpose
        yield proposer, space.ground_rules
    for link in space.convened:
        for term in list_terms(link.community):
            yield link.community_id, f"{term.definition}\n{term.example}"
    yield from document_texts(space)
    yield from card_texts(space)


def suggest_terms(space: Space, *, actor: User) -> list[dict]:
    """Possible jargon for the communities the actor stewards (all of them for site admins), explained."""
    from workspace.glossary.candidates import candidate_terms
    known = set()
    for link in space.convened:
        for term in list_terms(link.community, include_pending=True):
            known.update(term_key(f) for f in [term.term, *(term.aliases or [])])
    found = candidate_terms(space_corpus(space), known=known)
    names = {link.community_id: link.community for link in space.convened}
    stewarded = policy.community_ids_of(actor, role="steward")
    view = []
    for cid, items in found.items():
        if not policy.is_admin(actor) and cid not in stewarded:
            continue
        others = ", ".join(c.name for i, c in names.items() if i != cid) or "the others"
        view += [{"community": names[cid].name, "community_slug": names[cid].slug, "phrase": c.phrase,
                  "explanation": c.explanation(names[cid].name, others)} for c in items]
    return view
