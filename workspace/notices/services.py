"""Tell one person something in the app; nobody else sees it."""
from sqlalchemy import func, select, update

from workspace.database import utcnow
from workspace.extensions import db
from workspace.notices.models import Notice

LIST_LIMIT = 100


def notify(user, *, text: str, url: str = "") -> Notice:
    """Leave a notice for `user` (the caller decides who should hear about what)."""
    notice = Notice(user_id=user.id, text=text[:500], url=url[:500])
    db.session.add(notice)
    db.session.flush()
    return notice


def notices_for(user, *, limit: int = LIST_LIMIT) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.user_id == user.id)
                                   .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notice.id)).where(
        Notice.user_id == user.id, Notice.read_at.is_(None))) or 0


def mark_all_read(user) -> int:
    result = db.session.execute(update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))
                                .values(read_at=utcnow()))
    return result.rowcount


# --- comments (issue 9): minimal announce, replaced by the notification centre ---------------
# The notification centre (branch `notifications`) replaces this with per-space levels and grouping;
# until it lands, every recipient but the actor gets a plain notice.

ANNOUNCE_KINDS = ("mention", "reply", "card_comment", "comment")


def announce(kind: str, *, recipients, actor, subject, space=None) -> None:
    """Tell `recipients` about `subject` (never the actor about their own action)."""
    if kind not in ANNOUNCE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    if kind == "comment":  # only "watching" gets these; the minimal version has no levels, so nobody
        return
    seen = set()
    for user in recipients:
        if user is None or user.id == actor.id or user.id in seen:
            continue
        seen.add(user.id)
        text, url = _describe(kind, actor, subject)
        notify(user, text=text, url=url)


def _describe(kind: str, actor, subject) -> tuple[str, str]:
    from workspace.comments.services import comment_url, place_name
    where = place_name(subject)
    said = {"mention": "mentioned you", "reply": "replied in a thread you are in",
            "card_comment": "commented on a card you are assigned to"}[kind]
    return f"{actor.display_name} {said} on {where}.", comment_url(subject)
