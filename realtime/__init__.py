"""Socket.IO handlers, one thin module per domain, registered on the app's SocketIO by the factory."""
import threading

from realtime.registry import EVENTS  # noqa: F401


def register(socketio) -> None:
    from realtime import boards, connection, documents, spaces  # noqa: F401  (importing registers the handlers)
    from realtime.registry import bind

    bind(socketio)
    _send_each_packet_whole(socketio.server)


def _send_each_packet_whole(server) -> None:
    """Keep a binary event's frames together on the wire.

    python-socketio sends a binary packet as a header frame then one frame per attachment, with no
    lock: two threads sending to one client at once interleave them, and the client decodes garbage
    (a Yjs update under another event's header) or drops the connection. One lock per process over
    each packet's frames costs a queue put, nothing more.
    """
    if getattr(server, "_convene_whole_packets", False):
        return
    lock = threading.Lock()
    send_packet = server._send_packet

    def send_whole(eio_sid, pkt):
        with lock:
            send_packet(eio_sid, pkt)

    server._send_packet = send_whole
    server._convene_whole_packets = True
