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
