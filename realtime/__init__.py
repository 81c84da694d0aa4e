"""Socket.IO handlers, one thin module per domain, registered on the app's SocketIO by the factory."""
from realtime.registry import EVENTS  # noqa: F401


def register(socketio) -> None:
    from realtime import boards, connection, documents, spaces  # noqa: F401  (importing registers the handlers)
    from realtime.registry import bind

    bind(socketio)
