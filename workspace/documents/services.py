"""Joint-response documents: create, edit on the server, versions, review, endorsement, adoption.

The text itself lives in the CRDT (see store.py and rooms.py); versions keep the text as it was.
Server-side edits are computed on a copy and stored in the request's transaction; the live room
applies and relays them only after commit, so no one ever sees an edit that was rolled back.
"""
import logging

from sqlalchemy import func, select

from workspace import policy
from workspace.audit.services import record
from workspace.communities.models import Membership
from workspace.database import utcnow
from workspace.documents import store
from workspace.documents.models import (ADOPTED, BLOCK, DRAFTING, ENDORSE, IN_REVIEW, POSITIONS,
                                        RESERVATIONS, WITHDRAWN, Document, DocumentAuthor, DocumentVersion,
                                        Endorsement)
from workspace.documents.textedit import edit_to
from workspace.errors import ValidationError
from workspace.events import publish, room_for, run_after_commit
from workspace.extensions import db, socketio
from workspace.notices.services import announce, stewards_of
from workspace.validation import FieldErrors, normalise_name

log = logging.getLogger("convene.documents")
TITLE_MAX = 200
NOTE_MAX = 500
REASON_MAX = 20_000
TEXT_MAX = 1_000_000


def documents_in(space) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.space_id == space.id)
                                   .order_by(Document.created_at.desc(), Document.id.desc())))


def create_document(space, *, title, responds_to="", responds_to_url="", text="", actor) -> Document:
    errors = FieldErrors()
    title = normalise_name(errors.text("title", title, label="Title", max_length=TITLE_MAX))
    responds_to = errors.text("responds_to", responds_to, label="Responds to", max_length=200, required=False)
    responds_to_url = errors.text("responds_to_url", responds_to_url, label="Link", max_length=2000, required=False)
    if responds_to_url and not responds_to_url.lower().startswith(("http://", "https://")):
        errors.add("responds_to_url", "Give a web address starting with http:// or https://.")
    # The Markdown exactly as given: leading spaces (an indented code block) and newlines are content.
    text = errors.text("text", text, label="Text", max_length=TEXT_MAX, required=False, strip=False)
    errors.raise_if_any()
    document = Document(space_id=space.id, title=title, responds_to=responds_to,
                        responds_to_url=responds_to_url, created_by_id=actor.id, status=DRAFTING)
    db.session.add(document)
    db.session.flush()
    if text:
        _store_edit(document, text, actor=actor, current="")
    publish("document_created", document_summary(document), room=room_for(space))
    log.info("document %s created in space %s by %s", document.id, space.id, actor.id)
    return document


def texts_by_community(space) -> list[tuple[int, str]]:
    """Each document's current text as (community_id, text), for the space's possible-jargon statistic.

    A document counts for a community only when everyone who wrote in it belongs, among the
    communities the space convenes, to that one community alone. A document co-written across
    communities is left out: its words cannot be told apart by author without decoding the CRDT item
    by item (the store keeps merged snapshots), and giving all of it to every author's community would
    blur exactly the differences the statistic looks for.
    """
    convened = {link.community_id for link in space.convened}
    out = []
    for document in documents_in(space):
        writers = set(db.session.scalars(select(DocumentAuthor.user_id).where(
            DocumentAuthor.document_id == document.id))) or {document.created_by_id}
        communities = set(db.session.scalars(select(Membership.community_id).where(
            Membership.user_id.in_(writers), Membership.community_id.in_(convened))))
        if len(communities) == 1:
            out.append((communities.pop(), current_text(document)))
    return out


def current_text(document: Document) -> str:
    """The text as stored (the live room may hold more only for updates not yet committed)."""
    return store.current_text(document.id)


def _store_edit(document: Document, new_text: str, *, actor, current: str | None = None) -> bytes:
    """Append a server-side edit (current text → new_text) to the log in this transaction."""
    doc, text, _seq = store.build(document.id)
    update = edit_to(doc, text, new_text)
    if not update:
        return b""
    (seq,) = store.append([(document.id, update, actor.id if actor else None)])
    document_id = document.id
    if actor is not None:
        _record_server_author(document_id, doc.client_id, actor.id)

    def relay():
        from workspace.documents.live import live_documents
        from workspace.documents.protocol import update_message
        try:
            live_documents().rooms.get(document_id).apply(update, seq)
        except Exception:
            log.exception("room for document %s could not apply a server edit; reloading it", document_id)
            live_documents().rooms.drop(document_id)
        socketio.emit("document_message", (document_id, update_message(update)), to=f"document:{document_id}")

    from flask import current_app
    app = current_app._get_current_object()
    run_after_commit(lambda: _in_app(app, relay))
    return update


def _record_server_author(document_id: int, client_id: int, user_id: int) -> None:
    """A server-side edit is written by a fresh pycrdt client id: name its author too."""
    if db.session.get(DocumentAuthor, (document_id, client_id)) is None:
        db.session.add(DocumentAuthor(document_id=document_id, client_id=client_id, user_id=user_id))


def _in_app(app, fn):
    with app.app_context():
        fn()


# --- versions -------------------------------------------------------------------------------

def _next_number(document: Document) -> int:
    return (db.session.scalar(select(func.max(DocumentVersion.number)).where(
        DocumentVersion.document_id == document.id)) or 0) + 1


def save_version(document: Document, *, note="", kind="named", actor, text: str | None = None) -> DocumentVersion:
    errors = FieldErrors()
    note = errors.text("note", note, label="Note", max_length=NOTE_MAX, required=False)
    errors.raise_if_any()
    version = DocumentVersion(document_id=document.id, number=_next_number(document), note=note, kind=kind,
                              text=current_text(document) if text is None else text, created_by_id=actor.id)
    db.session.add(version)
    db.session.flush()
    publish("document_versions_changed", {"document_id": document.id}, room=room_for(document))
    return version


def versions_of(document: Document) -> list[DocumentVersion]:
    return list(db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                                   .order_by(DocumentVersion.number.desc())))


def restore_version(document: Document, version: DocumentVersion, *, actor) -> DocumentVersion:
    """Bring an old version back as a new edit on top of everything since; history is kept."""
    if version.document_id != document.id:
        raise ValidationError({"version_id": "That version belongs to another document."})
    _store_edit(document, version.text, actor=actor)
    restored = save_version(document, note=f"Restored version {version.number}", kind="restored",
                            actor=actor, text=version.text)
    record("document.version_restored", actor=actor, target=document, space_id=document.space_id,
           version=version.number)
    return restored


# --- review, endorsement, adoption ----------------------------------------------------------

def move_to_review(document: Document, *, actor, note="") -> DocumentVersion:
    """Freeze the current text as the proposed version and ask every convened community."""
    if document.status not in (DRAFTING, IN_REVIEW):
        raise ValidationError({"status": f"A document that is {document.status} cannot go to review."})
    version = save_version(document, note=note or "Proposed for endorsement", kind="proposed", actor=actor)
    document.proposed_version_id = version.id
    document.status = IN_REVIEW
    db.session.flush()
    record("document.proposed", actor=actor, target=document, space_id=document.space_id, version=version.number)
    announce("endorsement_requested", recipients=stewards_of(document.space.communities), actor=actor, subject=document)
    _announce(document)
    return version


def record_position(document: Document, *, community, position, note="", actor) -> Endorsement:
    """Record one community's position on the text as it stands now, then check for adoption.

    If the text changed since the proposed version was frozen, the current text is frozen as a new
    proposed version first: a position always names the exact words it is about.
    """
    errors = FieldErrors()
    errors.choice("position", position, POSITIONS, label="Position")
    note = errors.text("note", note, label="Note", max_length=REASON_MAX, required=False)
    if position == BLOCK and not note:
        errors.add("note", "Say why your community blocks: a reason is required.")
    if position == RESERVATIONS and not note:
        errors.add("note", "Write your reservations: they are published with the outcome.")
    if community not in policy.endorsing_communities(actor, document):
        errors.add("community_id", "You can only speak for a convened community you steward.")
    errors.raise_if_any()

    text = current_text(document)
    proposed = document.proposed_version
    if proposed is None or proposed.text != text:
        proposed = save_version(document, note="Proposed again after changes", kind="proposed", actor=actor, text=text)
        document.proposed_version_id = proposed.id
        document.proposed_version = proposed
    endorsement = Endorsement(document_id=document.id, version_id=proposed.id, community_id=community.id,
                              user_id=actor.id, position=position, note=note)
    db.session.add(endorsement)
    db.session.flush()
    record("document.position_recorded", actor=actor, target=document, space_id=document.space_id,
           community=community.name, position=position, version=proposed.number, note=note)
    _adopt_if_agreed(document, actor=actor)
    _announce(document)
    return endorsement


def latest_positions(document: Document) -> dict[int, Endorsement]:
    """Each community's most recent position, whatever version it was on."""
    rows = db.session.scalars(select(Endorsement).where(Endorsement.document_id == document.id)
                              .order_by(Endorsement.created_at, Endorsement.id))
    latest = {}
    for row in rows:
        latest[row.community_id] = row
    return latest


def endorsement_record(document: Document, *, text: str | None = None) -> list[dict]:
    """Per convened community: its position, on which version, and whether the text moved on since."""
    text = current_text(document) if text is None else text
    latest = latest_positions(document)
    proposed = document.proposed_version
    out = []
    for link in document.space.convened:
        row = latest.get(link.community_id)
        entry = {"community_id": link.community_id, "community": link.community.name,
                 "colour": link.community.colour, "position": None, "note": "", "by": None,
                 "version": None, "at": None, "current": False, "changed_since": False}
        if row is not None:
            on_current = proposed is not None and row.version_id == proposed.id and proposed.text == text
            entry.update(position=row.position, note=row.note, by=row.user.display_name,
                         version=row.version.number, version_id=row.version_id,
                         at=row.created_at.isoformat(), current=on_current,
                         changed_since=row.version.text != text)
        out.append(entry)
    return out


def _adopt_if_agreed(document: Document, *, actor) -> None:
    proposed = document.proposed_version
    positions = latest_positions(document)
    convened = [link.community_id for link in document.space.convened]
    on_proposed = [positions.get(cid) for cid in convened]
    if any(p is None or p.version_id != proposed.id for p in on_proposed):
        return
    kinds = {p.position for p in on_proposed}
    if BLOCK in kinds or not kinds & {ENDORSE, RESERVATIONS}:
        return
    document.status = ADOPTED
    document.adopted_version_id = proposed.id
    document.adopted_at = utcnow()
    db.session.flush()
    record("document.adopted", actor=actor, target=document, space_id=document.space_id, version=proposed.number)
    log.info("document %s adopted at version %s", document.id, proposed.number)


def withdraw_document(document: Document, *, actor, reason="") -> None:
    errors = FieldErrors()
    reason = errors.text("reason", reason, label="Reason", max_length=REASON_MAX, required=False)
    errors.raise_if_any()
    document.status = WITHDRAWN
    db.session.flush()
    record("document.withdrawn", actor=actor, target=document, space_id=document.space_id, reason=reason)
    _announce(document)


def document_summary(document: Document) -> dict:
    convened = len(document.space.convened)
    acted = 0
    if document.status in (IN_REVIEW, ADOPTED) and document.proposed_version_id:
        acted = sum(1 for p in latest_positions(document).values() if p.version_id == document.proposed_version_id)
    return {"id": document.id, "space_id": document.space_id, "title": document.title, "status": document.status,
            "responds_to": document.responds_to, "responds_to_url": document.responds_to_url,
            "endorsements": {"acted": acted, "communities": convened}}


def _announce(document: Document) -> None:
    payload = document_summary(document)
    payload["record"] = endorsement_record(document)
    # Open pages compare the live text with the proposed version ("changed since"): tell them when it moves.
    proposed = (db.session.get(DocumentVersion, document.proposed_version_id)
                if document.status == IN_REVIEW and document.proposed_version_id else None)
    payload["proposed"] = ({"id": proposed.id, "number": proposed.number, "text": proposed.text}
                           if proposed is not None else None)
    publish("document_updated", payload, room=room_for(document))
    publish("document_updated", document_summary(document), room=room_for(document.space))


STATUS_LABELS = {DRAFTING: "Drafting", IN_REVIEW: "In review", ADOPTED: "Adopted", WITHDRAWN: "Withdrawn"}
