"""Flags, queue items (one per piece of content), mutes and slow mode.

Content is named generically by `(content_kind, content_id)`; `workspace.moderation.kinds` knows how
to load, place, render, hide and restore each kind, so a new kind slots in without a new table.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

REASONS = {
    "disrespect": "Disrespect or stereotyping",
    "confidential": "Shares confidential details",
    "off_topic": "Off-topic",
    "spam": "Spam",
    "other": "Other",
}
OPEN, DISMISSED, HIDDEN, RESTORED = "open", "dismissed", "hidden", "restored"
PENDING, CONFIRMED = "pending", "confirmed"  # cross-community review and appeal states (with RESTORED)
REASON_MAX = 500
NOTE_MAX = 1000


class ModerationItem(db.Model):
    """One piece of content under review in a space: its flags, and what moderators did and why."""

    __tablename__ = "moderation_items"
    __table_args__ = (UniqueConstraint("content_kind", "content_id"),
                      Index("ix_moderation_items_space_id_status", "space_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    content_kind: Mapped[str] = mapped_column(String(16))
    content_id: Mapped[int] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # a moderator, when nobody flagged
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the hide (shown in place: "Hidden by a moderator from <community>: <reason>")
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_by_community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # across the boundary: a moderator of the author's community confirms or restores
    review_status: Mapped[str | None] = mapped_column(String(16))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_reason: Mapped[str | None] = mapped_column(Text)
    # one appeal per hide, routed to a third community (else the author's own)
    appeal_text: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    appeal_status: Mapped[str | None] = mapped_column(String(16))
    appeal_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appeal_reason: Mapped[str | None] = mapped_column(Text)

    space = relationship("Space")
    author = relationship("User", foreign_keys=[author_id])
    author_community = relationship("Community", foreign_keys=[author_community_id])
    hidden_by = relationship("User", foreign_keys=[hidden_by_id])
    hidden_by_community = relationship("Community", foreign_keys=[hidden_by_community_id])
    appeal_community = relationship("Community", foreign_keys=[appeal_community_id])
    flags = relationship("ModerationFlag", back_populates="item", cascade="all, delete-orphan",
                         order_by="ModerationFlag.id")


class ModerationFlag(db.Model):
    """A member's flag: never hides anything; who flagged is shown to moderators only."""

    __tablename__ = "moderation_flags"
    __table_args__ = (UniqueConstraint("item_id", "flagger_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("moderation_items.id", ondelete="CASCADE"), index=True)
    flagger_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    flagger_community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item = relationship("ModerationItem", back_populates="flags")
    flagger = relationship("User")
    flagger_community = relationship("Community")


class SpaceMute(db.Model):
    """A member who may read but not post in a space until `until`, and why."""

    __tablename__ = "space_mutes"
    __table_args__ = (Index("ix_space_mutes_space_id_user_id", "space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    muted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # lifted early by a moderator (the row stays: the log and the person see when and why)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)

    space = relationship("Space")
    user = relationship("User", foreign_keys=[user_id])
    muted_by = relationship("User", foreign_keys=[muted_by_id])
    lifted_by = relationship("User", foreign_keys=[lifted_by_id])


class SlowMode(db.Model):
    """One comment per person per `seconds` in a space (moderators exempt), set by whom, why, until when."""

    __tablename__ = "slow_modes"

    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True)
    seconds: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    set_by = relationship("User")


class DefaultModeratorRemoval(db.Model):
    """A steward who does not moderate this space, though stewards do by default (a steward's decision, logged)."""

    __tablename__ = "default_moderator_removals"

    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    removed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
