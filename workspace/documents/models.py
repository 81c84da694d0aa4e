"""Joint-response documents: metadata, the CRDT update log and snapshot, versions, endorsements."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

DRAFTING, IN_REVIEW, ADOPTED, WITHDRAWN = "drafting", "in_review", "adopted", "withdrawn"
STATUSES = (DRAFTING, IN_REVIEW, ADOPTED, WITHDRAWN)
ENDORSE, RESERVATIONS, STAND_ASIDE, BLOCK = "endorse", "reservations", "stand_aside", "block"
POSITIONS = (ENDORSE, RESERVATIONS, STAND_ASIDE, BLOCK)
POSITION_LABELS = {ENDORSE: "Endorse", RESERVATIONS: "Endorse with reservations",
                   STAND_ASIDE: "Stand aside", BLOCK: "Block"}


class Document(db.Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    responds_to: Mapped[str] = mapped_column(String(200), default="")
    responds_to_url: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[str] = mapped_column(String(16), default=DRAFTING)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last update sequence number handed out; bumped under a row lock so every process agrees.
    last_seq: Mapped[int] = mapped_column(default=0)
    proposed_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_versions.id", use_alter=True, ondelete="SET NULL"))
    adopted_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_versions.id", use_alter=True, ondelete="SET NULL"))
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    space = relationship("Space")
    created_by = relationship("User")
    proposed_version = relationship("DocumentVersion", foreign_keys=[proposed_version_id], post_update=True)
    adopted_version = relationship("DocumentVersion", foreign_keys=[adopted_version_id], post_update=True)


class DocumentUpdate(db.Model):
    """One Yjs v1 update, appended before it is acknowledged or relayed."""

    __tablename__ = "document_updates"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentSnapshot(db.Model):
    """The document's state with every update up to `upto_seq` merged; written atomically by compaction."""

    __tablename__ = "document_snapshots"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    upto_seq: Mapped[int] = mapped_column(default=0)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentVersion(db.Model):
    """A named point in the text's history: saved by a person, proposed for review, or adopted."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(16), default="named")  # named, proposed, restored
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("User")


class Endorsement(db.Model):
    """One community's recorded position on one version, by one of its stewards."""

    __tablename__ = "endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    position: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version = relationship("DocumentVersion")
    community = relationship("Community")
    user = relationship("User")


class DocumentAuthor(db.Model):
    """Which person a Yjs client id belongs to, so "who wrote what" can name people."""

    __tablename__ = "document_authors"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[int] = mapped_column(db.BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    user = relationship("User")


Index("ix_endorsements_document_version", Endorsement.document_id, Endorsement.version_id)
