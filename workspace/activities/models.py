"""Activities started in spaces, their steps, each member's judgement, and communities' own templates."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

OPEN, CLOSED = "open", "closed"
USEFUL, PARTLY, NOT_USEFUL = "useful", "partly", "not_useful"
VERDICTS = (USEFUL, PARTLY, NOT_USEFUL)
VERDICT_LABELS = {USEFUL: "useful", PARTLY: "partly useful", NOT_USEFUL: "not useful"}


class CustomTemplate(db.Model):
    """A community's own template: a copy of a shipped one, edited by a steward; `plan` has the file's shape."""

    __tablename__ = "activity_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    copied_from: Mapped[str] = mapped_column(String(80), default="")
    plan: Mapped[dict] = mapped_column(JSON)
    # Shared: offered in the library of every space the community is convened in.
    shared: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community = relationship("Community")

    @property
    def key(self) -> str:
        return f"custom-{self.id}"


class Activity(db.Model):
    """One run of a template in a space; `plan` keeps the template as it was when started."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    template_key: Mapped[str] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(200))
    plan: Mapped[dict] = mapped_column(JSON)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="SET NULL"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    space = relationship("Space")
    created_by = relationship("User", foreign_keys=[created_by_id])
    document = relationship("Document")
    board = relationship("Board")
    steps = relationship("ActivityStep", back_populates="activity", cascade="all, delete-orphan",
                         order_by="ActivityStep.number")
    judgements = relationship("Judgement", back_populates="activity", cascade="all, delete-orphan",
                              order_by="Judgement.id")

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title!r} {self.status}>"


class ActivityStep(db.Model):
    __tablename__ = "activity_steps"
    __table_args__ = (UniqueConstraint("activity_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    activity = relationship("Activity", back_populates="steps")
    done_by = relationship("User")


class Judgement(db.Model):
    """One member's answer, for one community, to "Was this useful to us?"."""

    __tablename__ = "activity_judgements"
    __table_args__ = (UniqueConstraint("activity_id", "community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verdict: Mapped[str] = mapped_column(String(16))
    would_change: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity = relationship("Activity", back_populates="judgements")
    community = relationship("Community")
    user = relationship("User")
