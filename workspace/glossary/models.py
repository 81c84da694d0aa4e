"""Glossaries: each community's terms with their history, and bridges between communities' terms."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

ACTIVE, DEPRECATED, LOADED = "active", "deprecated", "loaded"
TERM_STATUSES = (ACTIVE, DEPRECATED, LOADED)

EQUIVALENT, BROADER, NARROWER, RELATED, FALSE_FRIEND = "equivalent", "broader", "narrower", "related", "false_friend"
RELATIONS = (EQUIVALENT, BROADER, NARROWER, RELATED, FALSE_FRIEND)
PROPOSED, CONFIRMED, DISPUTED = "proposed", "confirmed", "disputed"

# A revision is either applied (part of the term's history) or a member's proposal awaiting a steward.
APPLIED, PENDING, REJECTED = "applied", "pending", "rejected"


class GlossarySettings(db.Model):
    """Per-community glossary settings, and a version bumped on every change (the matcher cache key)."""

    __tablename__ = "glossary_settings"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    members_edit_directly: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=0)


class Term(db.Model):
    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("community_id", "term_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(String(80))
    # NFKC + case-folded form of `term`: two spellings of one word cannot both be entries.
    term_key: Mapped[str] = mapped_column(String(255))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    definition: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    loaded_note: Mapped[str] = mapped_column(Text, default="")
    # False until a steward approves a member's proposal; unapproved terms annotate nothing.
    approved: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community = relationship("Community")
    created_by = relationship("User")
    revisions = relationship("TermRevision", back_populates="term_entry", cascade="all, delete-orphan",
                             order_by="TermRevision.id")

    def __repr__(self) -> str:
        return f"<Term {self.id} {self.term!r} c{self.community_id}>"


class TermRevision(db.Model):
    """One change to a term (who, when, the resulting fields), or a member's proposal awaiting review."""

    __tablename__ = "glossary_term_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("glossary_terms.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=APPLIED)
    summary: Mapped[str] = mapped_column(String(255), default="")
    term: Mapped[str] = mapped_column(String(80))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    definition: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    loaded_note: Mapped[str] = mapped_column(Text, default="")
    # The term version this proposal was written against (a stale proposal cannot be approved blindly).
    base_version: Mapped[int] = mapped_column(default=0)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    term_entry = relationship("Term", back_populates="revisions", foreign_keys=[term_id])
    actor = relationship("User", foreign_keys=[actor_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def fields(self) -> dict:
        return {"term": self.term, "aliases": list(self.aliases or []), "definition": self.definition,
                "example": self.example, "status": self.status, "loaded_note": self.loaded_note}



class Bridge(db.Model):
    """How a term of one community relates to a term of another; confirmed by a member of each."""

    __tablename__ = "glossary_bridges"
    __table_args__ = (UniqueConstraint("from_term_id", "to_term_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_term_id: Mapped[int] = mapped_column(ForeignKey("glossary_terms.id", ondelete="CASCADE"), index=True)
    to_term_id: Mapped[int] = mapped_column(ForeignKey("glossary_terms.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=PROPOSED)
    dispute_reason: Mapped[str] = mapped_column(Text, default="")
    disputed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    disputed_community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="SET NULL"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    from_term = relationship("Term", foreign_keys=[from_term_id])
    to_term = relationship("Term", foreign_keys=[to_term_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    disputed_by = relationship("User", foreign_keys=[disputed_by_id])
    confirmations = relationship("BridgeConfirmation", back_populates="bridge", cascade="all, delete-orphan",
                                 order_by="BridgeConfirmation.id")

    @property
    def community_ids(self) -> tuple[int, int]:
        return self.from_term.community_id, self.to_term.community_id

    def other_end(self, term_id: int):
        return self.to_term if self.from_term_id == term_id else self.from_term

    @property
    def waiting_for(self) -> list:
        """The communities (of its two) that have not confirmed it yet."""
        agreed = {c.community_id for c in self.confirmations}
        ends = [self.from_term.community, self.to_term.community]
        return [c for c in ends if c.id not in agreed]


class BridgeConfirmation(db.Model):
    """A member's agreement to a bridge on behalf of one of its two communities."""

    __tablename__ = "glossary_bridge_confirmations"
    __table_args__ = (UniqueConstraint("bridge_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bridge_id: Mapped[int] = mapped_column(ForeignKey("glossary_bridges.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bridge = relationship("Bridge", back_populates="confirmations")
    community = relationship("Community")
    user = relationship("User")


class ReaderPreference(db.Model):
    """How a person reads other communities' words: as which community, and whether marks are shown."""

    __tablename__ = "glossary_reader_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    reading_community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="SET NULL"))
    annotations_enabled: Mapped[bool] = mapped_column(default=True)
