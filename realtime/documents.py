"""Co-editing over Socket.IO: the Yjs sync and awareness protocol, checked on every message.

`document_message` carries (document_id, bytes) both ways, framed exactly as y-websocket frames
them. Joining gives a role; every write is re-checked against the policy (a document can be adopted
or its space archived while people have it open) and stored before it is relayed or acknowledged.
"""
import logging

from flask import current_app, request
from flask_socketio import join_room, leave_room
from pycrdt import create_sync_message, handle_sync_message

from realtime import access as access_cache
from realtime.ratelimit import flood_guard
from realtime.registry import current_actor, event, on_disconnect
from realtime.relay import relay
from workspace import policy
from workspace.communities.models import Community, Membership
from workspace.documents import presence as document_presence
from workspace.documents import protocol
from workspace.documents.live import live_documents
from workspace.documents.models import Document
from workspace.errors import Forbidden, NotFound, ValidationError
from workspace.events import room_for
from workspace.extensions import db, socketio
from workspace.loading import find_by_id

log = logging.getLogger("convene.realtime.documents")


def _document_id(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError({"document_id": "Give the numeric document_id."})
    return value


def _load(document_id: int, user) -> Document:
    document = find_by_id(Document, document_id)
    if document is None or not policy.can_view_document(user, document):
        raise NotFound("This document does not exist or is not shared with you.")
    return document


def _check(document: Document, user, sid: str, epoch: int) -> access_cache.Access:
    """The full identity + policy check; its result is kept for this socket and document."""
    if policy.can_edit_document(user, document):
        role, refusal = "editor", None
    else:
        role = "viewer"
        refusal = ("You can read this document but not change it"
                   + (" (it is no longer open for editing)." if document.status not in ("drafting", "in_review")
                      else "." if not document.space.is_archived else " (the space is archived)."))
    communities = _communities_in_space(user, document)
    label = f"{user.display_name} ({', '.join(communities)})" if communities else user.display_name
    identity = {"name": label, "communities": communities, "user_id": user.id}
    return access_cache.cache.put(sid, document.id, user_id=user.id, role=role, refusal=refusal,
                                  identity=identity, epoch=epoch)


def _access(document_id: int, sid: str) -> access_cache.Access:
    """This socket's access to a document: kept between messages, checked in full when it may have changed."""
    max_age = current_app.config.get("DOCUMENT_ACCESS_RECHECK_SECONDS", 30.0)
    access = access_cache.cache.get(sid, document_id, max_age)
    if access is not None:
        return access
    epoch = access_cache.cache.epoch
    user = current_actor()
    return _check(_load(document_id, user), user, sid, epoch)


def _send(document_id: int, message: bytes, *, to: str, skip_sid: str | None = None) -> None:
    socketio.emit("document_message", (document_id, message), to=to, skip_sid=skip_sid)


@event("join_document")
def join_document(data=None):
    """Open a document: your role, the server's sync step 1, and everyone's cursors."""
    epoch = access_cache.cache.epoch
    user = current_actor()
    document = _load(_document_id((data or {}).get("document_id")), user)
    access = _check(document, user, request.sid, epoch)
    live = live_documents()
    relay()  # hooked to the writer before this socket can send its first update
    room = live.rooms.get(document.id)
    room.add_client(request.sid)
    join_room(room_for(document))
    document_presence.enter_document(document, sid=request.sid, user=user)
    # The server sends its own step 1 so the client returns whatever the server lacks (offline edits).
    room.catch_up()
    with room.lock:
        step1 = create_sync_message(room.doc)
        relayed = room.relayed_seq
    _send(document.id, step1, to=request.sid)
    entries = room.awareness_entries()
    if entries:
        _send(document.id, protocol.awareness_message(entries), to=request.sid)
    return {"ok": True, "role": access.role, "document_id": document.id, "seq": relayed}


@event("leave_document")
def leave_document(data=None):
    user = current_actor()
    document_id = _document_id((data or {}).get("document_id"))
    document = _load(document_id, user)
    _forget(document_id, request.sid)
    leave_room(f"document:{document_id}")
    document_presence.leave_document(document, sid=request.sid)
    return {"ok": True}


def _forget(document_id: int, sid: str) -> None:
    access_cache.cache.forget(sid, document_id)
    room = live_documents().rooms.peek(document_id)
    if room is None:
        return
    removed = room.remove_client(sid)
    if removed:
        _send(document_id, protocol.awareness_message(removed), to=f"document:{document_id}", skip_sid=sid)


@on_disconnect
def _disconnected(sid: str) -> None:
    access_cache.cache.forget(sid)
    flood_guard.forget(sid)
    for room in live_documents().rooms.rooms_with(sid):
        _forget(room.document_id, sid)
    live_documents().evict_idle()


@event("document_message", raw=True)
def document_message(*args):
    """One Yjs protocol message about one document; writes need the editor role, checked now.

    The check's result is kept per (socket, document) and dropped whenever it may have changed
    (realtime/access.py), so a keystroke costs no SQL here; the update's storage is shared with
    everyone typing at that moment (group commit), and its relay with everyone in the room's tick.
    """
    if len(args) != 2:
        raise ValidationError({"data": "Send two arguments: the document id and the binary message."})
    document_id, message = _document_id(args[0]), args[1]
    sid = request.sid
    flood_guard.admit(sid)
    if not isinstance(message, (bytes, bytearray)):
        raise ValidationError({"message": "The message must be binary (a Uint8Array)."})
    limit = current_app.config["DOCUMENT_MAX_MESSAGE_BYTES"]
    if len(message) > limit:
        raise ValidationError({"message": f"The message is {len(message):,} bytes; the limit is {limit:,}."})
    live = live_documents()
    room = live.rooms.peek(document_id)
    if room is None or not room.has_client(sid):
        current_actor()  # a socket whose session ended hears that first
        raise Forbidden("Join this document (join_document) before sending it messages.")
    try:
        parsed = protocol.parse(message)
    except protocol.ProtocolError as exc:
        raise ValidationError({"message": str(exc)}) from exc
    access = _access(document_id, sid)

    if parsed.kind == "sync_step1":
        room.catch_up()
        try:
            with room.lock:
                reply = handle_sync_message(bytes(message[1:]), room.doc)
        except Exception as exc:
            raise ValidationError({"message": "The state vector could not be decoded."}) from exc
        _send(document_id, reply, to=sid)
        return {"ok": True}

    if access.role != "editor":
        raise Forbidden(access.refusal or "You can read this document but not change it.")

    if parsed.kind == "awareness":
        return _relay_awareness(document_id, room, parsed.payload, access, sid)

    update = parsed.payload
    if update == protocol.EMPTY_UPDATE:
        return {"ok": True}
    # End any read transaction before waiting on the writer thread: on SQLite every transaction
    # holds the write lock (BEGIN IMMEDIATE), and the writer needs it to store this very update.
    db.session.commit()
    try:
        seq = live.receive_update(document_id, update, user_id=access.user_id, origin=sid)
    except protocol.ProtocolError as exc:
        raise ValidationError({"message": str(exc)}) from exc
    client_id = protocol.single_client(update)
    if client_id is not None:
        live.record_author(document_id, client_id, access.user_id)
    # Relayed by the room's next tick (realtime/relay.py), after the commit that gave it `seq`.
    return {"ok": True, "seq": seq}


def _relay_awareness(document_id: int, room, payload: bytes, access: access_cache.Access, sid: str) -> dict:
    try:
        entries = protocol.decode_awareness(payload)
    except protocol.ProtocolError as exc:
        raise ValidationError({"message": str(exc)}) from exc
    for entry in entries:
        if not room.claim_client_id(sid, entry.client_id):
            raise Forbidden("That Yjs client id belongs to another connection.")
    relay_cursors(relay(), document_id, room, entries, access, sid)
    return {"ok": True}


def relay_cursors(document_relay, document_id: int, room, entries: list[protocol.AwarenessEntry],
                  access: access_cache.Access, sid: str) -> None:
    """Relay cursors with the identity the server knows, never the one the client claims."""
    identity = access.identity
    for entry in entries:
        if entry.state is not None:
            user_state = entry.state.get("user") if isinstance(entry.state.get("user"), dict) else {}
            colour = user_state.get("color") if isinstance(user_state.get("color"), str) else "#1f5f8b"
            entry.state["user"] = {"name": identity["name"], "communities": identity["communities"],
                                   "color": colour[:16], "colorLight": colour[:7] + "33",
                                   "user_id": identity["user_id"]}
        room.remember_awareness(entry)
    if entries:
        document_relay.awareness(document_id, entries, origin=sid)


def _communities_in_space(user, document: Document) -> list[str]:
    ids = [link.community_id for link in document.space.convened]
    return list(db.session.scalars(db.select(Community.name).join(Membership).where(
        Membership.user_id == user.id, Community.id.in_(ids)).order_by(Community.name)))
