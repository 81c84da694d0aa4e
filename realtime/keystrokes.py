"""The keystroke path: the common document message is handled without a Flask request.

Flask-SocketIO pushes a whole request context for every event (a Request built from the handshake's
environ, URL matching, the cookie session opened, a database session created and removed): at 25
typists + 100 readers that was a sixth of the server's CPU, for messages that need none of it. A
`document_message` that is

- an update from a Yjs client this room already knows the author of, or a cursor (awareness) change
  for client ids this socket already claimed,
- from a socket that has joined the document and whose editor role is cached (realtime/access.py:
  dropped by every commit that can change it, so revocation still takes effect on the next message),

is checked, stored and relayed here directly, with the same flood guard, the same limits and the same
answers. Anything else (sync step 1, a first update or cursor, a viewer, a stale check, bad input)
goes to the full handler in realtime/documents.py, which checks everything from the database.
"""
import logging

from realtime import access as access_cache
from realtime.documents import relay_cursors
from realtime.ratelimit import flood_guard
from workspace.documents import protocol
from workspace.errors import DomainError, ValidationError, socket_refusal

log = logging.getLogger("convene.realtime.keystrokes")
EVENT = "document_message"


def install(socketio) -> None:
    """Put the keystroke path in front of the full `document_message` handler."""
    server = socketio.server
    full = server.handlers.get("/", {}).get(EVENT)
    if full is None or getattr(full, "_convene_keystrokes", False):
        return

    def document_message(sid, *args):
        environ = server.get_environ(sid)
        app = environ.get("flask.app") if environ else None
        if app is not None and app.config.get("DOCUMENT_WRITER") != "inline":
            ack = _keystroke(app, sid, args)
            if ack is not None:
                return ack
        return full(sid, *args)

    document_message._convene_keystrokes = True
    server.on(EVENT, document_message)


def _keystroke(app, sid: str, args: tuple) -> dict | None:
    """The ack for a message this path can take whole, or None to leave it to the full handler."""
    if len(args) != 2:
        return None
    document_id, message = args
    if type(document_id) is not int or not isinstance(message, (bytes, bytearray)):
        return None
    config = app.config
    if len(message) > config["DOCUMENT_MAX_MESSAGE_BYTES"]:
        return None
    live = app.extensions["convene_documents"]
    document_relay = app.extensions.get("convene_relay")
    room = live.rooms.peek(document_id)
    if document_relay is None or room is None or not room.has_client(sid):
        return None
    access = access_cache.cache.get(sid, document_id, config.get("DOCUMENT_ACCESS_RECHECK_SECONDS", 30.0))
    if access is None or access.role != "editor":
        return None
    try:
        parsed = protocol.parse(message)
        if parsed.kind == "awareness":
            entries = protocol.decode_awareness(parsed.payload)
            if not entries or not all(room.owns_client_id(sid, entry.client_id) for entry in entries):
                return None
        elif parsed.kind in ("sync_step2", "sync_update"):
            if parsed.payload == protocol.EMPTY_UPDATE or protocol.single_client(parsed.payload) not in room.authors:
                return None
        else:
            return None
    except protocol.ProtocolError:
        return None  # the full handler says what is wrong with it
    try:
        flood_guard.admit(sid, config)
        if parsed.kind == "awareness":
            relay_cursors(document_relay, document_id, room, entries, access, sid)
            return {"ok": True}
        try:
            seq = live.receive_update(document_id, parsed.payload, user_id=access.user_id, origin=sid)
        except protocol.ProtocolError as exc:
            raise ValidationError({"message": str(exc)}) from exc
        return {"ok": True, "seq": seq}
    except DomainError as error:
        return socket_refusal(error)
    except Exception:
        log.exception("socket event %s failed", EVENT)
        return {"ok": False, "error": "Something went wrong on the server; nothing was changed."}
