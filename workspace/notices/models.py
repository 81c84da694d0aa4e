"""Notices addressed to one person, and each person's notification settings per space."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

WATCHING, NORMAL, MUTED = "watching", "normal", "muted"
LEVELS = (WATCHING, NORMAL, MUTED)


class Notice(db.Model):
    """One thing that waits for one person.

    A notice points at its subject by type and id (`subject_type`, `subject_id`) and the page renders
    the subject's *current* name, so a renamed card shows its new title and a deleted one "(removed)".
    `text` keeps the subject's name when the notice was made: the fallback for a subject type nobody
    registered, and the whole message of a plain `notify(user, text=…)` notice (kind "message").
    `group_type`/`group_id` name the thing the notice is about (a comment's document): notices of one
    kind on one thing are shown as one line ("4 new comments on …").
    """

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user_id_read_at", "user_id", "read_at"),
                      Index("ix_notices_read_at_digested_at", "read_at", "digested_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32), default="message", server_default="message")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="SET NULL"), index=True)
    subject_type: Mapped[str] = mapped_column(String(32), default="", server_default="")
    subject_id: Mapped[int | None] = mapped_column(Integer)
    group_type: Mapped[str] = mapped_column(String(32), default="", server_default="")
    group_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a digest run has dealt with the notice (mailed it, or skipped it: e-mail off for its space).
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoticeSetting(db.Model):
    """A person's choice for one space: which notices they get in the app, and whether digests mail them.

    No row means the defaults: level "normal", e-mail on. `space_id` NULL is the setting for notices
    outside any space (join requests, community decisions); only its e-mail switch is used.
    """

    __tablename__ = "notice_settings"
    __table_args__ = (UniqueConstraint("user_id", "space_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # indexed by the unique pair
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16), default=NORMAL)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
