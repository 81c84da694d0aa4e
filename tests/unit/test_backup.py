"""Backups that restore (issue 12): back up a running database, restore it elsewhere, and find it equal.

The source is a fresh database made by separate processes (migrations, the demo world with its boards
and glossaries, plus a document whose Yjs history is part snapshot, part update log), as an operator's
would be. Then `flask backup` and `flask restore` run as the operator runs them, and every row of every
table and every document's text are compared.
"""
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select, text

from tests import databases
from workspace.backup import BackupError, backup_database, restore_database

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
pytestmark = pytest.mark.live  # its own databases, made and filled by other processes

WRITE_HISTORY = """
from sqlalchemy import select
from workspace import create_app
from workspace.accounts.services import find_user_by_email
from workspace.documents import services as documents, store
from workspace.documents.textedit import edit_to
from workspace.extensions import db
from workspace.spaces.models import Space
app = create_app()
with app.app_context():
    priya = find_user_by_email("priya@psychiatry.test")
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    document = documents.create_document(space, title="Backed-up history", text="First words. ", actor=priya)
    db.session.commit()
    words = ["Referral ", "needs ", "consent ", "🧭 ", "and ", "a named worker. "]
    for word in words[:3]:
        doc, body, _ = store.build(document.id)
        store.append_committed([(document.id, edit_to(doc, body, str(body) + word), priya.id)])
    store.compact(document.id)   # the snapshot holds these...
    db.session.commit()
    for word in words[3:]:       # ...and the log holds the rest
        doc, body, _ = store.build(document.id)
        store.append_committed([(document.id, edit_to(doc, body, str(body) + word), priya.id)])
    print(document.id)
"""


def flask(env, *args, expect_ok=True):
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    if expect_ok:
        assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def environment(database_url, tmp_path, label):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "FLASK_APP")}
    env.update(DATABASE_URL=database_url.replace("postgresql+psycopg://", "postgresql://", 1),
               SECRET_KEY=secrets.token_hex(16), CONVENE_INSTANCE_PATH=str(tmp_path / f"instance-{label}"))
    return env


def every_row(database_url) -> dict[str, list[tuple]]:
    engine = create_engine(database_url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {name: sorted(connection.execute(select(table)).all(), key=repr)
                    for name, table in metadata.tables.items()}
    finally:
        engine.dispose()


def document_texts(database_url) -> dict[int, str]:
    """Each document's text rebuilt from its stored snapshot and update log, as a room would."""
    from pycrdt import Doc, Text
    engine = create_engine(database_url)
    texts = {}
    try:
        with engine.connect() as connection:
            for (document_id,) in connection.execute(text("SELECT id FROM documents")):
                doc = Doc()
                body = doc.get("body", type=Text)
                snapshot = connection.execute(text("SELECT state, upto_seq FROM document_snapshots "
                                                   "WHERE document_id = :d"), {"d": document_id}).first()
                after = 0
                if snapshot is not None:
                    doc.apply_update(snapshot[0])
                    after = snapshot[1]
                for (data,) in connection.execute(text("SELECT data FROM document_updates WHERE document_id = :d "
                                                       "AND seq > :s ORDER BY seq"), {"d": document_id, "s": after}):
                    doc.apply_update(data)
                texts[document_id] = str(body)
    finally:
        engine.dispose()
    return texts


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """One source database for the module: no test changes it (the refusal test checks just that)."""
    if databases.server_url() and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL backups need pg_dump and pg_restore (apt-get install postgresql-client)")
    tmp_path = tmp_path_factory.mktemp("source")
    url = databases.create_database(tmp_path, "source")
    env = environment(url, tmp_path, "source")
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    result = subprocess.run([str(BIN / "python"), "-c", WRITE_HISTORY], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    yield url, env, int(result.stdout.strip().splitlines()[-1])
    databases.drop_database(url)


@pytest.fixture
def empty(tmp_path):
    url = databases.create_database(tmp_path, "restored")
    yield url, environment(url, tmp_path, "restored")
    databases.drop_database(url)


def test_backup_then_restore_gives_back_every_row_and_every_document(source, empty, tmp_path):
    source_url, source_env, document_id = source
    target_url, target_env = empty
    backup = tmp_path / "convene.backup"

    flask(source_env, "backup", str(backup))
    flask(target_env, "restore", str(backup))

    before, after = every_row(source_url), every_row(target_url)
    assert set(before) == set(after)
    for table in before:
        assert after[table] == before[table], f"{table} differs after restore"
    assert before["document_updates"] and before["document_snapshots"]  # both halves of a history
    assert before["boards"] and before["cards"] and before["glossary_terms"]
    texts = document_texts(source_url)
    assert texts[document_id] == "First words. Referral needs consent 🧭 and a named worker. "
    assert document_texts(target_url) == texts
    # The restored copy is a working Convene: the app reads the document the same way.
    restored = flask(target_env, "db", "current")
    assert "(head)" in restored.stdout


def test_restore_into_a_database_that_is_not_empty_is_refused_and_changes_nothing(source, tmp_path):
    source_url, source_env, _ = source
    backup = tmp_path / "convene.backup"
    flask(source_env, "backup", str(backup))
    before = every_row(source_url)
    result = flask(source_env, "restore", str(backup), expect_ok=False)
    assert result.returncode != 0
    assert "not empty" in result.stderr
    assert every_row(source_url) == before


def test_backup_refuses_a_path_it_cannot_write_and_writes_nothing(source, tmp_path):
    source_url, _env, _ = source
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        # As root a mode-0500 folder is still writable; /proc refuses new files to everyone.
        target = locked if not os.access(locked, os.W_OK) else Path("/proc")
        with pytest.raises(BackupError, match="Cannot write"):
            backup_database(source_url, target / "convene.backup")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
    with pytest.raises(BackupError, match="does not exist"):
        backup_database(source_url, tmp_path / "no-such-folder" / "convene.backup")
    existing = tmp_path / "already-there"
    existing.write_text("precious")
    with pytest.raises(BackupError, match="already exists"):
        backup_database(source_url, existing)
    assert existing.read_text() == "precious"


def test_restore_refuses_a_file_that_is_not_a_backup(empty, tmp_path):
    target_url, _env = empty
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database")
    with pytest.raises(BackupError, match="not a"):
        restore_database(target_url, junk)
    assert every_row(target_url) == {}


def test_postgresql_backup_without_pg_dump_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup_database("postgresql+psycopg://postgres@127.0.0.1:5432/nothing", tmp_path / "convene.backup")
    assert list(tmp_path.iterdir()) == []
