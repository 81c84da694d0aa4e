"""A live server that can be killed with SIGKILL (master and worker) and started again on the same database.

`tests/live_server.py` starts gunicorn in pytest's own process group, so killing that group would kill
the test run. This variant starts it in a new session: `kill_9()` sends SIGKILL to the whole group
(gunicorn's master and its worker at once, as a power cut or the OOM killer would), and `restart()`
serves the same database again, on the same port when it is free.

Setting up its database (migrate, seed the demo world, make API tokens) runs in one process
(`python -m tests.realtime.restartable setup EMAIL…`) instead of one `flask` command per step: each
command start costs seconds on a busy machine.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests import databases
from tests.live_server import BIN, ROOT, STARTUP_SECONDS, LiveServer, _free_port, _server_env


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class RestartableServer(LiveServer):
    port: int = 0
    threads: int = 100
    app_module: str = "wsgi:app"
    database_url: str = ""
    tokens: dict = {}

    def start(self, port: int | None = None) -> "RestartableServer":
        for _attempt in range(3):
            self.port = port if port and _port_free(port) else _free_port()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--threads", str(self.threads),
                     "--bind", f"127.0.0.1:{self.port}", self.app_module],
                    cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            self.url = f"http://127.0.0.1:{self.port}"
            if self._wait_until_serving():
                return self
            self.kill_9()
            port = None
        pytest.fail(f"the restartable server did not start; its log:\n{self.log()}")

    def _wait_until_serving(self) -> bool:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if requests.get(f"{self.url}/login", timeout=5).status_code == 200:
                    return True
            except requests.RequestException:  # refused while booting, or slow on a busy machine
                pass
            time.sleep(0.1)
        return False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_9(self) -> None:
        """SIGKILL the server's whole process group (gunicorn master and worker) and reap it."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10  # the worker is in the same group: wait until none of it is left
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)

    def stop(self) -> None:
        """A graceful stop (SIGTERM to the master), then SIGKILL for anything that lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        self.kill_9()

    def restart(self) -> "RestartableServer":
        return self.start(self.port)

    def space_id(self, title: str) -> int:
        return self._space_ids[title]


def make_restartable(tmp: Path, *, emails=(), threads: int = 100, extra_env: dict | None = None,
                     app_module: str = "wsgi:app") -> RestartableServer:
    """A fresh database (SQLite, or PostgreSQL under TEST_DATABASE_URL), migrated and seeded, with an
    API token for each of `emails` (in `.tokens`), served by gunicorn."""
    database_url = databases.create_database(tmp, "restartable")
    env = _server_env(database_url, tmp / "instance")
    env.update(extra_env or {})
    result = subprocess.run([str(BIN / "python"), "-m", "tests.realtime.restartable", "setup", *emails],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"setting up the database failed:\n{result.stdout}\n{result.stderr}"
    prepared = json.loads(result.stdout.strip().splitlines()[-1])
    server = RestartableServer(url="", env=env, log_path=tmp / "server.log", process=None)
    server.threads, server.app_module, server.database_url = threads, app_module, database_url
    server.tokens = prepared["tokens"]
    server._space_ids.update(prepared["spaces"])
    return server.start()


def another_process(server: RestartableServer, log_path: Path) -> RestartableServer:
    """A second app process on the same database (and message queue, if any), started."""
    other = RestartableServer(url="", env=server.env, log_path=log_path, process=None)
    other.threads, other.app_module, other.database_url = server.threads, server.app_module, server.database_url
    other.tokens = server.tokens
    other._space_ids.update(server._space_ids)
    return other.start()


def drop(server: RestartableServer) -> None:
    server.stop()
    databases.drop_database(server.database_url)


def _setup(emails) -> dict:
    """Migrate, seed the demo world, make tokens; return {"tokens": {email: token}, "spaces": {title: id}}."""
    from flask_migrate import upgrade

    from wsgi import app
    from workspace.accounts import services as accounts
    from workspace.demo import seed_demo
    from workspace.extensions import db
    from workspace.spaces.models import Space

    with app.app_context():
        upgrade()
        seed_demo()
        tokens = {email: accounts.create_api_token(accounts.find_user_by_email(email), name="live test")[1]
                  for email in emails}
        db.session.commit()
        spaces = {space.title: space.id for space in db.session.scalars(db.select(Space))}
    return {"tokens": tokens, "spaces": spaces}


if __name__ == "__main__" and sys.argv[1:2] == ["setup"]:
    print(json.dumps(_setup(sys.argv[2:])))
