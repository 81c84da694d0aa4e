"""Who may open a socket, and how ending a session, a token or an account closes it at once."""
import re
import uuid

import pytest
import socketio

from tests.live_server import (CRISIS, REFERRAL, cookie_header, post_form, register, sign_in)
from tests.realtime.sockets import names, presence_in

pytestmark = pytest.mark.live


def refusal(client) -> str:
    """Connect expecting a refusal; return the reason the server gave."""
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect()
    assert not client.connected
    assert client.connect_errors, "the server refused without saying why"
    reason = client.connect_errors[-1]
    return reason.get("message", "") if isinstance(reason, dict) else str(reason)


def test_anonymous_connection_is_refused_with_a_reason(client_for):
    assert "Sign in first" in refusal(client_for())


def test_unknown_api_token_is_refused(client_for):
    assert "unknown or revoked" in refusal(client_for(token="cvn_not-a-real-token"))


def test_api_token_connection_joins_a_space(connect, token_for, space_ids):
    client = connect(token=token_for("omar@psychiatry.test"))
    assert client.connected

    ack = client.join_space(space_ids[REFERRAL])

    assert ack["ok"] is True
    assert "Omar Haddad" in names(ack["present"])
    omar = next(p for p in ack["present"] if p["display_name"] == "Omar Haddad")
    assert omar["communities"] == ["Psychiatry"]


def test_session_cookie_connection_joins_a_space(connect, signed_in, space_ids):
    session = signed_in("priya@psychiatry.test")
    client = connect(cookie=cookie_header(session))

    ack = client.join_space(space_ids[CRISIS])

    assert ack["ok"] is True
    assert "Priya Raman" in names(ack["present"])


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_cross_site_page_cannot_ride_on_the_session_cookie(live_server, client_for, signed_in, transport):
    cookie = cookie_header(signed_in("priya@psychiatry.test"))
    same_site = client_for(cookie=cookie, origin=live_server.url, transports=[transport])
    cross_site = client_for(cookie=cookie, origin="http://evil.example", transports=[transport])

    same_site.connect()  # the control: this cookie, from the app's own pages, is accepted
    assert same_site.connected
    with pytest.raises(socketio.exceptions.ConnectionError):
        cross_site.connect()
    assert not cross_site.connected


def _create_token_on_profile(session, live_server) -> tuple[str, int]:
    """Create an API token through the profile page; return its secret and id."""
    name = f"live test {uuid.uuid4().hex[:8]}"
    response = post_form(session, live_server, "/profile/tokens", {"name": name}, page="/profile")
    assert response.status_code == 200, response.text[:500]
    secret = re.search(r'id="new-token">([^<]+)<', response.text).group(1)
    row = re.search(rf"<td>{re.escape(name)}</td>.*?/profile/tokens/(\d+)/revoke", response.text, re.S)
    assert row, "the new token has no Revoke button"
    return secret, int(row.group(1))


def test_revoking_a_token_closes_its_open_socket(live_server, connect, client_for, signed_in, token_for, space_ids):
    session = signed_in("priya@psychiatry.test")
    secret, token_id = _create_token_on_profile(session, live_server)
    space_id = space_ids[REFERRAL]
    watcher = connect(token=token_for("sam@socialwork.test"))
    assert watcher.join_space(space_id)["ok"]
    script = connect(token=secret)
    assert script.join_space(space_id)["ok"]
    watcher.wait_for("presence_changed", lambda d: presence_in(space_id)(d) and "Priya Raman" in names(d["present"]))

    since = watcher.mark()
    response = post_form(session, live_server, f"/profile/tokens/{token_id}/revoke", page="/profile")
    assert response.status_code == 302

    script.wait_for_disconnect()
    # The watcher sees the closed socket leave the space.
    watcher.wait_for("presence_changed", lambda d: presence_in(space_id)(d) and "Priya Raman" not in names(d["present"]),
                     since=since)
    assert "unknown or revoked" in refusal(client_for(token=secret))


def test_deactivating_an_account_closes_its_open_socket(live_server, connect):
    email = register(live_server, display_name="Dee Activated")
    client = connect(token=live_server.create_token(email))
    assert client.connected

    live_server.flask("deactivate-user", email)

    client.wait_for_disconnect()


def test_deactivated_account_cannot_open_a_socket(live_server, client_for):
    email = register(live_server, display_name="Dee Parted")
    token = live_server.create_token(email)

    live_server.flask("deactivate-user", email)

    assert "unknown or revoked" in refusal(client_for(token=token))


def test_signing_out_closes_that_sessions_socket(live_server, connect, client_for, token_for, space_ids):
    session = sign_in(live_server, "omar@psychiatry.test")  # its own session: this test ends it
    cookie = cookie_header(session)
    space_id = space_ids[REFERRAL]
    watcher = connect(token=token_for("sam@socialwork.test"))
    assert watcher.join_space(space_id)["ok"]
    tab = connect(cookie=cookie)
    assert tab.join_space(space_id)["ok"]
    watcher.wait_for("presence_changed", lambda d: presence_in(space_id)(d) and "Omar Haddad" in names(d["present"]))

    since = watcher.mark()
    response = post_form(session, live_server, "/logout")
    assert response.status_code == 302

    tab.wait_for_disconnect()
    watcher.wait_for("presence_changed", lambda d: presence_in(space_id)(d) and "Omar Haddad" not in names(d["present"]),
                     since=since)
    # The old cookie no longer opens a socket.
    assert "Sign in first" in refusal(client_for(cookie=cookie))


def test_websocket_handshakes_decline_permessage_deflate(live_server):
    """Browsers offer permessage-deflate; compressing tiny Yjs frames costs more than it saves (issue 13)."""
    import base64
    import os
    import socket
    from urllib.parse import urlparse
    address = urlparse(live_server.url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {address.netloc}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nOrigin: {live_server.url}\r\n"
               f"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = conn.recv(4096)
            if not chunk:
                break
            response += chunk
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.startswith("http/1.1 101"), head
    assert "sec-websocket-extensions" not in head, head
