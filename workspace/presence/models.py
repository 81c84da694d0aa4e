"""Who has a room open right now (a space, a document, a board), shared by every app process."""
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db


class Presence(db.Model):
    __tablename__ = "presence"

    sid: Mapped[str] = mapped_column(ForeignKey("socket_connections.sid", ondelete="CASCADE"), primary_key=True)
    room: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServerProcess(db.Model):
    """An app process serving sockets; it beats every few seconds, and one that stops is taken as dead."""

    __tablename__ = "server_processes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ProcessSocket(db.Model):
    """Which process holds a socket, so the sockets (and presence) of a dead process can be expired."""

    __tablename__ = "process_sockets"

    sid: Mapped[str] = mapped_column(ForeignKey("socket_connections.sid", ondelete="CASCADE"), primary_key=True)
    process_id: Mapped[str] = mapped_column(ForeignKey("server_processes.id", ondelete="CASCADE"), index=True)


class AccessVersion(db.Model):
    """One row, one number, bumped by every commit that can change someone's access to a document.

    Each process reads it once a second (realtime/relay.py) and drops its cached socket permissions
    when it moved: a role changed by another process, or by the command line, takes effect within a
    second without any socket re-checking its own permission every second (realtime/access.py).
    """

    __tablename__ = "access_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
