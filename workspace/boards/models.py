"""Boards, their columns and cards, checklist items, card history and the per-board event log."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
GOAL_MAX = 2_000
LABEL_MAX = 40
LABELS_PER_CARD = 10
CHECKLIST_ITEM_MAX = 200
CHECKLIST_ITEMS_PER_CARD = 100


class Board(db.Model):
    """A boundary project's board; `seq` numbers its events so a reconnecting client misses none."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    goal: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space = relationship("Space")
    created_by = relationship("User")
    columns = relationship("BoardColumn", back_populates="board", cascade="all, delete-orphan",
                           order_by="BoardColumn.id")
    cards = relationship("Card", back_populates="board", cascade="all, delete-orphan",
                         order_by="Card.id")

    def __repr__(self) -> str:
        return f"<Board {self.id} {self.title!r}>"


class BoardColumn(db.Model):
    """A column; `position` is a fractional key (see ordering.py) and `version` guards edits."""

    __tablename__ = "board_columns"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    position: Mapped[str] = mapped_column(String(255))
    wip_limit: Mapped[int | None] = mapped_column(Integer)
    # Cards here are finished (never overdue). With no column marked, the last open column is the done one.
    is_done: Mapped[bool] = mapped_column(default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board = relationship("Board", back_populates="columns")
    cards = relationship("Card", back_populates="column", order_by="Card.id")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Card(db.Model):
    """A task; `version` increases with every change so a stale write is refused, never applied."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("board_columns.id"), index=True)
    position: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    labels: Mapped[list] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    board = relationship("Board", back_populates="cards")
    column = relationship("BoardColumn", back_populates="cards")
    created_by = relationship("User")
    assignments = relationship("CardAssignee", back_populates="card", cascade="all, delete-orphan",
                               order_by="CardAssignee.id")
    checklist = relationship("ChecklistItem", back_populates="card", cascade="all, delete-orphan",
                             order_by="ChecklistItem.id")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def assignees(self):
        return [a.user for a in self.assignments]

    def __repr__(self) -> str:
        return f"<Card {self.id} v{self.version} {self.title!r}>"


class CardAssignee(db.Model):
    __tablename__ = "card_assignees"
    __table_args__ = (db.UniqueConstraint("card_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    card = relationship("Card", back_populates="assignments")
    user = relationship("User")


class ChecklistItem(db.Model):
    """A checklist line; ticking sets `done` (idempotent) so two people ticking at once agree."""

    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(CHECKLIST_ITEM_MAX))
    done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    card = relationship("Card", back_populates="checklist")


class BoardActivity(db.Model):
    """One line of history in words ("moved from Doing to Done"), with who and when."""

    __tablename__ = "board_activity"
    __table_args__ = (Index("ix_board_activity_board_id_id", "board_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    column_id: Mapped[int | None] = mapped_column(ForeignKey("board_columns.id", ondelete="CASCADE"))
    version: Mapped[int | None] = mapped_column(Integer)  # the card's or column's version after the change
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User")
    card = relationship("Card")


class BoardEvent(db.Model):
    """Every event sent to a board's room, kept so a client that was away can catch up by `seq`."""

    __tablename__ = "board_events"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
