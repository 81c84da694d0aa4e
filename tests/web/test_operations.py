"""Health checks for load balancers, CSP violation reports, and request ids in logs and problems."""
import json
import logging

from workspace.operations import CSP_REPORT_MAX_BYTES

REPORT = {"csp-report": {"document-uri": "http://localhost/spaces/1", "violated-directive": "script-src-elem",
                         "effective-directive": "script-src-elem", "blocked-uri": "inline",
                         "source-file": "http://localhost/spaces/1", "line-number": 12}}


def test_healthz_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_reports_each_check_without_details(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_fails_when_migrations_are_not_at_head(app, client, transaction):
    from sqlalchemy import text
    transaction.execute(text("UPDATE alembic_version SET version_num = 'an-old-revision'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "ok", "migrations": "failing"}}
    assert "an-old-revision" not in response.get_data(as_text=True)


def test_readyz_fails_without_leaking_when_the_queue_is_unreachable(app, client):
    app.config["SOCKETIO_MESSAGE_QUEUE"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/readyz")
    finally:
        app.config["SOCKETIO_MESSAGE_QUEUE"] = None
    assert response.status_code == 503
    assert response.json["checks"]["message_queue"] == "failing"
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_csp_report_is_logged_on_one_line(client, caplog):
    with caplog.at_level(logging.WARNING, logger="convene.csp"):
        response = client.post("/csp-reports", data=json.dumps(REPORT), content_type="application/csp-report")
    assert response.status_code == 204
    lines = [r.getMessage() for r in caplog.records if r.name == "convene.csp"]
    assert len(lines) == 1 and "script-src-elem" in lines[0] and "\n" not in lines[0]


def test_reporting_api_format_is_accepted(client, caplog):
    body = [{"type": "csp-violation", "url": "http://localhost/", "body": {
        "documentURL": "http://localhost/", "effectiveDirective": "style-src-attr", "blockedURL": "inline"}}]
    with caplog.at_level(logging.WARNING, logger="convene.csp"):
        response = client.post("/csp-reports", data=json.dumps(body), content_type="application/reports+json")
    assert response.status_code == 204
    assert any("style-src-attr" in r.getMessage() for r in caplog.records if r.name == "convene.csp")


def test_oversized_csp_report_is_refused_and_not_logged(client, caplog):
    report = {"csp-report": dict(REPORT["csp-report"], sample="x" * CSP_REPORT_MAX_BYTES)}
    with caplog.at_level(logging.WARNING, logger="convene.csp"):
        response = client.post("/csp-reports", data=json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert not [r for r in caplog.records if r.name == "convene.csp"]


def test_malformed_csp_reports_are_refused(client):
    for body, content_type, status in [("not json", "application/csp-report", 400),
                                       ('{"something": "else"}', "application/csp-report", 400),
                                       ("[1, 2]", "application/reports+json", 400),
                                       (json.dumps(REPORT), "text/plain", 415)]:
        response = client.post("/csp-reports", data=body, content_type=content_type)
        assert response.status_code == status, body
        assert response.json["request_id"] == response.headers["X-Request-ID"]


def test_a_trusted_proxy_request_id_is_kept_and_junk_is_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-0123456789"}).headers["X-Request-ID"] == "lb-0123456789"
    replaced = client.get("/healthz", headers={"X-Request-ID": "evil id <script>"}).headers["X-Request-ID"]
    assert replaced != "evil id <script>" and len(replaced) == 32


def test_unexpected_error_logs_one_line_with_the_request_id_the_user_sees(app, client, caplog, monkeypatch):
    from workspace.request_log import LOG_FORMAT, OneLineFormatter, RequestIdFilter

    def boom():
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setitem(app.view_functions, "operations.healthz", boom)
    with caplog.at_level(logging.ERROR):
        response = client.get("/healthz")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)
    record = next(r for r in caplog.records if r.levelno == logging.ERROR)
    RequestIdFilter().filter(record)
    line = OneLineFormatter(LOG_FORMAT).format(record)
    assert f"[{request_id}]" in line and "kaboom" in line and "Traceback" in line and "\n" not in line

