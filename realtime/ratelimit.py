"""A flooding socket is slowed, then disconnected with a reason, before it costs the others anything.

A token bucket per socket (DOCUMENT_MESSAGES_PER_SECOND, 100 by default, with a burst of
DOCUMENT_MESSAGES_BURST, 300): a person typing fast with their cursor moving sends ~30 messages a
second. A message over the limit is refused at once (an error ack, nothing stored, nothing relayed,
no SQL); a socket that keeps sending after DOCUMENT_FLOOD_REFUSALS (500) refusals in a row is told
why (`document_flood`, `{"error": …}`) and disconnected.
"""
import threading
import time

from workspace.errors import DomainError


class TooManyMessages(DomainError):
    status = 429
    title = "Too many messages"


class FloodGuard:
    def __init__(self):
        self._buckets: dict[str, list[float]] = {}  # sid -> [tokens, last refill, refusals in a row]
        self._lock = threading.Lock()

    def admit(self, sid: str, config=None) -> None:
        if config is None:
            from flask import current_app
            config = current_app.config
        rate = float(config.get("DOCUMENT_MESSAGES_PER_SECOND", 100))
        burst = float(config.get("DOCUMENT_MESSAGES_BURST", 300))
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(sid)
            if bucket is None:
                bucket = self._buckets[sid] = [burst, now, 0]
            bucket[0] = min(burst, bucket[0] + (now - bucket[1]) * rate)
            bucket[1] = now
            if bucket[0] >= 1:
                bucket[0] -= 1
                bucket[2] = 0
                return
            bucket[2] += 1
            refusals = bucket[2]
        if refusals >= int(config.get("DOCUMENT_FLOOD_REFUSALS", 500)):
            self._disconnect(sid, rate)
        raise TooManyMessages(f"Too many messages: at most {rate:g} a second. Slow down; nothing was changed.")

    def _disconnect(self, sid: str, rate: float) -> None:
        from workspace.extensions import socketio
        socketio.emit("document_flood", {"error": f"Disconnected: this connection kept sending more than "
                                                  f"{rate:g} messages a second."}, to=sid)
        socketio.server.disconnect(sid, namespace="/")
        self.forget(sid)

    def forget(self, sid: str) -> None:
        with self._lock:
            self._buckets.pop(sid, None)


flood_guard = FloodGuard()
