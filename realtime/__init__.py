"""Socket.IO handlers, one thin module per domain, registered on the app's SocketIO by the factory."""
import functools
import threading

import socketio as python_socketio

from realtime.registry import EVENTS  # noqa: F401

# One lock per process over every packet's frames (see _send_each_packet_whole).
_FRAMES_LOCK = threading.RLock()


def register(socketio) -> None:
    from realtime import boards, comments, connection, documents, spaces  # noqa: F401  (importing registers the handlers)
    from realtime import moderation  # noqa: F401  (moderation, issue 10)
    from realtime import activities  # noqa: F401  (issue 11)
    from realtime import keystrokes
    from realtime.registry import bind

    bind(socketio)
    keystrokes.install(socketio)  # the common document message skips Flask's request context
    _send_each_packet_whole(socketio.server)
    _handle_internal_notices()
    _decline_permessage_deflate()


def _send_each_packet_whole(server) -> None:
    """Keep a binary event's frames together on the wire.

    python-socketio sends a binary packet as a header frame then one frame per attachment, with no
    lock: two threads sending to one client at once (two editors' relays, a relay and an ack)
    interleave them, and the client decodes garbage (a Yjs update under another event's header) or
    drops the connection. Broadcasts go through Manager.emit (also from the Redis listener, via
    super()), direct packets through Server._send_packet: both hold one lock per process while they
    queue a packet's frames, which costs queue puts, nothing more.
    """
    manager_class = python_socketio.Manager
    if not getattr(manager_class.emit, "_convene_whole_packets", False):
        manager_class.emit = _holding_frames_lock(manager_class.emit)
    if not getattr(server._send_packet, "_convene_whole_packets", False):
        server._send_packet = _holding_frames_lock(server._send_packet)


def _holding_frames_lock(send):
    @functools.wraps(send)
    def send_whole(*args, **kwargs):
        with _FRAMES_LOCK:
            return send(*args, **kwargs)

    send_whole._convene_whole_packets = True
    return send_whole


def _handle_internal_notices() -> None:
    """Events named `convene:…` are notices between this app's processes, never sent to a client.

    They are emitted to a room no client joins; with a message queue every process's manager hears
    them (python-socketio hands remote emits to Manager.emit), so this is where they are read.
    """
    manager_class = python_socketio.Manager
    if getattr(manager_class.emit, "_convene_notices", False):
        return
    emit = manager_class.emit

    @functools.wraps(emit)
    def emit_or_read_notice(self, event, data, *args, **kwargs):
        if isinstance(event, str) and event.startswith("convene:"):
            _read_notice(event, data)
            return None
        return emit(self, event, data, *args, **kwargs)

    emit_or_read_notice._convene_notices = True
    emit_or_read_notice._convene_whole_packets = True
    manager_class.emit = emit_or_read_notice


def _read_notice(event: str, data) -> None:
    from realtime import access, relay
    try:
        if event == access.ACCESS_NOTICE:
            access.cache.invalidate()
        elif event == relay.STORED_NOTICE and isinstance(data, dict):
            for each in relay.RELAYS:
                each.stored_elsewhere(int(data["document_id"]), int(data["seq"]))
    except Exception:
        import logging
        logging.getLogger("convene.realtime").exception("could not read the notice %s", event)


def _decline_permessage_deflate() -> None:
    """Answer WebSocket handshakes without permessage-deflate, which browsers always offer.

    simple-websocket accepts it unconditionally; compressing every frame costs the server ~6 µs a frame
    and each client far more, for Yjs updates and cursor moves of a few dozen bytes that barely shrink
    (issue 13's measurements). The handshake then simply leaves the extension out.
    """
    try:
        from simple_websocket import ws as simple_ws
        from wsproto.extensions import PerMessageDeflate
    except ImportError:  # pragma: no cover (simple-websocket is a requirement)
        return
    if getattr(simple_ws.PerMessageDeflate, "_convene_declined", False):
        return

    class DeclinedDeflate(PerMessageDeflate):
        _convene_declined = True

        def accept(self, offer):
            return None

    simple_ws.PerMessageDeflate = DeclinedDeflate
