"""A gunicorn server with the demo world, started outside pytest: used by bench/boards.py only.

Tests use the shared `live_server` fixture (tests/live_server.py). The benchmark cannot yet: it runs
outside pytest, and its 100 watching sockets each hold one of gunicorn's threads, so it needs more
than live_server's fixed 100 (`start(..., threads=200)`). Once live_server.py can start a server with a
given thread count outside a fixture, the benchmark can use that and this file can go.
"""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests import databases

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class LiveServer:
    def __init__(self, url: str, env: dict):
        self.url, self.env = url, env
        self._tokens: dict[str, str] = {}

    def flask(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def token(self, email: str) -> str:
        if email not in self._tokens:
            self._tokens[email] = self.flask("create-token", email).strip().splitlines()[-1]
        return self._tokens[email]

    def api(self, email: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(email)}"
        return session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_dir: Path, *, threads: int = 100):
    database_url = databases.create_database(tmp_dir, "boards_live")
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "live-test-secret", "FLASK_APP": "wsgi",
           "CONVENE_INSTANCE_PATH": str(tmp_dir / "instance")}
    port = free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    server.flask("db", "upgrade")
    server.flask("seed-demo")
    log = open(tmp_dir / "gunicorn.log", "w")
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--threads", str(threads), "--bind",
                                f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(server.url + "/login", timeout=10).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        process.terminate()
        raise RuntimeError("the live server did not start; see " + str(tmp_dir / "gunicorn.log"))
    return server, process, database_url


def stop(process, database_url) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    databases.drop_database(database_url)
