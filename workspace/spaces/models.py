"""Spaces: boundary engagements that convene two or more communities with consent."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

PROPOSED, ACTIVE, ARCHIVED, DECLINED = "proposed", "active", "archived", "declined"
INVITED, ACCEPTED = "invited", "accepted"
PARTICIPANT, MODERATOR = "participant", "moderator"


class Space(db.Model):
    __tablename__ = "spaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(Text)
    ground_rules: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PROPOSED)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposed_by = relationship("User")
    convened = relationship("SpaceCommunity", back_populates="space",
                            cascade="all, delete-orphan", order_by="SpaceCommunity.id")
    members = relationship("SpaceMember", back_populates="space", cascade="all, delete-orphan",
                           order_by="SpaceMember.id")

    @property
    def communities(self):
        return [link.community for link in self.convened]

    @property
    def is_archived(self) -> bool:
        return self.status == ARCHIVED

    def __repr__(self) -> str:
        return f"<Space {self.id} {self.title!r} {self.status}>"


class SpaceCommunity(db.Model):
    """A community convened by a space; `status` records its consent."""

    __tablename__ = "space_communities"
    __table_args__ = (UniqueConstraint("space_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"),
                                              index=True)
    status: Mapped[str] = mapped_column(String(16), default=INVITED)
    is_proposer: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    space = relationship("Space", back_populates="convened")
    community = relationship("Community")
    decided_by = relationship("User")


class SpaceMember(db.Model):
    __tablename__ = "space_members"
    __table_args__ = (UniqueConstraint("space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=PARTICIPANT)
    accepted_ground_rules_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space = relationship("Space", back_populates="members")
    user = relationship("User")

