"""One comment model for documents, cards and spaces; its edit history; whom it mentions."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.database import UTCDateTime, utcnow
from workspace.extensions import db

BODY_MAX = 10_000
QUOTE_MAX = 2_000


class Comment(db.Model):
    """A comment or a reply (one level); where it lives is `document_id`, `card_id`, or neither (the space).

    `space_id` is always set, so policy and participation never need to look at the target.
    A deleted comment stays as a tombstone (body cleared, `deleted_at` set) so its thread reads on.
    Resolution lives on the thread's root. `anchor_start`/`anchor_end` are encoded Yjs relative
    positions (validated by the document-comments code before they get here) and `quote` is the text
    the comment was made on, kept for when that text is removed.
    """

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_space_id_id", "space_id", "id"),
        Index("ix_comments_card_id_id", "card_id", "id"),
        Index("ix_comments_document_id_id", "document_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # comment → card: the card made from this comment (the card's page links back to it)
    created_card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"), index=True)
    # document anchors, filled by the document-comments code
    anchor_start: Mapped[bytes | None] = mapped_column(LargeBinary)
    anchor_end: Mapped[bytes | None] = mapped_column(LargeBinary)
    quote: Mapped[str | None] = mapped_column(Text)
    # moderation (issue 10): a hidden comment shows `hidden_note` ("Hidden by a moderator from …: why")
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_note: Mapped[str | None] = mapped_column(Text)

    space = relationship("Space")
    document = relationship("Document")
    card = relationship("Card", foreign_keys=[card_id])
    created_card = relationship("Card", foreign_keys=[created_card_id])
    author = relationship("User", foreign_keys=[author_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    parent = relationship("Comment", remote_side=[id], back_populates="replies")
    replies = relationship("Comment", back_populates="parent", order_by="Comment.id",
                           cascade="all, delete-orphan")
    revisions = relationship("CommentRevision", back_populates="comment", cascade="all, delete-orphan",
                             order_by="CommentRevision.id")
    mentions = relationship("CommentMention", back_populates="comment", cascade="all, delete-orphan",
                            order_by="CommentMention.id")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def root(self) -> "Comment":
        return self.parent if self.parent_id is not None else self

    @property
    def is_resolved(self) -> bool:
        return self.root.resolved_at is not None

    @property
    def target_kind(self) -> str:
        return "document" if self.document_id else "card" if self.card_id else "space"

    def __repr__(self) -> str:
        return f"<Comment {self.id} on {self.target_kind} by {self.author_id}>"


class CommentRevision(db.Model):
    """A body a comment had before an edit: what it said, and who replaced it when."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when this body was written
    edited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it was replaced

    comment = relationship("Comment", back_populates="revisions")
    edited_by = relationship("User")


class CommentMention(db.Model):
    """A person or a convened community mentioned by a comment, resolved when it was written."""

    __tablename__ = "comment_mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))  # the name as written, `@[label]`

    comment = relationship("Comment", back_populates="mentions")
    user = relationship("User")
    community = relationship("Community")
