"""Domain errors and how each surface shows them: a form message, a JSON problem, a socket ack."""
import logging
import math
import time

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, TooManyRequests

log = logging.getLogger(__name__)


class DomainError(Exception):
    """An expected refusal: the request changes nothing and the user is told why."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", **extra):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class ValidationError(DomainError):
    """Input that fails a rule; `errors` maps each offending field to its message."""

    status = 422
    title = "Invalid input"

    def __init__(self, errors: dict[str, str], detail: str = ""):
        super().__init__(detail or "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotAuthenticated(DomainError):
    status = 401
    title = "Authentication required"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    """A write based on a stale state; `extra["current"]` carries the state to re-apply against."""

    status = 409
    title = "Conflict"


def problem(status: int, title: str, detail: str = "", **extra):
    """Return an RFC 9457 problem document response."""
    from workspace.request_log import current_request_id

    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    body["request_id"] = current_request_id()  # quoted in a report, it finds the log line
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def socket_refusal(error: DomainError) -> dict:
    """The ack a socket handler returns for a refused event."""
    ack = {"ok": False, "error": error.detail}
    if isinstance(error, ValidationError):
        ack["errors"] = error.errors
    ack.update(error.extra)
    return ack


def register(app) -> None:
    """Install handlers so no request ever shows a stack trace."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        if wants_json():
            extra = dict(error.extra)
            if isinstance(error, ValidationError):
                extra["errors"] = error.errors
            return problem(error.status, error.title, error.detail, **extra)
        return render_template("errors/error.html", status=error.status, title=error.title,
                               detail=error.detail), error.status

    @app.errorhandler(TooManyRequests)
    def _too_many(error: TooManyRequests):
        seconds = retry_after_seconds(error)
        minutes = max(1, round(seconds / 60))  # the limiter rounds its reset up by a second
        wait = "a minute" if minutes == 1 else f"{minutes} minutes"
        if wants_json():
            response = problem(429, "Too many requests", f"Too many attempts. Try again in {wait}.",
                               retry_after=seconds)
        else:
            response = app.make_response((render_template("errors/rate_limited.html", wait=wait), 429))
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if wants_json():
            return problem(error.code or 500, error.name, error.description or "")
        return render_template("errors/error.html", status=error.code, title=error.name,
                               detail=error.description), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return problem(500, "Internal server error", "Something went wrong; nothing was saved.")
        return render_template("errors/error.html", status=500, title="Something went wrong",
                               detail="Nothing was saved. Please try again."), 500


def retry_after_seconds(error: TooManyRequests) -> int:
    """Whole seconds until the breached limit lets the next attempt through (at least one)."""
    from workspace.extensions import limiter
    breached = limiter.current_limit if limiter.enabled else None
    if breached is not None and breached.breached:
        return max(1, math.ceil(breached.reset_at - time.time()))
    if getattr(error, "retry_after", None) is not None:
        value = error.retry_after
        return max(1, int(value if isinstance(value, (int, float)) else value.timestamp() - time.time()))
    return 60


def show_on_form(form, error: ValidationError) -> None:
    """Put each field's message beside its field; messages for unknown fields go to the form."""
    for field, message in error.errors.items():
        target = getattr(form, field, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors or []) + [message]
        else:
            form.form_errors.append(message)
