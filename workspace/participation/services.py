"""Participation balance: counters kept in the same transaction as each contribution, read per window.

A `before_flush` listener sees every new comment, card, glossary term and bridge and adds to that member's
daily counter; words written in documents are counted in batches off the editing path (`words.py`). So
reading the figures is a handful of grouped sums over small rows, never a recount of the contributions.
`recount` computes the same figures from the raw rows (for tests and the benchmark's baseline).

A glossary belongs to a community, not a space: a term counts in each active space that convenes its
community and has its author as a member; a bridge (a translation, with its note) in each such space
that convenes both of its communities.
"""
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from workspace.extensions import db
from workspace.participation.models import (CARD_ACTIONS, COMMENTS, GLOSSARY, KINDS, WORDS, ParticipantTotal,
                                           ParticipationCount, WordsWritten)

WINDOWS = {"7d": 7, "30d": 30, "all": None}
FAIR_MARGIN = 0.15  # a community is "over its fair share" when its share exceeds its members' share by this


def _day(moment: datetime | None) -> date:
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).date()


def community_of(session, user_id, space_id):
    """The first convened community (in the space's order) the member belongs to."""
    from workspace.communities.models import Membership
    from workspace.spaces.models import SpaceCommunity
    return session.scalar(select(SpaceCommunity.community_id).join(
        Membership, Membership.community_id == SpaceCommunity.community_id).where(
        SpaceCommunity.space_id == space_id, Membership.user_id == user_id).order_by(SpaceCommunity.id).limit(1))


def add(session, *, space_id, user_id, kind, amount=1, day=None, pending=None) -> None:
    """Add a member's contribution to their community's daily counter and their own total (caller's transaction)."""
    day = day or _day(None)
    pending = pending if pending is not None else {}
    with session.no_autoflush:
        community_key = ("community", space_id, user_id)
        if community_key not in pending:
            pending[community_key] = community_of(session, user_id, space_id)
        community_id = pending[community_key]
        key = (space_id, community_id, day, kind)
        row = pending.get(key)
        if row is None:
            row = session.scalar(select(ParticipationCount).where(
                ParticipationCount.space_id == space_id, ParticipationCount.community_id.is_(None)
                if community_id is None else ParticipationCount.community_id == community_id,
                ParticipationCount.day == day, ParticipationCount.kind == kind))
            if row is None:
                row = ParticipationCount(space_id=space_id, community_id=community_id, day=day, kind=kind, amount=0)
                session.add(row)
            pending[key] = row
        row.amount = (row.amount or 0) + amount
        person_key = ("person", space_id, user_id)
        person = pending.get(person_key)
        if person is None:
            person = session.scalar(select(ParticipantTotal).where(ParticipantTotal.space_id == space_id,
                                                                   ParticipantTotal.user_id == user_id))
            if person is None:
                person = ParticipantTotal(space_id=space_id, user_id=user_id, amount=0)
                session.add(person)
            pending[person_key] = person
        person.amount = (person.amount or 0) + amount


def glossary_spaces(session, *, user_id, community_ids, pending=None) -> list[int]:
    """The spaces a glossary contribution counts in: they convene all `community_ids` and have `user_id` as a member."""
    from workspace.spaces.models import ACCEPTED, ACTIVE, Space, SpaceCommunity, SpaceMember
    key = ("glossary", user_id, tuple(sorted(set(community_ids))))
    if pending is not None and key in pending:
        return pending[key]
    wanted = set(community_ids)
    rows = session.execute(select(SpaceCommunity.space_id, SpaceCommunity.community_id).join(
        SpaceMember, SpaceMember.space_id == SpaceCommunity.space_id).join(
        Space, Space.id == SpaceCommunity.space_id).where(
        SpaceMember.user_id == user_id, SpaceCommunity.status == ACCEPTED, Space.status == ACTIVE,
        SpaceCommunity.community_id.in_(wanted)))
    found = defaultdict(set)
    for space_id, community_id in rows:
        found[space_id].add(community_id)
    spaces = sorted(space_id for space_id, have in found.items() if have == wanted)
    if pending is not None:
        pending[key] = spaces
    return spaces


@event.listens_for(Session, "before_flush")
def _count_new_contributions(session, flush_context, instances) -> None:
    from workspace.boards.models import Board, Card
    from workspace.comments.models import Comment
    from workspace.glossary.models import Bridge, Term
    pending = {}
    for obj in list(session.new):
        if isinstance(obj, Comment) and obj.space_id and obj.author_id:
            add(session, space_id=obj.space_id, user_id=obj.author_id, kind=COMMENTS,
                day=_day(obj.created_at), pending=pending)
        elif isinstance(obj, Card) and obj.created_by_id and obj.board_id:
            with session.no_autoflush:
                board = session.get(Board, obj.board_id)
            if board is not None:
                add(session, space_id=board.space_id, user_id=obj.created_by_id, kind=CARD_ACTIONS,
                    day=_day(obj.created_at), pending=pending)
        elif isinstance(obj, (Term, Bridge)):
            _count_glossary(session, obj, pending)


def _count_glossary(session, obj, pending) -> None:
    from workspace.glossary.models import Term
    with session.no_autoflush:
        if isinstance(obj, Term):
            user_id, communities = obj.created_by_id, [obj.community_id]
        else:
            ends = [obj.from_term or session.get(Term, obj.from_term_id), obj.to_term or session.get(Term, obj.to_term_id)]
            user_id, communities = obj.proposed_by_id, [t.community_id for t in ends if t is not None]
        if user_id is None or None in communities or not communities:
            return
        for space_id in glossary_spaces(session, user_id=user_id, community_ids=communities, pending=pending):
            add(session, space_id=space_id, user_id=user_id, kind=GLOSSARY, day=_day(obj.created_at), pending=pending)


# --- reading --------------------------------------------------------------------------------

def _members(space):
    from workspace.communities.models import Membership
    out = {}
    order = [link.community_id for link in space.convened]
    mine = defaultdict(set)
    rows = db.session.execute(select(Membership.user_id, Membership.community_id).where(
        Membership.user_id.in_([m.user_id for m in space.members]), Membership.community_id.in_(order)))
    for user_id, community_id in rows:
        mine[user_id].add(community_id)
    for m in space.members:
        out[m.user_id] = next((c for c in order if c in mine[m.user_id]), None)
    return out


def _shape(space, totals, members, heard) -> dict:
    """The figures: per window, each community's contributions and share against its members' share."""
    member_count = defaultdict(int)
    for community_id in members.values():
        member_count[community_id] += 1
    n_members = len(members) or 1
    windows = {}
    for name, per_community in totals.items():
        total = sum(sum(kinds.values()) for kinds in per_community.values()) or 0
        rows = []
        for link in space.convened:
            kinds = per_community.get(link.community_id, {})
            amount = sum(kinds.values())
            rows.append({"community_id": link.community_id, "community": link.community.name,
                         "contributions": amount, "by_kind": {k: kinds.get(k, 0) for k in KINDS},
                         "share": round(amount / total, 4) if total else 0.0,
                         "member_share": round(member_count[link.community_id] / n_members, 4),
                         "members": member_count[link.community_id]})
        windows[name] = {"total": total, "communities": rows}
    not_heard = [uid for uid in members if uid not in heard]
    return {"space_id": space.id, "windows": windows, "not_yet_heard": not_heard}


def figures(space, *, today: date | None = None) -> dict:
    """The participation figures from the counters (what the page and the API serve)."""
    today = today or _day(None)
    members = _members(space)
    totals = {}
    for name, days in WINDOWS.items():
        query = select(ParticipationCount.community_id, ParticipationCount.kind, func.sum(ParticipationCount.amount)
                       ).where(ParticipationCount.space_id == space.id)
        if days is not None:
            query = query.where(ParticipationCount.day > today - timedelta(days=days))
        per = defaultdict(dict)
        for community_id, kind, amount in db.session.execute(query.group_by(ParticipationCount.community_id,
                                                                             ParticipationCount.kind)):
            per[community_id][kind] = int(amount or 0)
        totals[name] = per
    heard = set(db.session.scalars(select(ParticipantTotal.user_id).where(
        ParticipantTotal.space_id == space.id, ParticipantTotal.amount > 0)))
    return _shape(space, totals, members, heard)


def raw_contributions(space) -> list[tuple[int, str, date, int]]:
    """Every contribution in a space from its own rows: (user id, kind, day, amount)."""
    from workspace.boards.models import Board, Card
    from workspace.comments.models import Comment
    from workspace.documents.models import Document
    from workspace.glossary.models import Bridge, Term
    from workspace.spaces.models import ACCEPTED
    raw = [(a, COMMENTS, _day(t), 1) for a, t in db.session.execute(
        select(Comment.author_id, Comment.created_at).where(Comment.space_id == space.id))]
    raw += [(a, CARD_ACTIONS, _day(t), 1) for a, t in db.session.execute(
        select(Card.created_by_id, Card.created_at).join(Board).where(Board.space_id == space.id))]
    raw += [(u, WORDS, d, n) for u, d, n in db.session.execute(
        select(WordsWritten.user_id, WordsWritten.day, WordsWritten.words).join(
            Document, Document.id == WordsWritten.document_id).where(Document.space_id == space.id))]
    if space.status == "active":
        convened = {link.community_id for link in space.convened if link.status == ACCEPTED}
        members = {m.user_id for m in space.members}
        raw += [(u, GLOSSARY, _day(t), 1) for u, t in db.session.execute(
            select(Term.created_by_id, Term.created_at).where(Term.community_id.in_(convened),
                                                              Term.created_by_id.in_(members)))]
        for bridge in db.session.scalars(select(Bridge).where(Bridge.proposed_by_id.in_(members))):
            if set(bridge.community_ids) <= convened:
                raw.append((bridge.proposed_by_id, GLOSSARY, _day(bridge.created_at), 1))
    return raw


def recount(space, *, today: date | None = None) -> dict:
    """The same figures recounted from the raw rows (comments, cards, words, glossary): the slow, obviously right way."""
    today = today or _day(None)
    members = _members(space)
    raw = raw_contributions(space)
    of = {}
    totals = {name: defaultdict(lambda: defaultdict(int)) for name in WINDOWS}
    for user_id, kind, day, amount in raw:
        if user_id not in of:
            of[user_id] = community_of(db.session, user_id, space.id)
        for name, days in WINDOWS.items():
            if days is None or day > today - timedelta(days=days):
                totals[name][of[user_id]][kind] += amount
    heard = {user_id for user_id, _, _, amount in raw if amount > 0}
    return _shape(space, {k: {c: dict(v) for c, v in per.items()} for k, per in totals.items()}, members, heard)


def member_communities(space) -> dict:
    """Each member's community in this space (once per request: the page renders many threads)."""
    from flask import g, has_app_context
    if not has_app_context():
        return _members(space)
    cache = g.setdefault("participation_members", {})
    if space.id not in cache:
        cache[space.id] = _members(space)
    return cache[space.id]


def _loaded(root) -> list:
    """The thread's comments the page holds (a long thread's lean view stands in for earlier replies)."""
    return [root] + [c for c in root.replies if hasattr(c, "author_id")]


def thread_nudge(root, *, space) -> str | None:
    """A gentle nudge for the comment box (never a block): one person wrote more than a third of the thread's
    last 20 comments, or a convened community has not replied in a thread that is going on without it."""
    recent = _loaded(root)[-20:]
    if len(recent) < 4:
        return None
    by_person = defaultdict(int)
    for c in recent:
        by_person[c.author_id] += 1
    author_id, most = max(by_person.items(), key=lambda kv: kv[1])
    if most * 3 > len(recent):
        name = next(c.author.display_name for c in recent if c.author_id == author_id)
        return f"{name} wrote {most} of the last {len(recent)} comments here: leave room for other voices."
    members = member_communities(space)
    spoke = {members.get(c.author_id) for c in recent}
    for link in space.convened:
        if link.status == "accepted" and link.community_id not in spoke:
            return f"{link.community.name} hasn't replied in this thread yet."
    return None


def round_robin_turn(root, *, space):
    """Whose community's turn it is in a round-robin thread: the convened community heard least recently."""
    members = member_communities(space)
    last_spoke = {}
    for position, c in enumerate(_loaded(root)):
        last_spoke[members.get(c.author_id)] = position
    accepted = [link.community for link in space.convened if link.status == "accepted"]
    return min(accepted, key=lambda com: last_spoke.get(com.id, -1), default=None)


def is_round_robin(root) -> bool:
    """One query per space and request, however many threads the page shows."""
    from flask import g, has_app_context
    from workspace.comments.models import Comment
    from workspace.participation.models import RoundRobin

    def threads() -> set:  # built only when asked: building the statement per thread was half a page's calls
        return set(db.session.scalars(select(RoundRobin.thread_id).join(Comment, Comment.id == RoundRobin.thread_id)
                                      .where(Comment.space_id == root.space_id)))
    if not has_app_context():
        return root.id in threads()
    cache = g.setdefault("round_robin_threads", {})
    if root.space_id not in cache:
        cache[root.space_id] = threads()
    return root.id in cache[root.space_id]


def set_round_robin(root, *, on: bool, actor) -> bool:
    """Put a thread in round-robin mode or take it out (a moderator's choice, written in the log)."""
    from workspace.audit.services import record
    from workspace.errors import ValidationError
    from workspace.participation.models import RoundRobin
    if root.parent_id is not None:
        raise ValidationError({"thread": "Round-robin is set on a thread's first comment."})
    current = db.session.get(RoundRobin, root.id)
    if on and current is None:
        db.session.add(RoundRobin(thread_id=root.id, set_by_id=actor.id))
    elif not on and current is not None:
        db.session.delete(current)
    db.session.flush()
    record("moderation.round_robin_on" if on else "moderation.round_robin_off", actor=actor, target=root,
           space_id=root.space_id, reason="Round-robin turns in a thread" if on else "Round-robin ended")
    return on


def rebuild_counts(space) -> int:
    """Recount a space's counters from its raw rows (contributions made before counting existed); returns rows."""
    from sqlalchemy import delete
    db.session.execute(delete(ParticipationCount).where(ParticipationCount.space_id == space.id))
    db.session.execute(delete(ParticipantTotal).where(ParticipantTotal.space_id == space.id))
    of, per_day, per_person = {}, defaultdict(int), defaultdict(int)
    for user_id, kind, day, amount in raw_contributions(space):
        if user_id not in of:
            of[user_id] = community_of(db.session, user_id, space.id)
        per_day[(of[user_id], day, kind)] += amount
        per_person[user_id] += amount
    rows = [{"space_id": space.id, "community_id": c, "day": d, "kind": k, "amount": n} for (c, d, k), n in per_day.items()]
    if rows:
        db.session.execute(ParticipationCount.__table__.insert(), rows)
    if per_person:
        db.session.execute(ParticipantTotal.__table__.insert(),
                           [{"space_id": space.id, "user_id": u, "amount": n} for u, n in per_person.items()])
    return len(rows)
