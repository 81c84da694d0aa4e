"""Two app processes on one PostgreSQL and one Redis: kill -9 one while everyone types; nobody is left behind.

Editors on both processes type at once; one process is killed with SIGKILL (master and worker) mid-stream,
so some of its updates are stored but never relayed by it. The editors of the surviving process must
still get them (it relays what the durable log holds beyond what it relayed), the killed process's
editors reconnect to the survivor, and then every copy is equal, equal to what is stored, and holds
every acknowledged insert. On PostgreSQL + Redis (CI's second pass) new updates reach the other process
through a `convene:stored` notice; on SQLite with no message queue (the first pass) through the relay's
once-a-second poll of the durable log.
"""
import os
import threading
import time

import pytest

from tests.realtime.restartable import RestartableServer, drop, make_restartable
from tests.realtime.test_documents_live import (EDITORS, OPENING, SEED, check_markers, close_all, converged,
                                                create_document, markers_in, open_clients, stored_text)
from tests.realtime.yclient import Typist

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")) != bool(os.environ.get("SOCKETIO_MESSAGE_QUEUE")),
                       reason="runs on PostgreSQL + Redis, or on SQLite with no message queue"),
]


def second_process(first: RestartableServer, log_path) -> RestartableServer:
    """Another gunicorn on the same database, Redis channel and SECRET_KEY (docs/deploy.md)."""
    other = RestartableServer(url="", env=dict(first.env), log_path=log_path, process=None)
    other.threads, other.app_module, other.database_url = first.threads, first.app_module, first.database_url
    other.tokens = first.tokens
    other._space_ids.update(first._space_ids)
    return other.start()


def test_killing_one_of_two_processes_strands_no_editor(tmp_path, request):
    (tmp_path / "a").mkdir()
    a = make_restartable(tmp_path / "a", emails=EDITORS)
    b = None
    clients = []
    try:
        b = second_process(a, tmp_path / "b.log")
        token = a.tokens[EDITORS[0]]
        document_id = create_document(a, token, "Two processes", OPENING)
        on_a = open_clients(a, a.tokens, document_id, emails=EDITORS[:2])
        on_b = open_clients(b, b.tokens, document_id, emails=EDITORS[2:4])
        clients = on_a + on_b
        typists = [Typist(c, seed=SEED + 40 + i, tag=f"{c.name}{i}", marker_every=2) for i, c in enumerate(clients)]
        stop, killed = threading.Event(), threading.Event()

        def type_on(typist: Typist) -> None:
            deadline = time.monotonic() + 120
            while not stop.is_set() and time.monotonic() < deadline:
                if typist.client in on_a and killed.is_set() and not typist.client.connected:
                    for _ in range(5):               # keeps typing into the local copy while cut off
                        typist.step()
                    return
                typist.step()
                time.sleep(0.01)

        threads = [threading.Thread(target=type_on, args=(t,)) for t in typists]
        for thread in threads:
            thread.start()
        clients[0].wait_until(lambda: sum(e.state == "acked" for c in on_a for e in c.edits) >= 150,
                              timeout=90, message="150 acknowledged updates on the first process")
        a.kill_9()
        killed.set()
        for client in on_a:
            client.wait_until(lambda c=client: not c.connected, message="the connection to drop")
        time.sleep(1.5)                               # the survivor's editors go on typing meanwhile
        for client in on_a:                           # … then the cut-off editors move over
            client.connect(b.url)
            assert client.join(document_id)["ok"]
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        for client in clients:
            client.wait_acked()

        final = converged(clients, timeout=30)
        assert stored_text(b, token, document_id) == final
        check_markers(final, clients)
        assert set(markers_in(final)) == set().union(*(c.all_markers() for c in clients))
    finally:
        close_all(clients)
        if request.session.testsfailed:
            print(f"\n===== first process log =====\n{a.log()[-8000:]}\n===== second process log =====\n"
                  f"{b.log()[-8000:] if b else ''}\n===== end =====")
        if b is not None:
            b.stop()
        drop(a)
