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
    from realtime.registry import bind

    bind(socketio)
    _send_each_packet_whole(socketio.server)


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
