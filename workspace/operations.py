"""Operations: health checks for load balancers and the endpoint browsers send CSP violations to."""
import json
import logging

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text

from workspace.errors import problem
from workspace.extensions import csrf, db, limiter
from workspace.security_headers import CSP_REPORT_PATH

bp = Blueprint("operations", __name__)
log = logging.getLogger("convene.operations")
csp_log = logging.getLogger("convene.csp")

CSP_REPORT_MAX_BYTES = 8 * 1024  # a real report is well under 2 KB; anything bigger is not one
CSP_REPORT_TYPES = ("application/csp-report", "application/reports+json", "application/json")
# Fields worth a line in the log (both report formats), each cut short: the log is not a dump.
CSP_FIELDS = {"document-uri": "document", "documentURL": "document", "violated-directive": "directive",
              "effectiveDirective": "directive", "effective-directive": "directive",
              "blocked-uri": "blocked", "blockedURL": "blocked", "source-file": "source",
              "sourceFile": "source", "line-number": "line", "lineNumber": "line", "sample": "sample",
              "script-sample": "sample"}


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Answer while the process serves requests; says nothing about what it depends on."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready when the database answers, its schema is at the migrations' head and the queue answers.

    Each check says only "ok" or "failing": the reason goes to the log, never to the caller.
    """
    checks = {"database": _check(_database_reachable), "migrations": _check(_migrations_at_head)}
    if current_app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        checks["message_queue"] = _check(_queue_reachable)
    try:
        db.session.rollback()
    except Exception:  # the database is gone: the checks already say so
        log.warning("rollback after readiness checks failed", exc_info=True)
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ready" if ready else "unavailable", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _check(probe) -> str:
    try:
        return "ok" if probe() else "failing"
    except Exception:
        log.warning("readiness check %s failed", probe.__name__.strip("_"), exc_info=True)
        return "failing"


def _database_reachable() -> bool:
    return db.session.execute(text("SELECT 1")).scalar() == 1


def _migrations_at_head() -> bool:
    from alembic.script import ScriptDirectory

    heads = current_app.extensions.get("convene_migration_heads")
    if heads is None:
        migrate = current_app.extensions["migrate"]
        config = migrate.migrate.get_config(migrate.directory)
        heads = current_app.extensions["convene_migration_heads"] = set(
            ScriptDirectory.from_config(config).get_heads())
    # Read the version table directly: alembic's MigrationContext logs two lines per probe.
    current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    return current == heads


def _queue_reachable() -> bool:
    import redis

    url = current_app.config["SOCKETIO_MESSAGE_QUEUE"]
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    finally:
        client.close()


@bp.post(CSP_REPORT_PATH)
@csrf.exempt
@limiter.limit("30/minute;300/hour")
def report_csp_violation():
    """Log a browser's Content-Security-Policy violation report, one line each; store nothing."""
    if request.mimetype not in CSP_REPORT_TYPES:
        return problem(415, "Unsupported media type",
                       "Send a CSP report as application/csp-report or application/reports+json.")
    if (request.content_length or 0) > CSP_REPORT_MAX_BYTES:
        return problem(413, "Report too large", f"A CSP report must be at most {CSP_REPORT_MAX_BYTES} bytes.")
    raw = request.stream.read(CSP_REPORT_MAX_BYTES + 1)
    if len(raw) > CSP_REPORT_MAX_BYTES:
        return problem(413, "Report too large", f"A CSP report must be at most {CSP_REPORT_MAX_BYTES} bytes.")
    try:
        reports = _violations(json.loads(raw))
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return problem(400, "Malformed report", "The body is not a CSP violation report.")
    for report in reports[:10]:
        fields = {}
        for key, name in CSP_FIELDS.items():
            value = report.get(key)
            if value not in (None, "") and name not in fields:
                fields[name] = str(value)[:200]
        csp_log.warning("csp violation %s", json.dumps(fields, sort_keys=True, ensure_ascii=True))
    return "", 204


def _violations(body) -> list[dict]:
    """The violation objects of a report-uri body ({"csp-report": …}) or a Reporting API list."""
    if isinstance(body, dict) and isinstance(body.get("csp-report"), dict):
        return [body["csp-report"]]
    if isinstance(body, list) and body:
        found = [item["body"] for item in body
                 if isinstance(item, dict) and item.get("type") == "csp-violation" and isinstance(item.get("body"), dict)]
        if found:
            return found
    raise ValueError("not a CSP report")
