"""The permission table: every route and socket event, for every kind of actor, allowed or refused.

A route or socket event missing from the table (tests/permission_rows/) fails the test, so a new
one cannot ship without someone deciding who may use it.
"""
import json

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, sign_in
from tests.permission_rows import build_all, merged
from tests.permission_rows.actors import ACTORS, SIGNED_IN
from workspace import policy
from workspace.accounts import services as accounts
from workspace.extensions import db, socketio
from workspace.spaces.models import Space

TABLE = merged("TABLE")
SOCKET_TABLE = merged("SOCKET_TABLE")
LIFECYCLE = {"connect", "disconnect"}  # any signed-in person may connect; anonymous is refused


@pytest.fixture
def world(app):
    with app.app_context():
        ids = build_all()
        db.session.commit()
    return ids


def _fill(template, ids):
    """Fill {name} placeholders; a payload value that is exactly "{name}" becomes the raw id."""
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in ids:
            return ids[template[1:-1]]
        return template.format(**ids)
    if isinstance(template, dict):
        return {k: _fill(v, ids) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, ids) for v in template]
    return template


def _api_headers(app, email):
    if email is None:
        return {}
    with app.app_context():
        _, secret = accounts.create_api_token(accounts.find_user_by_email(email), name="permission test")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _outcome(response) -> str:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.status_code != 400, "request was malformed (CSRF?): " + response.get_data(as_text=True)[:300]
    if response.status_code in (401, 403, 404):
        return "deny"
    if response.status_code in (301, 302, 303) and "/login?next=" in response.headers.get("Location", ""):
        return "deny"  # Flask-Login's "please sign in" redirect (a plain /login redirect follows sign-out)
    return "allow"


def test_every_route_is_in_the_table(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - set(TABLE) == set(), "routes missing from the permission table"
    assert set(TABLE) - routes == set(), "table rows for routes that no longer exist"


def test_every_socket_event_is_in_the_table(app):
    registered = set(socketio.server.handlers.get("/", {}))
    assert registered == set(SOCKET_TABLE) | LIFECYCLE


@pytest.mark.parametrize("endpoint,method,actor", [
    pytest.param(e, m, a, id=f"{e}-{m}-{a}") for (e, m) in TABLE for a in ACTORS])
def test_permission(app, world, endpoint, method, actor):
    path, allowed = TABLE[(endpoint, method)]
    url = _fill(path, world)
    email = ACTORS[actor]
    client = app.test_client()
    headers = {}
    if url.startswith("/api/"):
        headers = _api_headers(app, email)
    elif email is not None:
        assert sign_in(client, email).status_code == 302
    if method == "GET":
        response = client.get(url, headers=headers)
    elif url.startswith("/api/"):
        response = client.open(url, method=method, json={}, headers=headers)
    else:
        token = csrf_from(client.get("/").get_data(as_text=True))
        response = client.open(url, method=method, data={"csrf_token": token}, headers=headers)
    expected = "allow" if actor in allowed else "deny"
    assert _outcome(response) == expected, f"{actor} {method} {url} -> {response.status_code}"


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_only_signed_in_people_may_connect(app, actor):
    client = app.test_client()
    if ACTORS[actor]:
        sign_in(client, ACTORS[actor])
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.is_connected() is (actor in SIGNED_IN)
    if sio.is_connected():
        sio.disconnect()


@pytest.mark.parametrize("event,actor", [
    pytest.param(e, a, id=f"{e}-{a}") for e in SOCKET_TABLE for a in sorted(SIGNED_IN)])
def test_socket_event_permission(app, world, event, actor):
    payload, allowed, *setup = SOCKET_TABLE[event]
    client = app.test_client()
    sign_in(client, ACTORS[actor])
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.is_connected()
    for before, before_payload in (setup[0] if setup else []):
        sio.emit(before, _fill(before_payload, world), callback=True)
    args = _fill(payload, world)
    ack = sio.emit(event, *args, callback=True) if isinstance(args, list) else sio.emit(event, args, callback=True)
    expected = actor in allowed
    assert ack["ok"] is expected, f"{actor} {event}: {json.dumps(ack)[:300]}"
    if not expected:
        assert ack["error"]
    sio.disconnect()


@pytest.mark.parametrize("actor", sorted(SIGNED_IN))
def test_space_lists_agree_with_the_per_object_rule(app, world, actor):
    email = ACTORS[actor]
    with app.app_context():
        user = accounts.find_user_by_email(email)
        all_ids = set(db.session.scalars(select(Space.id)))
        visible = {s.id for s in db.session.scalars(select(Space)) if policy.can_view_space(user, s)}
    listed = app.test_client().get("/api/v1/spaces", headers=_api_headers(app, email)).json["items"]
    assert {s["id"] for s in listed} == visible
    client = app.test_client()
    sign_in(client, email)
    html = client.get("/spaces").get_data(as_text=True)
    for space_id in all_ids:
        assert (f'href="/spaces/{space_id}"' in html) is (space_id in visible)
