"""Live presence per room, kept in the database so every process agrees on who is here.

Each kind of room registers an announcer that publishes its own `*_presence_changed` event, so a
socket that drops tells every room it was in.
"""
import hashlib
import os
import uuid
from datetime import timedelta
from typing import Callable

from sqlalchemy import delete, select, text

from workspace.accounts.models import SocketConnection, User
from workspace.extensions import db
from workspace.database import utcnow
from workspace.presence.models import Presence, ProcessSocket, ServerProcess

_ANNOUNCERS: dict[str, Callable[[str], None]] = {}


def register_announcer(kind: str, announce: Callable[[str], None]) -> None:
    """`announce(room)` publishes the room's new presence list; `kind` is the room prefix."""
    _ANNOUNCERS[kind] = announce


def record_connection(sid: str, user: User, *, login_session_id=None, api_token_id=None) -> None:
    db.session.merge(SocketConnection(sid=sid, user_id=user.id, login_session_id=login_session_id,
                                      api_token_id=api_token_id))
    beat()
    db.session.merge(ProcessSocket(sid=sid, process_id=process_id()))
    db.session.flush()


# --- processes and their heartbeats -----------------------------------------------------------------
# Each process that holds sockets beats every few seconds (realtime/connection.py's sweeper); the sockets
# and presence of a process that stopped beating (killed, crashed, cut off) are expired by the others.
_PROCESS = {"pid": None, "id": None}


def process_id() -> str:
    """This process's id (new after a fork: a forked worker is another process)."""
    if _PROCESS["pid"] != os.getpid():
        _PROCESS.update(pid=os.getpid(), id=uuid.uuid4().hex)
    return _PROCESS["id"]


def beat() -> None:
    """Say this process is alive (the caller commits).

    One upsert, not a read then a write: many sockets of one process connect at once (greenlets
    interleave on PostgreSQL), and two of them must not both insert the process's row.
    """
    from sqlalchemy.dialects import postgresql, sqlite
    table = ServerProcess.__table__
    now = utcnow()
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(table).values(id=process_id(), started_at=now, heartbeat_at=now)
                       .on_conflict_do_update(index_elements=[table.c.id], set_={"heartbeat_at": now}))


def expire_dead_processes(*, dead_after: float) -> list[str]:
    """Forget every socket (and its presence, announced) of processes silent for `dead_after` seconds;
    return the socket ids expired. The caller commits."""
    cutoff = utcnow() - timedelta(seconds=dead_after)
    dead = list(db.session.scalars(select(ServerProcess.id).where(
        ServerProcess.heartbeat_at < cutoff, ServerProcess.id != process_id())))
    expired = []
    for dead_id in dead:
        for sid in list(db.session.scalars(select(ProcessSocket.sid).where(ProcessSocket.process_id == dead_id))):
            forget_connection(sid)
            expired.append(sid)
        db.session.execute(delete(ServerProcess).where(ServerProcess.id == dead_id))
    db.session.flush()
    return expired


def _lock_rooms(rooms) -> None:
    """Serialise presence changes per room until commit, so each announced list sees the others.

    Without it, on PostgreSQL two people leaving at once each announce a list still showing the
    other (neither has committed yet), and everyone keeps seeing a ghost. SQLite needs nothing:
    BEGIN IMMEDIATE already serialises every write transaction. Sorted, so two locks never deadlock.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for room in sorted(set(rooms)):
        key = int.from_bytes(hashlib.blake2b(room.encode(), digest_size=8).digest(), "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def forget_connection(sid: str) -> list[str]:
    """Drop a closed socket and re-announce every room it was in; return those rooms."""
    rooms = list(db.session.scalars(select(Presence.room).where(Presence.sid == sid)))
    _lock_rooms(rooms)
    db.session.execute(delete(Presence).where(Presence.sid == sid))
    db.session.execute(delete(ProcessSocket).where(ProcessSocket.sid == sid))
    db.session.execute(delete(SocketConnection).where(SocketConnection.sid == sid))
    db.session.flush()
    for room in rooms:
        _announce(room)
    return rooms


def enter(room: str, *, sid: str, user: User) -> bool:
    """Show the user in the room; return True when this is news (announced to the room)."""
    _lock_rooms([room])
    if db.session.get(Presence, (sid, room)) is not None:
        return False
    db.session.add(Presence(sid=sid, room=room, user_id=user.id))
    db.session.flush()
    _announce(room)
    return True


def leave(room: str, *, sid: str) -> None:
    _lock_rooms([room])
    result = db.session.execute(delete(Presence).where(Presence.sid == sid, Presence.room == room))
    if result.rowcount:
        db.session.flush()
        _announce(room)


def users_in(room: str) -> list[User]:
    """Each person once, however many tabs they have open, by name."""
    return list(db.session.scalars(select(User).where(User.id.in_(
        select(Presence.user_id).where(Presence.room == room))).order_by(User.display_name, User.id)))


def _announce(room: str) -> None:
    announce = _ANNOUNCERS.get(room.split(":", 1)[0])
    if announce is not None:
        announce(room)
