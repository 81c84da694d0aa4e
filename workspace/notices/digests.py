"""E-mail digests: at most one message per person per run, of what is unread and not yet mailed, by space.

`flask send-digests` (run it from cron) takes the people with such notices in batches; each batch costs
the same few queries whatever its size (people, notices, settings, names per subject type), plus one
outbox row per person mailed, then one UPDATE marks the batch's notices digested. The command commits
after each batch, so a run that stops half-way never mails anyone twice.

E-mail is a separate switch from the in-app level: the level decides which notices are made at all
(muted: none, so nothing to mail), the switch decides whether a space's notices are also mailed. The
link at the foot of each space's section turns that space's e-mail off, signed in or not. Its token
is [user id, space id] signed with SECRET_KEY (itsdangerous): it never expires, since it can only turn
e-mail off; rotating SECRET_KEY invalidates every link already mailed.
"""
import re
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select, update

from workspace.accounts.models import User
from workspace.database import utcnow
from workspace.extensions import db
from workspace.loading import find_by_id
from workspace.mail import send_mails
from workspace.notices import services, subjects
from workspace.notices.models import Notice, NoticeSetting
from workspace.spaces.models import Space

BATCH = 500
_SALT = "convene-notice-unsubscribe"
OUTSIDE_SPACES = "Your communities"


@dataclass
class DigestRun:
    people: int = 0
    notices: int = 0


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id: int, space_id: int | None) -> str:
    """A signed token that turns off one person's digest e-mail about one space (0: outside spaces)."""
    return _serializer().dumps([user_id, space_id or 0])


def read_unsubscribe_token(token: str):
    """(user, space or None) for a genuine token; None for a tampered, foreign or stale one."""
    try:
        value = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                 for v in value)):
        return None
    user = find_by_id(User, value[0])
    space = find_by_id(Space, value[1]) if value[1] else None
    if user is None or (value[1] and space is None):
        return None
    return user, space


def pending_people(run_at) -> list[int]:
    """Who has something unread and not yet digested, made before this run started."""
    return list(db.session.scalars(select(Notice.user_id).where(*_pending(run_at)).distinct().order_by(Notice.user_id)))


def _pending(run_at):
    return (Notice.read_at.is_(None), Notice.digested_at.is_(None), Notice.created_at <= run_at,
            # never a notice about your own action (announce drops those; a plain notify might not)
            or_(Notice.actor_id.is_(None), Notice.actor_id != Notice.user_id))


def send_digest_batch(user_ids: list[int], *, run_at, base_url: str) -> DigestRun:
    """Mail each of these people one digest of their pending notices, then mark those notices digested."""
    run = DigestRun()
    if not user_ids:
        return run
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    # Plain rows, not ORM objects: a batch holds thousands of notices and only reads them.
    notices = db.session.execute(select(*Notice.__table__.columns).where(Notice.user_id.in_(user_ids), *_pending(run_at))
                                 .order_by(Notice.user_id, Notice.created_at.desc(), Notice.id.desc())).all()
    email_off = set(db.session.execute(select(NoticeSetting.user_id, NoticeSetting.space_id).where(
        NoticeSetting.user_id.in_(user_ids), NoticeSetting.email.is_(False))).all())
    by_person = defaultdict(list)
    for notice in notices:
        if (notice.user_id, notice.space_id) not in email_off:
            by_person[notice.user_id].append(notice)
    lines_by_person = {uid: services.group_notices(found) for uid, found in by_person.items()}
    services.render_lines([line for lines in lines_by_person.values() for line in lines])
    space_ids = {line.space_id for lines in lines_by_person.values() for line in lines if line.space_id}
    spaces = subjects.load_all(("space", i) for i in space_ids)
    base_url = base_url.rstrip("/")
    mails = []
    for user_id, lines in lines_by_person.items():
        person = people.get(user_id)
        if person is None or not person.is_active or not lines:
            continue
        count = sum(len(line.notices) for line in lines)
        body = _body(person, lines, spaces, base_url, count)
        mails.append((person.email, f"Convene: {count} new notice{'s' if count != 1 else ''}", body))
        run.people += 1
        run.notices += count
    send_mails(mails)
    # Everything considered in this batch is done, mailed or skipped (e-mail off), in one statement.
    db.session.execute(update(Notice).where(Notice.user_id.in_(user_ids), *_pending(run_at))
                       .values(digested_at=utcnow()).execution_options(synchronize_session=False))
    db.session.flush()
    return run


def _body(person: User, lines, spaces: dict, base_url: str, count: int) -> str:
    sections = defaultdict(list)
    for line in lines:
        sections[line.space_id].append(line)
    order = sorted((sid for sid in sections if sid), key=lambda sid: (
        _plain(spaces[("space", sid)].title).lower() if ("space", sid) in spaces else "", sid))
    if None in sections:
        order.append(None)
    out = [f"Hello {_plain(person.display_name)},", "",
           f"{count} new notice{'s' if count != 1 else ''} in Convene since your last digest.", ""]
    for space_id in order:
        space = spaces.get(("space", space_id)) if space_id else None
        heading = _plain(space.title) if space is not None else (OUTSIDE_SPACES if space_id is None else subjects.REMOVED)
        out += [heading, "=" * min(len(heading), 72)]
        for line in sections[space_id]:
            out.append(f"- {_plain(line.text)}")
            if line.url:
                out.append(f"  {base_url}{line.url}")
        what = f"about “{heading}”" if space_id else "about your communities"
        out += [f"Stop e-mail {what}: {base_url}/notices/unsubscribe/{unsubscribe_token(person.id, space_id)}", ""]
    out += [f"Read them and mark them read: {base_url}/notices",
            "On each space's page you choose what reaches you: watching, normal or muted."]
    return "\n".join(out) + "\n"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


def _plain(text: str) -> str:
    """One line of plain text: no line breaks, no control characters (a name cannot forge a line)."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())
