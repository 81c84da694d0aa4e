"""Tell people what waits for them: create notices, filter them by each person's level, group and name them.

`announce(kind, recipients=, actor=, subject=, space=)` is how every domain leaves notices. It never
tells the actor about their own action, and it respects each recipient's level in `space`:
watching gets everything, normal everything except plain "comment" notices, muted nothing at all
(a direct mention does not pierce mute, as in Slack and Discourse: muting a space is a promise of
silence). Notices outside a space (join requests) are not filtered. After the change commits, each
recipient's open pages hear `notice_count_changed` in their own room (`user:<id>`).
"""
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import func, select, update

from workspace.accounts.models import User
from workspace.database import utcnow
from workspace.errors import ValidationError
from workspace.events import publish
from workspace.extensions import db
from workspace.notices import subjects
from workspace.notices.models import LEVELS, MUTED, NORMAL, WATCHING, Notice, NoticeSetting

LIST_LIMIT = 100
COUNT_EVENT = "notice_count_changed"

# kind → (one notice, several of one kind on one thing). {actor} and {subject} are filled at display
# time with current names; {subject} is the thing the notice is about, in curly quotes.
KINDS = {
    "mention": ("{actor} mentioned you in a comment on {subject}", "{n} mentions of you on {subject}"),
    "reply": ("{actor} replied in your thread on {subject}", "{n} replies in your thread on {subject}"),
    "card_comment": ("{actor} commented on {subject}, a card you are assigned to",
                     "{n} new comments on {subject}, a card you are assigned to"),
    "comment": ("{actor} commented on {subject}", "{n} new comments on {subject}"),
    "assigned": ("{actor} assigned you to {subject}{context}.", "You were assigned to {subject}{context} {n} times."),
    "endorsement_requested": ("{actor} asks your community to endorse {subject}",
                              "{n} requests to endorse {subject}"),
    "space_invited": ("{actor} invited you to the space {subject}", "{n} invitations to the space {subject}"),
    "space_proposed": ("{actor} proposed the space {subject} to your community",
                       "{n} proposals of the space {subject}"),
    "join_requested": ("{actor} asks to join {subject}", "{n} people ask to join {subject}"),
    "join_accepted": ("{actor} accepted your request to join {subject}",
                      "{n} of your requests to join {subject} were accepted"),
    "join_declined": ("{actor} declined your request to join {subject}",
                      "{n} of your requests to join {subject} were declined"),
    # moderation (issue 10): the subject is the queue item (“comment in Referral guidelines”) or the mute
    "content_hidden": ("{actor} hid your {subject}{context}. You may appeal once.",
                       "Your {subject} was hidden {n} times{context}"),
    "hide_review_requested": ("{actor} hid {subject}, written by a member of your community{context}. "
                              "Please confirm or restore it.", "{n} hides of {subject} wait for your review"),
    "hide_confirmed": ("{actor} confirmed the hide of {subject}{context}", "{n} decisions confirmed the hide of {subject}"),
    "content_restored": ("{actor} restored {subject}{context}", "{subject} was restored ({n} decisions){context}"),
    "appeal_received": ("{actor} appealed the hide of {subject}", "{n} appeals against the hide of {subject}"),
    "appeal_upheld": ("{actor} decided the appeal: the hide of {subject} stands{context}",
                      "{n} appeal decisions on {subject}: the hide stands"),
    "muted": ("{actor} muted you in {subject}{context}", "You were muted {n} times in {subject}{context}"),
    "mute_lifted": ("{actor} ended your mute in {subject}{context}", "{n} of your mutes in {subject} were ended early"),
}
MESSAGE = "message"  # a plain notify(user, text=…) notice: its text is the whole message
# What "normal" leaves out; "watching" gets everything, "muted" nothing.
WATCHING_ONLY = {"comment"}


def notify(user, *, text: str, url: str = "") -> Notice:
    """Leave a plain-text notice for `user` (kept for callers that have no subject to point at)."""
    notice = Notice(user_id=user.id, kind=MESSAGE, text=text[:500], url=url[:500])
    db.session.add(notice)
    db.session.flush()
    _publish_counts([user.id])
    return notice


def announce(kind: str, *, recipients, actor, subject, space=None) -> list[Notice]:
    """Leave a `kind` notice about `subject` for each recipient who wants it; return the notices made.

    `recipients` are users (or user ids); the actor is always dropped. `space` defaults to the
    subject's own space when its type knows one.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}; add it to notices.services.KINDS")
    actor_id = getattr(actor, "id", None)
    ids = list(dict.fromkeys(getattr(r, "id", r) for r in recipients if r is not None))
    ids = [i for i in ids if i != actor_id]
    if space is None:
        space = subjects.space_of(subject)
    space_id = space.id if space is not None else None
    if space_id is not None and ids:
        levels = levels_for(ids, space_id)
        ids = [i for i in ids if _wants(levels.get(i, NORMAL), kind)]
    if not ids:
        return []
    subject_type, _ = subjects.type_of(subject)
    group = subjects.group_of(subject)
    group_type, group_entry = subjects.type_of(group)
    context = group_entry.context(group) if group_entry is not None and group_entry.context else ""
    # The sentence as it reads now: shown only if the subject's type is ever unregistered.
    snapshot = compose(kind, actor=getattr(actor, "display_name", "Someone"), name=subjects.title_of(group),
                       context=context)[:500]
    url = subjects.url_of(subject)[:500]
    now = utcnow()
    notices = [Notice(user_id=i, kind=kind, actor_id=actor_id, space_id=space_id,
                      subject_type=subject_type, subject_id=subject.id, group_type=group_type,
                      group_id=group.id, text=snapshot, url=url, created_at=now) for i in ids]
    db.session.add_all(notices)
    db.session.flush()
    _publish_counts(ids)
    return notices


def stewards_of(communities) -> list[int]:
    """The ids of the stewards of these communities (for "something waits for your community")."""
    from workspace.communities.models import STEWARD, Membership
    ids = [getattr(c, "id", c) for c in communities]
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.community_id.in_(ids), Membership.role == STEWARD).distinct())) if ids else []


def members_of(communities, *, besides=()) -> list[int]:
    """The ids of everyone in these communities, leaving out `besides` (users or ids)."""
    from workspace.communities.models import Membership
    ids = [getattr(c, "id", c) for c in communities]
    skip = {getattr(u, "id", u) for u in besides}
    found = db.session.scalars(select(Membership.user_id).where(Membership.community_id.in_(ids)).distinct())
    return [i for i in found if i not in skip] if ids else []


def _wants(level: str, kind: str) -> bool:
    if level == MUTED:
        return False
    return level == WATCHING or kind not in WATCHING_ONLY


# --- reading --------------------------------------------------------------------------------

def notices_for(user, *, limit: int = LIST_LIMIT) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.user_id == user.id)
                                   .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notice.id)).where(
        Notice.user_id == user.id, Notice.read_at.is_(None))) or 0


def unread_counts(user_ids) -> dict[int, int]:
    """Unread notices per person, in one query."""
    ids = list(user_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(db.session.execute(select(Notice.user_id, func.count(Notice.id)).where(
            Notice.user_id.in_(ids), Notice.read_at.is_(None)).group_by(Notice.user_id)).all())
    return counts


class Line:
    """One line of someone's notices: a single notice, or several of one kind on one thing."""
    __slots__ = ("notices", "text", "url", "removed", "actors", "space_id")

    def __init__(self, notices: list[Notice]):
        self.notices = notices
        self.text = self.url = ""
        self.removed = False
        self.actors: list[str] = []
        self.space_id: int | None = None

    @property
    def ids(self) -> list[int]:
        return [n.id for n in self.notices]

    @property
    def unread(self) -> bool:
        return any(n.read_at is None for n in self.notices)

    @property
    def latest(self) -> datetime:
        return max(n.created_at for n in self.notices)

    @property
    def kind(self) -> str:
        return self.notices[0].kind


def group_notices(notices: list[Notice]) -> list[Line]:
    """Put unread notices of one kind on one thing on one line; read ones stay one per line.

    Keeps the order of `notices` (each line sits where its newest notice was).
    """
    lines: OrderedDict = OrderedDict()
    for notice in notices:
        groupable = notice.read_at is None and notice.kind != MESSAGE and notice.group_id is not None
        key = ("group", notice.kind, notice.group_type, notice.group_id) if groupable else ("one", notice.id)
        lines.setdefault(key, []).append(notice)
    return [Line(group) for group in lines.values()]


def render_lines(lines: list[Line]) -> list[Line]:
    """Fill each line's text and link with the current names, loading each type once (no query per line)."""
    notices = [n for line in lines for n in line.notices]
    refs = {(n.subject_type, n.subject_id) for n in notices} | {(n.group_type, n.group_id) for n in notices}
    loaded = subjects.load_all(refs)
    actor_ids = {n.actor_id for n in notices if n.actor_id is not None}
    names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(actor_ids))).all()) \
        if actor_ids else {}
    rendered = {}  # a digest run names the same few things for thousands of people: say each once
    for line in lines:
        first = line.notices[0]
        line.space_id = first.space_id
        line.actors = list(dict.fromkeys(names.get(n.actor_id, "Someone") for n in line.notices))
        key = (first.kind, first.group_type, first.group_id, first.text, first.url, len(line.notices),
               line.actors[0], None if len(line.notices) > 1 else (first.subject_type, first.subject_id))
        if key not in rendered:
            _render(line, loaded)
            rendered[key] = (line.text, line.url, line.removed)
        line.text, line.url, line.removed = rendered[key]
    return lines


def _render(line: Line, loaded: dict) -> None:
    first = line.notices[0]
    if first.kind == MESSAGE or first.kind not in KINDS:
        line.text, line.url = first.text, first.url
        return
    group_type = subjects.subject_type(first.group_type)
    group = loaded.get((first.group_type, first.group_id))
    if group_type is None:  # nobody registered this type: the sentence as it read when it was made
        more = len(line.notices) - 1
        line.text, line.url = first.text + (f" (and {more} more)" if more else ""), first.url
        return
    if group is None:
        name, context, url = subjects.REMOVED, "", ""
        line.removed = True
    else:
        name = group_type.title(group)
        context = group_type.context(group) if group_type.context else ""
        url = group_type.url(group)
        if len(line.notices) == 1:
            subject = loaded.get((first.subject_type, first.subject_id))
            subject_type = subjects.subject_type(first.subject_type)
            if subject is not None and subject_type is not None:
                url = subject_type.url(subject)
    line.text = compose(first.kind, actor=line.actors[0], name=name, context=context, n=len(line.notices),
                        removed=line.removed)
    line.url = url


def compose(kind: str, *, actor: str, name: str, context: str = "", n: int = 1, removed: bool = False) -> str:
    """The sentence for `n` notices of `kind` about the thing called `name` (plain text, not HTML)."""
    one, several = KINDS[kind]
    quoted = name if removed else f"“{name}”"
    return (one if n == 1 else several).format(actor=actor, subject=quoted, context=context, n=n)


def lines_for(user, *, limit: int = LIST_LIMIT) -> list[Line]:
    """Someone's notices as grouped lines with current names, newest first."""
    return render_lines(group_notices(notices_for(user, limit=limit)))


# --- marking read ---------------------------------------------------------------------------

def mark_read(user, *, ids=None, everything: bool = False) -> int:
    """Mark the given notices of `user` (or all of them) read; others' notices are never touched."""
    if not everything:
        if not isinstance(ids, (list, tuple)) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                         for i in ids):
            raise ValidationError({"ids": "Give the notices as a list of numeric ids, or ask for all."})
        if not ids:
            return 0
    query = update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    if not everything:
        query = query.where(Notice.id.in_(ids))
    result = db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.flush()
    if result.rowcount:
        _publish_counts([user.id])
    return result.rowcount


def mark_all_read(user) -> int:
    return mark_read(user, everything=True)


def _publish_counts(user_ids) -> None:
    """Tell each person's open pages their new unread count, once the change commits."""
    for user_id, count in unread_counts(user_ids).items():
        publish(COUNT_EVENT, {"unread": count}, room=user_room(user_id))


def user_room(user_id: int) -> str:
    """Every socket of one person joins this room on connect."""
    return f"user:{user_id}"


# --- levels and e-mail per space ------------------------------------------------------------

def levels_for(user_ids, space_id: int) -> dict[int, str]:
    """The chosen level of each person in one space (people who never chose are left out: normal)."""
    return dict(db.session.execute(select(NoticeSetting.user_id, NoticeSetting.level).where(
        NoticeSetting.user_id.in_(list(user_ids)), NoticeSetting.space_id == space_id)).all())


def setting_for(user, space) -> NoticeSetting:
    """The person's setting for a space (or for notices outside spaces), unsaved defaults when none."""
    space_id = space.id if space is not None else None
    setting = db.session.scalar(select(NoticeSetting).where(
        NoticeSetting.user_id == user.id,
        NoticeSetting.space_id == space_id if space_id is not None else NoticeSetting.space_id.is_(None)))
    return setting or NoticeSetting(user_id=user.id, space_id=space_id, level=NORMAL, email=True)


def set_notice_level(space, *, level, actor) -> NoticeSetting:
    """Choose what reaches you from one space: watching, normal or muted (e-mail follows separately)."""
    if level not in LEVELS:
        raise ValidationError({"level": "Choose watching, normal or muted."})
    setting = setting_for(actor, space)
    setting.level = level
    db.session.add(setting)
    db.session.flush()
    return setting


def set_notice_email(space, *, email: bool, user) -> NoticeSetting:
    """Switch digest e-mail about one space (None: notices outside spaces) on or off for `user`."""
    setting = setting_for(user, space)
    setting.email = bool(email)
    db.session.add(setting)
    db.session.flush()
    return setting


LEVEL_LABELS = {
    WATCHING: "Watching: every comment, and everything below",
    NORMAL: "Normal: mentions, replies, assignments and requests",
    MUTED: "Muted: nothing from this space, not even mentions",
}
