"""Live Socket.IO fixtures: one gunicorn server for this directory, tokens and signed-in sessions."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.live_server import live_server, sign_in  # noqa: F401  (live_server is a fixture)
from tests.realtime.sockets import LiveClient


# The people these tests connect as; their tokens are minted together, in parallel, at first use.
PEOPLE = ("priya@psychiatry.test", "sam@socialwork.test", "omar@psychiatry.test", "jo@policing.test")


@pytest.fixture(scope="session")
def token_for(live_server):
    """Return a function giving a demo person's API token (one per person, made with the CLI).

    Each CLI call imports the whole app (seconds on a busy machine), so the usual people's tokens
    are all started at once.
    """
    with ThreadPoolExecutor(max_workers=len(PEOPLE)) as pool:
        tokens = dict(zip(PEOPLE, pool.map(live_server.create_token, PEOPLE)))

    def _token_for(email: str) -> str:
        if email not in tokens:
            tokens[email] = live_server.create_token(email)
        return tokens[email]

    return _token_for


@pytest.fixture(scope="session")
def space_ids(live_server, token_for):
    """The demo spaces' ids by title, as Priya (who sees both) lists them through the API."""
    response = requests.get(f"{live_server.url}/api/v1/spaces", timeout=10,
                            headers={"Authorization": f"Bearer {token_for('priya@psychiatry.test')}"})
    assert response.status_code == 200, response.text
    return {space["title"]: space["id"] for space in response.json()["items"]}


@pytest.fixture(scope="session")
def signed_in(live_server):
    """Return a function giving a requests session signed in through /login (one per person).

    Shared across tests because sign-in is rate-limited (5 a minute from one address); a test that
    ends its session (logout) must call `sign_in` itself instead.
    """
    sessions = {}

    def _signed_in(email: str):
        if email not in sessions:
            sessions[email] = sign_in(live_server, email)
        return sessions[email]

    return _signed_in


@pytest.fixture
def connect(live_server):
    """Return a function opening a connected LiveClient; every client is closed after the test."""
    clients = []

    def _connect(**kwargs) -> LiveClient:
        client = LiveClient(live_server.url, **kwargs)
        clients.append(client)
        return client.connect()

    yield _connect
    for client in clients:
        client.close()


@pytest.fixture
def client_for(live_server):
    """Return a function making an unconnected LiveClient (for connections expected to fail)."""
    clients = []

    def _client_for(**kwargs) -> LiveClient:
        client = LiveClient(live_server.url, **kwargs)
        clients.append(client)
        return client

    yield _client_for
    for client in clients:
        client.close()
