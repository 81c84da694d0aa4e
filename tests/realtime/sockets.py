"""A python-socketio client that records what the live server sends, with deadline-based waits."""
import threading
import time

import socketio

WAIT = 10  # seconds: generous for a loaded CI machine, still fails fast enough when nothing comes


def wait_until(predicate, *, timeout: float = WAIT, interval: float = 0.02, message: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail with `message` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class LiveClient:
    """One real Socket.IO connection (WebSocket transport), as a script or another tab would open it."""

    def __init__(self, url: str, *, token: str | None = None, cookie: str | None = None,
                 origin: str | None = None, transports=("websocket",)):
        self.url = url
        self.auth = {"token": token} if token else None
        self.headers = {}
        if cookie:
            self.headers["Cookie"] = cookie
        self.transports = list(transports)
        websocket_options = None
        if origin and self.transports == ["websocket"]:
            websocket_options = {"origin": origin}  # websocket-client would otherwise add its own Origin
        elif origin:
            self.headers["Origin"] = origin
        self.sio = socketio.Client(reconnection=False, websocket_extra_options=websocket_options)
        self.events: list[tuple[str, object]] = []
        self.connect_errors: list[object] = []
        self.disconnect_reasons: list[object] = []
        self._lock = threading.Lock()
        self.sio.on("*", self._record)
        self.sio.on("connect_error", self._record_connect_error)
        self.sio.on("disconnect", self._record_disconnect)

    def _record(self, name, data=None):
        with self._lock:
            self.events.append((name, data))

    def _record_connect_error(self, data=None):
        with self._lock:
            self.connect_errors.append(data)

    def _record_disconnect(self, reason=None):
        with self._lock:
            self.disconnect_reasons.append(reason)

    def connect(self) -> "LiveClient":
        self.sio.connect(self.url, auth=self.auth, headers=self.headers, transports=self.transports,
                         wait_timeout=WAIT)
        return self

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
        # The engine.io reader thread may outlive disconnect(); make sure nothing is left running.
        self.sio.eio.disconnect()

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def call(self, event: str, *args, timeout: float = WAIT):
        """Send an event and return the server's ack."""
        return self.sio.call(event, *args, timeout=timeout)

    def join_space(self, space_id) -> dict:
        return self.call("join_space", {"space_id": space_id})

    def mark(self) -> int:
        """A position in the event log: pass it as `since` to look only at later events."""
        with self._lock:
            return len(self.events)

    def received(self, name: str, where=lambda data: True, *, since: int = 0) -> list:
        with self._lock:
            return [data for event, data in self.events[since:] if event == name and where(data)]

    def wait_for(self, name: str, where=lambda data: True, *, since: int = 0, timeout: float = WAIT):
        """Wait until an event `name` whose data satisfies `where` arrives (after `since`); return its data."""
        found = wait_until(lambda: self.received(name, where, since=since), timeout=timeout,
                           message=f"a {name!r} event matching the condition; got {self.events[since:]!r}")
        return found[-1]

    def wait_for_disconnect(self, *, timeout: float = 5):
        wait_until(lambda: not self.sio.connected and self.disconnect_reasons, timeout=timeout,
                   message="the server to close the connection")
        return self.disconnect_reasons[-1]


def names(present: list[dict]) -> set[str]:
    return {p["display_name"] for p in present}


def presence_in(space_id: int):
    """A filter for presence_changed events about one space."""
    return lambda data: isinstance(data, dict) and data.get("space_id") == space_id
