"""The real production server (gunicorn as gunicorn.conf.py sets it up) on a fresh database, for live tests.

Live and browser tests talk to it over real sockets: the Flask-SocketIO test client skips the
Engine.IO layer (origin checks, transports, server-initiated disconnects), so only a process
serving `wsgi:app` exercises what people actually get.
"""
import os
import re
import secrets
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests import databases

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "convene-demo"
REFERRAL = "Referral guidelines"
CRISIS = "Crisis response policy 2027"
STARTUP_SECONDS = 60


@dataclass
class LiveServer:
    url: str
    env: dict
    log_path: Path
    process: subprocess.Popen
    _space_ids: dict = field(default_factory=dict)

    def flask(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """Run `flask --app wsgi ARGS` against this server's database and message queue."""
        result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def create_token(self, email: str) -> str:
        """Create a personal API token with the CLI; it prints the token alone on its last line."""
        return self.flask("create-token", email).stdout.strip().splitlines()[-1]

    def space_id(self, title: str) -> int:
        """The id of a demo space, read through the API as an administrator would."""
        if not self._space_ids:
            token = self.create_token("admin@convene.test")
            response = requests.get(f"{self.url}/api/v1/spaces", timeout=10,
                                    headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
            self._space_ids.update({s["title"]: s["id"] for s in response.json()["items"]})
        return self._space_ids[title]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(session: requests.Session, server: LiveServer, path: str, data: dict | None = None, *,
              page: str = "/") -> requests.Response:
    """POST a form with a CSRF token taken from `page`, as the browser would; do not follow redirects."""
    html = session.get(server.url + page, timeout=10).text
    return session.post(server.url + path, data={"csrf_token": csrf_from(html), **(data or {})},
                        allow_redirects=False, timeout=10)


def sign_in(server: LiveServer, email: str, password: str = PASSWORD) -> requests.Session:
    """Sign in through the /login form and return the session holding its cookie."""
    session = requests.Session()
    response = post_form(session, server, "/login", {"email": email, "password": password}, page="/login")
    assert response.status_code == 302, f"sign-in as {email} failed: {response.status_code}\n{response.text[:500]}"
    return session


def register(server: LiveServer, *, display_name: str = "Test Person") -> str:
    """Register a new person through the /register form and return their unique email."""
    email = f"live-{uuid.uuid4().hex[:10]}@example.test"
    response = post_form(requests.Session(), server, "/register",
                         {"email": email, "display_name": display_name, "password": PASSWORD},
                         page="/register")
    assert response.status_code == 302, f"registration failed: {response.status_code}\n{response.text[:500]}"
    return email


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(database_url: str, instance_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "SOCKETIO_CHANNEL", "FLASK_APP", "CONVENE_ENV")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=secrets.token_hex(32),
               CONVENE_INSTANCE_PATH=str(instance_path), CONVENE_ENV="development", PYTHONUNBUFFERED="1")
    if os.environ.get("SOCKETIO_MESSAGE_QUEUE"):
        env["SOCKETIO_MESSAGE_QUEUE"] = os.environ["SOCKETIO_MESSAGE_QUEUE"]
        # Its own pub/sub channel: every live server of this and any concurrent run shares one Redis,
        # and rooms have the same names in each (space:1), so they would hear each other's events.
        env["SOCKETIO_CHANNEL"] = f"convene-test-{uuid.uuid4().hex[:12]}"
    return env


def _wait_until_serving(server: LiveServer) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            # The master accepts connections before its worker has loaded the app: a slow boot on a
            # busy machine shows up as a read timeout, not a refusal.
            if requests.get(f"{server.url}/login", timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False


def _start(env: dict, log_path: Path) -> LiveServer:
    for _attempt in range(3):  # the free port may be taken between probing and binding
        port = _free_port()
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
                 "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, log_path=log_path, process=process)
        if _wait_until_serving(server):
            return server
        _stop(process)
    pytest.fail(f"the live server did not start; its log:\n{log_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _report(request, text: str) -> None:
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n===== live server log ({request.node.nodeid or 'session'}) =====\n{text}\n===== end of log =====")


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory):
    """Serve wsgi:app with gunicorn on a fresh, migrated, demo-seeded database; yield a LiveServer."""
    for tool in ("gunicorn", "flask"):
        assert (BIN / tool).exists(), f"{BIN / tool} is missing: run `make setup`"
    assert (ROOT / "static" / "dist" / "meta.json").exists(), "the front-end bundle is missing: run `make setup`"
    tmp = tmp_path_factory.mktemp("live")
    database_url = databases.create_database(tmp, "live")
    try:
        env = _server_env(database_url, tmp / "instance")
        log_path = tmp / "server.log"
        for args in (("db", "upgrade"), ("seed-demo",)):
            result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        failed_before = request.session.testsfailed
        server = _start(env, log_path)
        try:
            yield server
        finally:
            _stop(server.process)
            if request.session.testsfailed > failed_before:
                _report(request, server.log())
    finally:
        databases.drop_database(database_url)
