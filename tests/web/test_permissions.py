"""The permission table: every route and socket event, for every kind of actor, allowed or refused.

A route or socket event that is missing from the table fails the test, so a new one cannot ship
without someone deciding who may use it. The actors are seen from the "Referral guidelines" space
(Psychiatry + Social Work) and the Social Work community, whose steward Sam moderates it.
"""
import pytest
from sqlalchemy import select

from tests.conftest import OUTSIDER, csrf_from, sign_in
from workspace import policy
from workspace.accounts import services as accounts
from workspace.accounts.models import User
from workspace.communities import services as communities
from workspace.extensions import db
from workspace.spaces import services as spaces
from workspace.spaces.models import Space

ACTORS = {
    "anonymous": None,
    "outsider": OUTSIDER,                      # belongs to no community
    "not_convened": "jo@policing.test",        # Community Policing is not convened in the space
    "not_joined": "maria@socialwork.test",     # Social Work member who has not joined the space
    "participant": "omar@psychiatry.test",
    "moderator": "sam@socialwork.test",        # also the Social Work steward
    "admin": "admin@convene.test",
}
ALL = set(ACTORS)
SIGNED_IN = ALL - {"anonymous"}
VIEWERS = {"not_joined", "participant", "moderator", "admin"}
STEWARD = {"moderator", "admin"}
NON_MEMBERS_OF_SOCIAL_WORK = {"outsider", "not_convened", "participant", "admin"}

# (endpoint, method) -> (path template, who is allowed)
TABLE = {
    ("static", "GET"): ("/static/css/app.css", ALL),
    ("pages.favicon", "GET"): ("/favicon.ico", ALL),
    ("pages.home", "GET"): ("/", ALL),
    ("accounts.register", "GET"): ("/register", ALL),
    ("accounts.register", "POST"): ("/register", ALL),
    ("accounts.login", "GET"): ("/login", ALL),
    ("accounts.login", "POST"): ("/login", ALL),
    ("accounts.logout", "POST"): ("/logout", ALL),
    ("accounts.request_password_reset", "GET"): ("/password-reset", ALL),
    ("accounts.request_password_reset", "POST"): ("/password-reset", ALL),
    ("accounts.reset_password", "GET"): ("/password-reset/not-a-real-token", ALL),
    ("accounts.reset_password", "POST"): ("/password-reset/not-a-real-token", ALL),
    ("accounts.profile", "GET"): ("/profile", SIGNED_IN),
    ("accounts.profile", "POST"): ("/profile", SIGNED_IN),
    ("accounts.create_token", "POST"): ("/profile/tokens", SIGNED_IN),
    ("accounts.revoke_token", "POST"): ("/profile/tokens/{sam_token}/revoke", {"moderator"}),
    ("communities.list_communities", "GET"): ("/communities", SIGNED_IN),
    ("communities.create_community", "GET"): ("/communities/new", {"admin"}),
    ("communities.create_community", "POST"): ("/communities/new", {"admin"}),
    ("communities.show_community", "GET"): ("/communities/social-work", SIGNED_IN),
    ("communities.create_invitation", "POST"): ("/communities/social-work/invitations", STEWARD),
    ("communities.revoke_invitation", "POST"): (
        "/communities/social-work/invitations/{invitation}/revoke", STEWARD),
    ("communities.accept_invitation", "GET"): ("/invite/{invitation_secret}", SIGNED_IN),
    ("communities.accept_invitation", "POST"): ("/invite/{invitation_secret}", SIGNED_IN),
    ("communities.request_to_join", "POST"): ("/communities/social-work/join-requests", NON_MEMBERS_OF_SOCIAL_WORK),
    ("communities.decide_join_request", "POST"): ("/join-requests/{join_request}/approve", STEWARD),
    ("communities.set_member_role", "POST"): ("/communities/social-work/members/{maria}/role", STEWARD),
    ("spaces.list_spaces", "GET"): ("/spaces", SIGNED_IN),
    ("spaces.propose_space", "GET"): ("/spaces/new", {"moderator"}),
    ("spaces.propose_space", "POST"): ("/spaces/new", {"moderator"}),
    ("spaces.show_space", "GET"): ("/spaces/{space}", VIEWERS),
    ("spaces.accept_space", "POST"): ("/spaces/{proposed}/accept", {"moderator"}),
    ("spaces.join_space", "POST"): ("/spaces/{space}/join", {"not_joined"}),
    ("spaces.archive_space", "POST"): ("/spaces/{space}/archive", STEWARD),
    ("api.get_openapi", "GET"): ("/api/v1/openapi.json", ALL),
    ("api.get_me", "GET"): ("/api/v1/me", SIGNED_IN),
    ("api.list_communities", "GET"): ("/api/v1/communities", SIGNED_IN),
    ("api.get_community", "GET"): ("/api/v1/communities/{social_work}", SIGNED_IN),
    ("api.list_spaces", "GET"): ("/api/v1/spaces", SIGNED_IN),
    ("api.propose_space", "POST"): ("/api/v1/spaces", {"moderator"}),
    ("api.get_space", "GET"): ("/api/v1/spaces/{space}", VIEWERS),
    ("api.accept_space", "POST"): ("/api/v1/spaces/{proposed}/accept", {"moderator"}),
    ("api.join_space", "POST"): ("/api/v1/spaces/{space}/join", {"not_joined"}),
    ("api.archive_space", "POST"): ("/api/v1/spaces/{space}/archive", STEWARD),
}

# Socket events: who may send them about the space (connecting at all needs an account).
SOCKET_TABLE = {
    "connect": SIGNED_IN,
    "disconnect": SIGNED_IN,
    "join_space": VIEWERS,
    "leave_space": VIEWERS,
}


def _user(email):
    return accounts.find_user_by_email(email)


@pytest.fixture
def world(app):
    """Objects the table's paths point at, created inside the test's rolled-back transaction."""
    with app.app_context():
        sam, priya = _user("sam@socialwork.test"), _user("priya@psychiatry.test")
        social_work = communities.find_community("social-work")
        psychiatry = communities.find_community("psychiatry")
        space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
        proposed = spaces.propose_space(proposing=psychiatry, invited=[social_work], title="A proposal",
                                        purpose="To test consent.", actor=priya)
        invitation, secret = communities.create_invitation(social_work, actor=sam)
        join_request = communities.request_to_join(social_work, actor=_user(OUTSIDER))
        token, _ = accounts.create_api_token(sam, name="sam's script")
        ids = {"space": space.id, "proposed": proposed.id, "invitation": invitation.id,
               "invitation_secret": secret, "join_request": join_request.id, "sam_token": token.id,
               "maria": _user("maria@socialwork.test").id, "social_work": social_work.id}
        db.session.commit()
    return ids


def _api_headers(app, email):
    if email is None:
        return {}
    with app.app_context():
        _, secret = accounts.create_api_token(_user(email), name="permission test")
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


def _cases():
    for (endpoint, method) in TABLE:
        for actor in ACTORS:
            yield pytest.param(endpoint, method, actor, id=f"{endpoint}-{method}-{actor}")


def test_every_route_is_in_the_table(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - set(TABLE) == set(), "routes missing from the permission table"
    assert set(TABLE) - routes == set(), "table rows for routes that no longer exist"


def test_every_socket_event_is_in_the_table(app):
    from workspace.extensions import socketio
    registered = set(socketio.server.handlers.get("/", {}))
    assert registered == set(SOCKET_TABLE)


@pytest.mark.parametrize("endpoint,method,actor", list(_cases()))
def test_permission(app, world, endpoint, method, actor):
    path, allowed = TABLE[(endpoint, method)]
    url = path.format(**world)
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
        response = client.post(url, json={}, headers=headers)
    else:
        token = csrf_from(client.get("/").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token}, headers=headers)
    expected = "allow" if actor in allowed else "deny"
    assert _outcome(response) == expected, f"{actor} {method} {url} -> {response.status_code}"


@pytest.mark.parametrize("actor", sorted(ACTORS))
@pytest.mark.parametrize("event", ["join_space", "leave_space"])
def test_socket_event_permission(app, world, actor, event):
    from workspace.extensions import socketio
    client = app.test_client()
    email = ACTORS[actor]
    if email is not None:
        sign_in(client, email)
    sio = socketio.test_client(app, flask_test_client=client)
    if email is None:
        assert not sio.is_connected(), "anonymous sockets must be refused"
        return
    assert sio.is_connected()
    if event == "leave_space":
        sio.emit("join_space", {"space_id": world["space"]}, callback=True)
    ack = sio.emit(event, {"space_id": world["space"]}, callback=True)
    expected = actor in SOCKET_TABLE[event]
    assert ack["ok"] is expected, ack
    if not expected:
        assert ack["error"]
    sio.disconnect()


@pytest.mark.parametrize("actor", sorted(SIGNED_IN))
def test_space_lists_agree_with_the_per_object_rule(app, world, actor):
    email = ACTORS[actor]
    with app.app_context():
        user = _user(email)
        visible = {s.id for s in db.session.scalars(select(Space)) if policy.can_view_space(user, s)}
    listed = app.test_client().get("/api/v1/spaces", headers=_api_headers(app, email)).json["items"]
    assert {s["id"] for s in listed} == visible
    client = app.test_client()
    sign_in(client, email)
    html = client.get("/spaces").get_data(as_text=True)
    for space_id in visible:
        assert f'href="/spaces/{space_id}"' in html
    with app.app_context():
        hidden = {s.id for s in db.session.scalars(select(Space))} - visible
    for space_id in hidden:
        assert f'href="/spaces/{space_id}"' not in html
