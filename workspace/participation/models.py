"""Participation counters: kept up to date in the same transaction as each contribution, never recounted per request."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

COMMENTS, WORDS, CARD_ACTIONS, GLOSSARY = "comments", "words", "card_actions", "glossary"
KINDS = (COMMENTS, WORDS, CARD_ACTIONS, GLOSSARY)


class ParticipationCount(db.Model):
    """How much one community's members contributed of one kind in one space on one day.

    Per community and day (not per member) so a window's figures sum a few hundred rows at most,
    whatever the number of contributions or members (bench/participation.py).
    """

    __tablename__ = "participation_counts"
    __table_args__ = (UniqueConstraint("space_id", "community_id", "day", "kind"),
                      Index("ix_participation_counts_space_id_day", "space_id", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(default=0)


class ParticipantTotal(db.Model):
    """How much one member contributed in one space, all time (who has been heard, and how much)."""

    __tablename__ = "participant_totals"
    __table_args__ = (UniqueConstraint("space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(default=0)


class RoundRobin(db.Model):
    """A thread a moderator put in round-robin mode: it shows whose community's turn it is (others may still post)."""

    __tablename__ = "round_robin_threads"

    thread_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WordsWritten(db.Model):
    """Words one person added to one document on one day.

    Kept as rows of their own because the update log they are counted from is folded into a snapshot
    (documents/store.py): these are the raw rows a recount or a rebuild reads for the "words" kind.
    """

    __tablename__ = "words_written"
    __table_args__ = (UniqueConstraint("document_id", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    words: Mapped[int] = mapped_column(default=0)


class WordsCountedThrough(db.Model):
    """How far a document's update log has been counted for words; later updates wait for the next count."""

    __tablename__ = "words_counted_through"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
