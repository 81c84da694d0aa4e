"""Threads for reading, loaded lean: column-only queries into plain objects (comments follow-ups, issue 9).

Opening a document with 500 comments must cost little more than opening it with none
(bench/doc_comments.py). Building 500 ORM `Comment`s with eight eager-loaded relations was most of
it, so pages and the API read threads through here instead: four queries (the comments with their
authors and resolvers, the mentions, the edit history, the cards made from comments), whatever the
number of threads, into read-only objects that have the attributes templates, `comment_payload`,
`body_html` and the comment policies use (`id`, `author.display_name`, `replies`, `mentions`,
`revisions`, `created_card.column.title`, `space`...). Writes keep using the ORM model.

If you render a new attribute of a comment, add its column here (`_COMMENT_COLUMNS`) too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from datetime import timezone

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import aliased

from workspace.accounts.models import User
from workspace.boards.models import BoardColumn, Card
from workspace.comments.models import Comment, CommentMention, CommentRevision
from workspace.communities.models import Community
from workspace.extensions import db


@dataclass(slots=True, frozen=True)
class PersonRef:
    id: int
    display_name: str


@dataclass(slots=True, frozen=True)
class CommunityRef:
    id: int
    slug: str
    name: str


@dataclass(slots=True, frozen=True)
class MentionView:
    label: str
    user_id: int | None
    community_id: int | None
    user: PersonRef | None
    community: CommunityRef | None


@dataclass(slots=True, frozen=True)
class RevisionView:
    body: str
    written_at: datetime
    edited_at: datetime
    edited_by: PersonRef | None


@dataclass(slots=True, frozen=True)
class ColumnRef:
    id: int
    title: str


@dataclass(slots=True, frozen=True)
class CardRef:
    id: int
    title: str
    board_id: int
    column_id: int
    column: ColumnRef
    archived_at: datetime | None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


@dataclass(slots=True, eq=False)
class CommentView:
    """A comment as read: the `Comment` columns, its author and resolver, mentions, history, card, replies."""
    id: int
    space_id: int
    document_id: int | None
    card_id: int | None
    parent_id: int | None
    author_id: int
    body: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    resolved_at: datetime | None
    resolved_by_id: int | None
    created_card_id: int | None
    anchor_start: bytes | None
    anchor_end: bytes | None
    quote: str | None
    hidden_at: datetime | None = None  # moderation (issue 10); positional, in _COMMENT_COLUMNS order
    hidden_note: str | None = None
    author: PersonRef | None = None
    resolved_by: PersonRef | None = None
    space: object = None
    parent: CommentView | None = None
    mentions: list = field(default_factory=list)
    revisions: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    created_card: CardRef | None = None

    is_deleted = Comment.is_deleted
    is_hidden = Comment.is_hidden
    is_reply = Comment.is_reply
    root = Comment.root
    is_resolved = Comment.is_resolved
    target_kind = Comment.target_kind


_COMMENT_COLUMNS = ("id", "space_id", "document_id", "card_id", "parent_id", "author_id", "body", "created_at",
                    "edited_at", "deleted_at", "resolved_at", "resolved_by_id", "created_card_id",
                    "anchor_start", "anchor_end", "quote",
                    "hidden_at", "hidden_note")  # moderation (issue 10)


_TIMES = frozenset({"created_at", "edited_at", "deleted_at", "resolved_at", "hidden_at"})


def _column(name):
    """A comment column for a lean read; timestamps come raw (see `_when`), not through UTCDateTime."""
    column = getattr(Comment, name)
    return type_coerce(column, String).label(name) if name in _TIMES else column


def _when(value):
    """A timestamp as SQLite gives it (text) or PostgreSQL (a datetime), timezone-aware in UTC.

    SQLAlchemy's per-value processing of four timestamps on 500 rows was a third of loading them;
    `datetime.fromisoformat` reads SQLite's "YYYY-MM-DD HH:MM:SS.ffffff" in C.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _person(user_id, name) -> PersonRef | None:
    return None if user_id is None else PersonRef(user_id, name)


@dataclass(slots=True, frozen=True)
class EarlierReply:
    """A reply the page does not show (only counted: "Show N earlier replies" fetches the whole thread)."""
    id: int
    parent_id: int


def thread_views(target, *, replies_shown: int | None = None) -> list[CommentView]:
    """The threads on a document, a card or a space's discussion, oldest first, replies in order.

    With `replies_shown`, a page shows only the latest replies of long threads (more than
    `replies_shown + 1`, see templates/comments/_thread.html): the earlier ones are loaded as
    `EarlierReply` placeholders, so `replies` keeps its length and order but costs nothing to read.
    """
    from workspace.comments.services import _target_filter
    from workspace.spaces.models import Space
    where = _target_filter(target)
    space = target if isinstance(target, Space) else target.board.space if isinstance(target, Card) else target.space
    earlier: dict[int, int] = {}
    if replies_shown is not None:
        by_thread: dict[int, list[int]] = {}
        for comment_id, parent_id in db.session.execute(
                select(Comment.id, Comment.parent_id).where(*where, Comment.parent_id.is_not(None)).order_by(Comment.id)):
            by_thread.setdefault(parent_id, []).append(comment_id)
        for parent_id, reply_ids in by_thread.items():
            if len(reply_ids) > replies_shown + 1:
                earlier.update((reply_id, parent_id) for reply_id in reply_ids[:len(reply_ids) - replies_shown])
        if earlier:
            where = (*where, Comment.id.not_in(list(earlier)))
    author, resolver = aliased(User), aliased(User)
    columns = [_column(name) for name in _COMMENT_COLUMNS]
    rows = db.session.execute(
        select(*columns, author.display_name, resolver.display_name)
        .outerjoin(author, author.id == Comment.author_id)
        .outerjoin(resolver, resolver.id == Comment.resolved_by_id)
        .where(*where).order_by(Comment.id)).all()
    if not rows:
        return []
    width = len(_COMMENT_COLUMNS)
    by_id: dict[int, CommentView] = {}
    people: dict[int, PersonRef] = {}
    for row in rows:
        view = CommentView(*row[:width])
        view.created_at, view.edited_at = _when(view.created_at), _when(view.edited_at)
        view.deleted_at, view.resolved_at = _when(view.deleted_at), _when(view.resolved_at)
        view.hidden_at = _when(view.hidden_at)  # moderation (issue 10)
        view.author = people.get(view.author_id) or people.setdefault(view.author_id, PersonRef(view.author_id, row[width]))
        if view.resolved_by_id is not None:
            view.resolved_by = PersonRef(view.resolved_by_id, row[width + 1])
        view.space = space
        by_id[view.id] = view
    ids = select(Comment.id).where(*where).scalar_subquery()

    person, community = aliased(User), aliased(Community)
    for comment_id, label, user_id, name, community_id, slug, community_name in db.session.execute(
            select(CommentMention.comment_id, CommentMention.label, CommentMention.user_id, person.display_name,
                   CommentMention.community_id, community.slug, community.name)
            .outerjoin(person, person.id == CommentMention.user_id)
            .outerjoin(community, community.id == CommentMention.community_id)
            .where(CommentMention.comment_id.in_(ids)).order_by(CommentMention.id)):
        if comment_id in by_id:
            by_id[comment_id].mentions.append(MentionView(
                label, user_id, community_id, _person(user_id, name),
                None if community_id is None else CommunityRef(community_id, slug, community_name)))

    editor = aliased(User)
    for comment_id, body, written_at, edited_at, editor_id, editor_name in db.session.execute(
            select(CommentRevision.comment_id, CommentRevision.body, CommentRevision.written_at,
                   CommentRevision.edited_at, CommentRevision.edited_by_id, editor.display_name)
            .outerjoin(editor, editor.id == CommentRevision.edited_by_id)
            .where(CommentRevision.comment_id.in_(ids)).order_by(CommentRevision.id)):
        if comment_id in by_id:
            by_id[comment_id].revisions.append(RevisionView(body, written_at, edited_at,
                                                            _person(editor_id, editor_name)))

    carded = [v for v in by_id.values() if v.created_card_id is not None]
    if carded:
        cards = {row[0]: CardRef(row[0], row[1], row[2], row[3], ColumnRef(row[3], row[4]), row[5])
                 for row in db.session.execute(
                     select(Card.id, Card.title, Card.board_id, Card.column_id, BoardColumn.title, Card.archived_at)
                     .join(BoardColumn, BoardColumn.id == Card.column_id)
                     .where(Card.id.in_([v.created_card_id for v in carded])))}
        for view in carded:
            view.created_card = cards.get(view.created_card_id)

    for reply_id, parent_id in earlier.items():
        if parent_id in by_id:
            by_id[parent_id].replies.append(EarlierReply(reply_id, parent_id))
    threads = []
    for view in by_id.values():  # in id order: the earlier replies (placeholders) come first
        if view.parent_id is None:
            threads.append(view)
        elif (parent := by_id.get(view.parent_id)) is not None:
            view.parent = parent
            parent.replies.append(view)
    return threads
