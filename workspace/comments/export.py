"""A person's comments, for their data export: what they wrote, where, and the words they wrote it on.

Deleted comments are tombstones with no body left, so they are listed without text; a comment a
moderator hid is still the person's own words, so it is exported with the moderator's note.
"""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workspace.comments.models import Comment
from workspace.extensions import db
from workspace.privacy import Section, exporter


def _place(comment: Comment) -> str:
    if comment.document is not None:
        return f"joint response “{comment.document.title}”"
    if comment.card is not None:
        return f"card “{comment.card.title}”"
    return "the space's discussion"


@exporter("comments")
def export_comments(user) -> Section:
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.created_at, Comment.id)
        .options(joinedload(Comment.space), joinedload(Comment.document), joinedload(Comment.card))).all()
    data = {"comments": [{
        "id": c.id, "space": c.space.title, "on": _place(c), "reply_to": c.parent_id,
        "body": None if c.deleted_at else c.body, "quote": c.quote, "created_at": c.created_at,
        "edited_at": c.edited_at, "deleted_at": c.deleted_at, "hidden_note": c.hidden_note,
    } for c in comments]}
    lines = ["# Your comments\n"]
    for c in data["comments"]:
        lines.append(f"\n## In {c['space']}, on the {c['on']} ({c['created_at']:%d %B %Y %H:%M})\n")
        if c["quote"]:
            lines.append(f"\n> {c['quote']}\n")
        lines.append("\n_Deleted by you._\n" if c["deleted_at"] else f"\n{c['body']}\n")
        if c["hidden_note"]:
            lines.append(f"\n_Hidden by a moderator: {c['hidden_note']}_\n")
    if not data["comments"]:
        lines.append("\n_Nothing yet._\n")
    return Section(data, "".join(lines))
