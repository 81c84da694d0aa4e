"""Logs as one line per event, each carrying the request id that the user also sees on an error.

A person reporting "it said something went wrong, reference 3f2a…" can be matched to the log line
of that request, its exception included (folded into the same line).
"""
import logging
import re
import time
import uuid

from flask import g, has_request_context, request

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# A request id from a trusted proxy (X-Request-ID) is kept when it looks like one, so the
# proxy's log and ours agree; anything else is replaced rather than written into our log.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
access_log = logging.getLogger("convene.requests")
# A load balancer asks every few seconds: only a failing answer is worth a line.
PROBES = {"operations.healthz", "operations.readyz"}


def current_request_id() -> str:
    """This request's id (made on first use), or "-" outside a request."""
    if not has_request_context():
        return "-"
    request_id = getattr(g, "request_id", None)
    if request_id is None:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = g.request_id = incoming if INCOMING_ID.match(incoming) else uuid.uuid4().hex
    return request_id


class RequestIdFilter(logging.Filter):
    """Give every record a `request_id`, so one format serves requests, sockets and commands."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            try:
                record.request_id = current_request_id()
            except RuntimeError:
                record.request_id = "-"
        return True


class OneLineFormatter(logging.Formatter):
    """Fold messages and tracebacks into a single line: one event, one line, greppable."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


def configure_logging() -> None:
    """Install the one-line, request-id format on the root handler (idempotent)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if not isinstance(handler.formatter, OneLineFormatter) and type(handler).__name__ != "LogCaptureHandler":
            handler.setFormatter(OneLineFormatter(LOG_FORMAT))


def register(app) -> None:
    """Stamp each request with an id, echo it in X-Request-ID and log one line when it ends."""
    configure_logging()
    app.jinja_env.globals["request_id"] = current_request_id

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        current_request_id()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = current_request_id()
        quiet = request.endpoint == "static" or (request.endpoint in PROBES and response.status_code == 200)
        if not quiet:
            elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            access_log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed)
        return response
