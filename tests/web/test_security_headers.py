"""Security headers on every route of the app (a table over app.url_map, like the permission table).

Each route is requested as someone allowed to use it and as an anonymous visitor; whatever the answer
(a page, a redirect, a refusal, JSON, a static file), it must carry the headers. HTML pages must also
contain nothing the Content-Security-Policy would refuse: inline scripts without the nonce, inline
event handlers, javascript: URLs or style attributes.
"""
import json
import re

import pytest

from tests.conftest import csrf_from, sign_in
from tests.permission_rows import merged
from tests.permission_rows.actors import ACTORS
from tests.web.test_permissions import _api_headers, _fill, world  # noqa: F401  (world is a fixture)

TABLE = merged("TABLE")
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request.path}: no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response, *, html_checks: bool = True) -> None:
    where = f"{response.request.method} {response.request.path} -> {response.status_code}"
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert "camera=()" in headers.get("Permissions-Policy", ""), where
    assert headers.get("X-Request-ID"), where
    assert "Strict-Transport-Security" not in headers, f"{where}: HSTS outside production"
    csp = policy_of(response)
    scripts = csp["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    nonces = [v for v in scripts if v.startswith("'nonce-")]
    assert len(nonces) == 1, where
    assert "'unsafe-inline'" not in csp["style-src"], where
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    assert csp["connect-src"] == ["'self'", "ws://localhost"], where
    assert csp["report-uri"] == ["/csp-reports"], where
    if html_checks and response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        nonce = nonces[0][len("'nonce-"):-1]
        for attributes in SCRIPT_TAG.findall(html):
            if "src=" in attributes:
                assert re.search(r'src="/(?!/)', attributes), f"{where}: script from elsewhere: {attributes}"
            elif 'type="application/json"' not in attributes:
                assert f'nonce="{nonce}"' in attributes, f"{where}: inline script without the nonce"
        assert not INLINE_HANDLER.search(html), f"{where}: inline event handler {INLINE_HANDLER.search(html)[0]}"
        assert not STYLE_ATTRIBUTE.search(html), f"{where}: style attribute {STYLE_ATTRIBUTE.search(html)[0]}"
        assert "javascript:" not in html.lower(), f"{where}: javascript: URL"


def _request(app, world, endpoint, method, actor):
    path, _allowed = TABLE[(endpoint, method)]
    url = _fill(path, world)
    email = ACTORS[actor]
    client = app.test_client()
    headers = {}
    if url.startswith("/api/"):
        headers = _api_headers(app, email)
    elif email is not None:
        assert sign_in(client, email).status_code == 302
    if method == "GET":
        return client.get(url, headers=headers)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers=headers)
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.open(url, method=method, data={"csrf_token": token}, headers=headers)


def _someone_allowed(allowed: set[str]) -> str:
    for actor in ("admin", "moderator", "participant", "not_joined", "not_convened", "outsider", "anonymous"):
        if actor in allowed:
            return actor
    raise AssertionError("nobody may use this route")


def test_every_route_is_covered_by_the_table(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == set(TABLE), "the header table walks the permission table: keep them in step"


@pytest.mark.parametrize("endpoint,method", sorted(TABLE))
def test_route_sends_security_headers_to_someone_allowed(app, world, endpoint, method):
    actor = _someone_allowed(TABLE[(endpoint, method)][1])
    response = _request(app, world, endpoint, method, actor)
    assert response.status_code < 500
    assert_security_headers(response)


@pytest.mark.parametrize("endpoint,method", sorted(TABLE))
def test_route_sends_security_headers_to_an_anonymous_visitor(app, world, endpoint, method):
    response = _request(app, world, endpoint, method, "anonymous")
    assert response.status_code < 500
    assert_security_headers(response)


def test_each_response_has_its_own_nonce_and_the_page_carries_it(client):
    first, second = client.get("/login"), client.get("/login")
    nonce = policy_of(first)["script-src"][1][len("'nonce-"):-1]
    assert nonce != policy_of(second)["script-src"][1][len("'nonce-"):-1]
    assert f'<meta name="csp-nonce" content="{nonce}">' in first.get_data(as_text=True)


def test_errors_and_unknown_pages_carry_the_headers(client):
    assert_security_headers(client.get("/no-such-page"))
    api = client.get("/api/v1/no-such-thing")
    assert_security_headers(api)
    assert api.json["request_id"] == api.headers["X-Request-ID"]


def test_error_page_shows_the_request_id_of_the_log_line(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert f'<code id="request-id">{response.headers["X-Request-ID"]}</code>' in response.get_data(as_text=True)


def test_socketio_handshake_gets_the_baseline_headers(client):
    response = client.get("/socket.io/?EIO=4&transport=polling")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") == "same-origin"


def test_websocket_origin_follows_the_request_scheme(client):
    response = client.get("/login", base_url="https://convene.example")
    assert "wss://convene.example" in policy_of(response)["connect-src"]


def test_hsts_only_in_production(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["CONVENE_ENV"] = "production"
    try:
        hsts = client.get("/login").headers.get("Strict-Transport-Security", "")
    finally:
        app.config["CONVENE_ENV"] = "development"
    assert hsts.startswith("max-age=31536000")


def test_editor_cursor_colours_match_the_hashed_style_attributes():
    """The CSP allows y-codemirror's remote-cursor styles by hash: both lists must name the same colours."""
    from pathlib import Path

    from workspace.security_headers import CURSOR_COLOURS
    source = (Path(__file__).resolve().parents[2] / "static" / "src" / "document.js").read_text()
    listed = re.search(r"CURSOR_COLOURS = \[([^\]]*)\]", source)[1]
    assert tuple(json.loads(f"[{listed}]")) == CURSOR_COLOURS


def test_signed_in_pages_are_not_stored_but_static_files_may_be(sign_in_as):
    sam = sign_in_as("sam@socialwork.test")
    assert sam.get("/profile").headers.get("Cache-Control") == "no-store"
    assert "no-store" not in (sam.get("/static/css/app.css").headers.get("Cache-Control") or "")
