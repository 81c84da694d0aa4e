"""Each socket's access to each document it has open, kept between messages and dropped when it may change.

Checking identity and policy on every keystroke cost ~8 SQL statements (on SQLite inside the single
write lock). The result of that check — the socket's user, its role on the document, why writes are
refused, the identity its cursor carries — is kept per (socket, document) and thrown away:
- at once, in every process of this app, after any transaction that changes an input of the check
  (a user's admin flag or deactivation, a session or token revoked, a community or space membership,
  a space's convened communities or status, a document's status or space): the committing process
  drops its whole cache and, with a message queue, sends a `convene:access` notice that makes every
  other process drop theirs before it handles another message;
- when the socket closes (a revocation closes it: accounts.services, and the sweeper on other processes);
- within a second when another process that cannot notify this one (several processes without a
  message queue, or the command line) made such a change: the same commits bump the one-row
  `access_version` counter, which each process's relay thread reads once a second (`poll_version`);
  reading one number per process is what keeps 25 typists from each paying a full check a second;
- and in any case after DOCUMENT_ACCESS_RECHECK_SECONDS (30 s), a last backstop.
So a role revoked mid-session takes effect on the next message (within a second across processes with
no message queue).
"""
import threading
import time
from dataclasses import dataclass

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Delete, Insert, Update

ACCESS_NOTICE = "convene:access"
_FLAG = "convene_access_changed"
# class name -> the attributes whose change can change a role (None: any change, or a new or deleted row)
_WATCHED = {"User": ("is_admin", "deactivated_at"), "LoginSession": ("revoked_at",), "ApiToken": ("revoked_at",),
            "Membership": None, "SpaceMember": None, "SpaceCommunity": None, "Space": ("status",),
            "Document": ("status", "space_id")}
_WATCHED_TABLES = {"users", "login_sessions", "api_tokens", "memberships", "space_members", "space_communities",
                   "spaces", "documents"}
_HARMLESS_COLUMNS = {"documents": {"last_seq"}, "api_tokens": {"last_used_at"}}


@dataclass
class Access:
    user_id: int
    role: str                 # "editor" or "viewer"
    refusal: str | None       # why this socket's writes are refused (viewers)
    identity: dict            # what its cursor says: {"name", "communities", "user_id"}
    epoch: int
    checked_at: float


class AccessCache:
    def __init__(self):
        self._entries: dict[tuple[str, int], Access] = {}
        self._lock = threading.Lock()
        self.epoch = 0
        self.seen_version: int | None = None  # the access_version this process last read

    def get(self, sid: str, document_id: int, max_age: float) -> Access | None:
        access = self._entries.get((sid, document_id))
        if access is None or access.epoch != self.epoch or time.monotonic() - access.checked_at > max_age:
            return None
        return access

    def put(self, sid: str, document_id: int, *, user_id: int, role: str, refusal: str | None,
            identity: dict, epoch: int) -> Access:
        """Keep a check's result; `epoch` is the one read before the check began (a change meanwhile wins)."""
        access = Access(user_id, role, refusal, identity, epoch, time.monotonic())
        with self._lock:
            self._entries[(sid, document_id)] = access
        return access

    def forget(self, sid: str, document_id: int | None = None) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == sid and (document_id is None or k[1] == document_id)]:
                del self._entries[key]

    def invalidate(self) -> None:
        with self._lock:
            self.epoch += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


cache = AccessCache()


def poll_version(session) -> None:
    """Drop the cache if any process committed an access change since the last read (once a second)."""
    from workspace.presence.models import AccessVersion
    version = session.scalar(select(AccessVersion.version).where(AccessVersion.id == 1)) or 0
    if version != cache.seen_version:
        cache.invalidate()  # the first read too: entries may predate it
        cache.seen_version = version


def _mark_changed(session) -> None:
    """Flag the transaction (drop caches after commit) and bump the counter other processes read."""
    from workspace.presence.models import AccessVersion
    session.info[_FLAG] = True
    session.connection().execute(update(AccessVersion).where(AccessVersion.id == 1)
                                 .values(version=AccessVersion.version + 1))


def _changes_access(obj) -> bool:
    attributes = _WATCHED.get(type(obj).__name__, ())
    if attributes is None:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


@event.listens_for(Session, "after_flush")
def _note_flush(session, _context) -> None:
    if session.info.get(_FLAG):
        return
    for obj in session.deleted:
        if type(obj).__name__ in _WATCHED:
            return _mark_changed(session)
    for obj in session.new:
        if _WATCHED.get(type(obj).__name__, ()) is None:
            return _mark_changed(session)
    for obj in session.dirty:
        if type(obj).__name__ in _WATCHED and _changes_access(obj):
            return _mark_changed(session)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state) -> None:
    """UPDATE/DELETE/INSERT statements run through the session (not the unit of work)."""
    statement = state.statement
    if not isinstance(statement, (Update, Delete, Insert)) or state.session.info.get(_FLAG):
        return
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    if name not in _WATCHED_TABLES:
        return
    if isinstance(statement, Insert) and name not in ("memberships", "space_members", "space_communities"):
        return
    harmless = _HARMLESS_COLUMNS.get(name)
    if harmless and isinstance(statement, Update):
        values = getattr(statement, "_values", None) or {}
        keys = {getattr(k, "key", k) for k in values}
        if keys and keys <= harmless:
            return
    _mark_changed(state.session)


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.info.pop(_FLAG, False):
        cache.invalidate()
        _notify_other_processes()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(_FLAG, None)


def _notify_other_processes() -> None:
    from flask import current_app, has_app_context

    from realtime.relay import INTERNAL_ROOM
    from workspace.extensions import socketio
    if not has_app_context() or not current_app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        return
    try:
        socketio.server.emit(ACCESS_NOTICE, {}, to=INTERNAL_ROOM)
    except Exception:  # the recheck age still bounds the delay
        import logging
        logging.getLogger("convene.realtime").exception("could not send the access notice")
