"""Comments in a space's discussion, on a card or on a document range: threads, edits, mentions.

Every write validates, changes the rows, flushes, tells the people concerned (notices) and publishes
one event to the rooms of whoever has the comment's place open; the request commits, events go
out after it. Permission is the caller's job (policy.can_comment and friends); services only keep
the data consistent (a reply belongs to its thread's space and place, one level deep).

Live events (see docs/realtime.md): `comment_created`, `comment_updated` (edited, reopened, turned
into a card), `comment_resolved`, `comment_deleted`, each `{"space_id", "document_id", "card_id",
"thread_id", "change", "comment": Comment, "count"}`.
"""
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workspace.boards.models import Card
from workspace.comments import mentions as mention_rules, rendering
from workspace.comments.models import BODY_MAX, QUOTE_MAX, Comment, CommentMention, CommentRevision
from workspace.comments.schemas import comment_payload
from workspace.database import utcnow
from workspace.errors import ValidationError
from workspace.events import publish, room_for
from workspace.extensions import db
from workspace.moderation.services import check_may_post  # moderation (issue 10)
from workspace.notices.services import announce
from workspace.validation import FieldErrors

log = logging.getLogger("convene.comments")

CARD_TITLE_MAX = 200

CREATED, EDITED, DELETED, RESOLVED, REOPENED, CARDED, CARD_CHANGED = (
    "created", "edited", "deleted", "resolved", "reopened", "carded", "card_changed")
EVENT_FOR = {CREATED: "comment_created", EDITED: "comment_updated", DELETED: "comment_deleted",
             RESOLVED: "comment_resolved", REOPENED: "comment_updated", CARDED: "comment_updated",
             CARD_CHANGED: "comment_updated"}


# --- reading --------------------------------------------------------------------------------

def _comment_options(path):
    """Everything a comment's rendering touches, loaded per query rather than per comment."""
    return (path.selectinload(Comment.author),
            path.selectinload(Comment.mentions).selectinload(CommentMention.community),
            path.selectinload(Comment.mentions).selectinload(CommentMention.user),
            path.selectinload(Comment.revisions).selectinload(CommentRevision.edited_by),
            path.selectinload(Comment.created_card).selectinload(Card.column))


def _thread_options():
    from sqlalchemy.orm import Load
    root, replies = Load(Comment), selectinload(Comment.replies)
    return (*_comment_options(root), root.selectinload(Comment.resolved_by), replies,
            *_comment_options(replies))


def _target_filter(target):
    from workspace.boards.models import Card
    from workspace.documents.models import Document
    from workspace.spaces.models import Space
    if isinstance(target, Document):
        return (Comment.document_id == target.id,)
    if isinstance(target, Card):
        return (Comment.card_id == target.id,)
    if isinstance(target, Space):
        return (Comment.space_id == target.id, Comment.document_id.is_(None), Comment.card_id.is_(None))
    raise TypeError(f"comments cannot be on {type(target).__name__}")


def threads_for(target) -> list[Comment]:
    """The threads on a document, a card or a space's discussion, oldest first, replies loaded."""
    return list(db.session.scalars(select(Comment).where(*_target_filter(target), Comment.parent_id.is_(None))
                                   .options(*_thread_options()).order_by(Comment.id)))


def comment_count(target) -> int:
    """How many comments (replies included, deleted ones not) are on a document, card or space."""
    return db.session.scalar(select(func.count(Comment.id)).where(
        *_target_filter(target), Comment.deleted_at.is_(None))) or 0


def counts_for_cards(card_ids) -> dict[int, int]:
    """Each card's comment count for its tile (one query for a whole board)."""
    card_ids = list(card_ids)
    if not card_ids:
        return {}
    rows = db.session.execute(select(Comment.card_id, func.count(Comment.id))
                              .where(Comment.card_id.in_(card_ids), Comment.deleted_at.is_(None))
                              .group_by(Comment.card_id))
    return {card_id: count for card_id, count in rows}


def place_name(comment) -> str:
    """Where a comment is, in words, with the current names of things."""
    if comment.document_id is not None:
        return f"“{comment.document.title}”"
    if comment.card_id is not None:
        return f"the card “{comment.card.title}”"
    return f"the discussion of “{comment.space.title}”"


def comment_url(comment) -> str:
    anchor = f"#comment-{comment.id}"
    if comment.document_id is not None:
        return f"/documents/{comment.document_id}{anchor}"
    if comment.card_id is not None:
        return f"/cards/{comment.card_id}{anchor}"
    return f"/spaces/{comment.space_id}{anchor}"


# --- writing --------------------------------------------------------------------------------

def create_comment(*, space, actor, body, document=None, card=None, anchor_start=None, anchor_end=None,
                   quote=None) -> Comment:
    """Start a thread in a space's discussion, on one of its cards, or on a range of one of its documents."""
    check_may_post(space, actor)  # moderation (issue 10): mutes and slow mode refuse every path
    errors = FieldErrors()
    body = _body(errors, body)
    if document is not None and card is not None:
        errors.add("target", "A comment is on a document or on a card, not both.")
    if document is not None and document.space_id != space.id:
        errors.add("document_id", "That document is in another space.")
    if card is not None and card.board.space_id != space.id:
        errors.add("card_id", "That card is in another space.")
    if card is not None and card.is_archived:
        errors.add("card_id", "That card is archived; restore it to discuss it.")
    if document is None and (anchor_start is not None or anchor_end is not None or quote is not None):
        errors.add("anchor", "Only a comment on a document can be anchored to its text.")
    if quote is not None:
        quote = errors.text("quote", quote, label="Quoted text", max_length=QUOTE_MAX, required=False, strip=False)
    resolved = _mentions(errors, space, body)
    errors.raise_if_any()
    comment = Comment(space_id=space.id, document_id=document.id if document else None,
                      card_id=card.id if card else None, author_id=actor.id, body=body,
                      anchor_start=anchor_start, anchor_end=anchor_end, quote=quote, created_at=utcnow())
    comment.mentions = [_mention_row(m) for m in resolved]
    db.session.add(comment)
    db.session.flush()
    log.info("user %s commented (%s) in space %s", actor.id, comment.id, space.id)
    _publish(comment, CREATED)
    _announce_new(comment, actor)
    return comment


def reply_to(comment, *, actor, body, space=None) -> Comment:
    """Reply in `comment`'s thread (one level: replying to a reply is refused)."""
    check_may_post(comment.space, actor)  # moderation (issue 10)
    errors = FieldErrors()
    body = _body(errors, body)
    if comment.parent_id is not None:
        errors.add("parent_id", "You can only reply to the first comment of a thread, not to a reply.")
    if comment.is_deleted and comment.parent_id is not None:
        errors.add("parent_id", "That comment was deleted.")
    if space is not None and comment.space_id != space.id:
        errors.add("parent_id", "That thread is in another space.")
    resolved = _mentions(errors, comment.space, body)
    errors.raise_if_any()
    reply = Comment(space_id=comment.space_id, document_id=comment.document_id, card_id=comment.card_id,
                    parent_id=comment.id, author_id=actor.id, body=body, created_at=utcnow())
    reply.mentions = [_mention_row(m) for m in resolved]
    db.session.add(reply)
    db.session.flush()
    db.session.refresh(comment, ["replies"])
    log.info("user %s replied (%s) to comment %s", actor.id, reply.id, comment.id)
    _publish(reply, CREATED)
    _announce_new(reply, actor)
    return reply


def edit_comment(comment, *, actor, body) -> Comment:
    """Replace a comment's body, keeping the previous one in its history."""
    errors = FieldErrors()
    body = _body(errors, body)
    if comment.is_deleted:
        errors.add("body", "This comment was deleted; it cannot be edited.")
    resolved = _mentions(errors, comment.space, body)
    errors.raise_if_any()
    if body == comment.body:
        return comment
    now = utcnow()
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body,
                                   written_at=comment.edited_at or comment.created_at,
                                   edited_by_id=actor.id, edited_at=now))
    before = {(m.user_id, m.community_id) for m in comment.mentions}
    comment.body = body
    comment.edited_at = now
    comment.mentions = [_mention_row(m) for m in resolved]
    db.session.flush()
    db.session.refresh(comment, ["revisions", "mentions"])
    log.info("user %s edited comment %s", actor.id, comment.id)
    rendering.forget(comment.id)  # this process's rendering of the old body (h9perf)
    _publish(comment, EDITED)
    added = [m for m in resolved if ((m.user.id if m.user else None), (m.community.id if m.community else None))
             not in before]
    if added:  # only people newly mentioned hear about an edit
        announce("mention", recipients=mention_rules.recipients(comment.space, added), actor=actor,
                 subject=comment, space=comment.space)
    return comment


def delete_comment(comment, *, actor) -> Comment:
    """Leave a tombstone ("deleted by its author") so the thread stays readable; the words are gone."""
    if comment.is_deleted:
        raise ValidationError({"comment": "This comment was already deleted."})
    comment.deleted_at = utcnow()
    comment.body = ""
    comment.mentions = []
    comment.revisions = []  # the history would keep what its author took back
    db.session.flush()
    log.info("user %s deleted comment %s", actor.id, comment.id)
    rendering.forget(comment.id)  # this process's rendering of the old body (h9perf)
    _publish(comment, DELETED)
    return comment


def resolve_thread(comment, *, actor) -> Comment:
    """Mark the thread `comment` belongs to as resolved, recording who resolved it."""
    root = comment.root
    if root.resolved_at is not None:
        raise ValidationError({"comment": "This thread is already resolved."})
    root.resolved_at = utcnow()
    root.resolved_by_id = actor.id
    db.session.flush()
    db.session.refresh(root, ["resolved_by"])
    log.info("user %s resolved thread %s", actor.id, root.id)
    _publish(root, RESOLVED)
    return root


def reopen_thread(comment, *, actor) -> Comment:
    """Open a resolved thread again (sent as `comment_updated` with change "reopened")."""
    root = comment.root
    if root.resolved_at is None:
        raise ValidationError({"comment": "This thread is not resolved."})
    root.resolved_at = None
    root.resolved_by_id = None
    db.session.flush()
    db.session.refresh(root, ["resolved_by"])
    log.info("user %s reopened thread %s", actor.id, root.id)
    _publish(root, REOPENED)
    return root


def comment_to_card(comment, *, board, column, actor):
    """Make a card from a comment on one of its space's boards; the card and the comment link to each other."""
    from workspace.boards.services import create_card
    errors = FieldErrors()
    if comment.is_deleted:
        errors.add("comment", "This comment was deleted.")
    elif comment.created_card_id is not None:
        errors.add("comment", "This comment is already a card.")
    if board.space_id != comment.space_id:
        errors.add("board_id", "That board is in another space.")
    elif column is None or column.board_id != board.id or column.is_archived:
        errors.add("column_id", "Choose an open column of that board.")
    errors.raise_if_any()
    card = create_card(board, column=column, title=card_title(comment.body), actor=actor,
                       description=_card_description(comment))
    comment.created_card_id = card.id
    db.session.flush()
    db.session.refresh(comment, ["created_card"])
    log.info("user %s made card %s from comment %s", actor.id, card.id, comment.id)
    _publish(comment, CARDED)
    return card


def card_changed(card_id: int) -> None:
    """A card made from a comment changed (moved, renamed, archived): the comment shows it, so tell its rooms."""
    for comment in db.session.scalars(select(Comment).where(Comment.created_card_id == card_id)):
        db.session.refresh(comment, ["created_card"])
        _publish(comment, CARD_CHANGED)


def card_title(body: str) -> str:
    """The first words of a comment as a card title: its first non-empty line, Markdown marks trimmed."""
    line = next((l.strip() for l in body.splitlines() if l.strip()), "Comment")
    line = mention_rules.MENTION_RE.sub(lambda m: m.group(1), line).lstrip("#>*-+ ").strip() or "Comment"
    line = " ".join(line.split())
    return line if len(line) <= CARD_TITLE_MAX else line[:CARD_TITLE_MAX - 1].rstrip() + "…"


def _card_description(comment) -> str:
    quoted = "\n".join("> " + line for line in comment.body.splitlines())
    text = f"From [a comment]({comment_url(comment)}) by {comment.author.display_name} on {place_name(comment)}:\n\n{quoted}"
    return text[:20_000]


# --- internals ------------------------------------------------------------------------------

def _body(errors: FieldErrors, body) -> str:
    return errors.text("body", body, label="Comment", max_length=BODY_MAX)


def _mentions(errors: FieldErrors, space, body: str):
    if "body" in errors.errors:
        return []
    resolved, refusal = mention_rules.resolve(space, body)
    if refusal:
        errors.add("body", refusal)
    return resolved


def _mention_row(resolved) -> CommentMention:
    return CommentMention(label=resolved.label[:200], user_id=resolved.user.id if resolved.user else None,
                          community_id=resolved.community.id if resolved.community else None,
                          user=resolved.user, community=resolved.community)


def rooms_for(comment) -> list[str]:
    """Everyone who has the comment's place open: the space, and the document or the card's board."""
    rooms = [f"space:{comment.space_id}"]
    if comment.document_id is not None:
        rooms.append(f"document:{comment.document_id}")
    if comment.card_id is not None:
        rooms.append(room_for(comment.card.board))
    return rooms


def _publish(comment, change: str) -> None:
    target = comment.document or comment.card or comment.space
    payload = {"space_id": comment.space_id, "document_id": comment.document_id, "card_id": comment.card_id,
               "thread_id": comment.parent_id or comment.id, "change": change,
               "comment": comment_payload(comment), "count": comment_count(target)}
    # One emit to several rooms: a socket in two of them (a board page is in its space's room too)
    # receives the event once.
    publish(EVENT_FOR[change], payload, room=rooms_for(comment))


def _announce_new(comment, actor) -> None:
    """Mentions, then replies to the thread's people, then a card's assignees, then everyone (level permitting)."""
    space = comment.space
    told = {actor.id}

    def tell(kind, people):
        people = [p for p in people if p.id not in told]
        told.update(p.id for p in people)
        if people:
            announce(kind, recipients=people, actor=actor, subject=comment, space=space)

    tell("mention", mention_rules.recipients(space, comment.mentions))
    if comment.parent_id is not None:
        root = comment.parent
        tell("reply", [root.author] + [r.author for r in root.replies])
    if comment.card_id is not None:
        tell("card_comment", comment.card.assignees)
    tell("comment", [m.user for m in space.members])
