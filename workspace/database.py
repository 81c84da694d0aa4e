"""Engine set-up that makes SQLite safe for a threaded or gevent server, and shared column helpers."""
import sqlite3
import threading
from datetime import datetime, timezone

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use workspace.database.utcnow()")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def configure_sqlite(engine: Engine) -> None:
    """Use WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE on SQLite connections.

    pysqlite's own transaction handling breaks SAVEPOINT and starts writes lazily, which turns two
    concurrent writers into an instant "database is locked"; we take control of BEGIN ourselves.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    lock = _WriteLock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        lock.acquire(connection.connection.dbapi_connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            lock.release(connection.connection.dbapi_connection)
            raise

    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection):
        try:
            commit(dbapi_connection)
        finally:
            lock.release(dbapi_connection)

    def do_rollback(dbapi_connection):
        try:
            rollback(dbapi_connection)
        finally:
            lock.release(dbapi_connection)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback

    @event.listens_for(engine.pool, "invalidate")
    @event.listens_for(engine.pool, "close")
    def _on_gone(dbapi_connection, *_args):
        lock.release(dbapi_connection)


class _WriteLock:
    """Every SQLite transaction is a write transaction (BEGIN IMMEDIATE): queue for it here, in Python.

    SQLite's own busy handler sleeps in C and polls; under gevent that sleep blocks every greenlet,
    including the one holding the lock, so the process stalls until the busy timeout. A lock taken
    before BEGIN (cooperative once gevent patched `threading`) makes waiters yield instead, and hands
    the database over without polling delays in threaded servers too. Other processes on the same
    file still meet SQLite's busy timeout.
    """

    TIMEOUT_SECONDS = 10.0  # as PRAGMA busy_timeout: then "database is locked", as SQLite would say

    def __init__(self):
        self._lock = threading.Lock()
        self._holder: int | None = None

    def acquire(self, dbapi_connection) -> None:
        if not self._lock.acquire(timeout=self.TIMEOUT_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        self._holder = _raw_id(dbapi_connection)

    def release(self, dbapi_connection) -> None:
        if self._holder is not None and self._holder == _raw_id(dbapi_connection):
            self._holder = None
            self._lock.release()


def _raw_id(connection) -> int:
    """The driver connection's identity, whether given it or the pool's proxy around it."""
    return id(getattr(connection, "dbapi_connection", None) or connection)
