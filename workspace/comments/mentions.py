"""Mentions: `@[Name]` names a person or a convened community of the comment's space.

Syntax: `@[` + a person's display name or a community's name + `]`, e.g. `@[Lee Brennan]` or
`@[Social Work]`. The brackets let names with spaces work; the autocomplete inserts them. Names are
matched without regard to case; a person is preferred over a community of the same name. Mentions are
resolved when the comment is written (stored in comment_mentions); a name that is nobody in the space
is refused with the reason, and nothing is saved.
"""
import re
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.communities.models import Community, Membership
from workspace.extensions import db
from workspace.spaces.models import ACCEPTED

MENTION_RE = re.compile(r"@\[([^\[\]\n]{1,120})\]")
MENTIONS_PER_COMMENT = 50


@dataclass(frozen=True)
class Resolved:
    label: str
    user: object = None
    community: object = None


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def labels_in(body: str) -> list[str]:
    """The distinct names written as mentions, in order of first appearance."""
    seen, labels = set(), []
    for found in MENTION_RE.finditer(body or ""):
        label = " ".join(found.group(1).split())
        if label and _fold(label) not in seen:
            seen.add(_fold(label))
            labels.append(label)
    return labels


def mentionable(space) -> tuple[list, list]:
    """The space's joined members (people) and its convened communities that accepted."""
    people = [m.user for m in space.members if m.user.is_active]
    communities = [link.community for link in space.convened if link.status == ACCEPTED]
    return people, communities


def resolve(space, body: str) -> tuple[list[Resolved], str | None]:
    """Resolve every mention in `body`; return (mentions, None) or ([], the reason it is refused)."""
    labels = labels_in(body)
    if not labels:
        return [], None
    if len(labels) > MENTIONS_PER_COMMENT:
        return [], f"A comment can mention at most {MENTIONS_PER_COMMENT} people or communities."
    people, communities = mentionable(space)
    by_name: dict[str, list] = {}
    for user in people:
        by_name.setdefault(_fold(user.display_name), []).append(user)
    community_by_name = {_fold(c.name): c for c in communities}
    resolved = []
    for label in labels:
        key = _fold(label)
        matches = by_name.get(key, [])
        if len(matches) == 1:
            resolved.append(Resolved(label, user=matches[0]))
        elif len(matches) > 1:
            return [], f"More than one person called {label} is in this space; mention their community instead."
        elif key in community_by_name:
            resolved.append(Resolved(label, community=community_by_name[key]))
        elif _someone_called(label):
            return [], f"{label} is not in this space."
        else:
            return [], f"Nobody called {label} is in this space."
    return resolved, None


def _someone_called(label: str) -> bool:
    return db.session.scalar(select(User.id).where(User.display_name == label).limit(1)) is not None \
        or db.session.scalar(select(Community.id).where(Community.name == label).limit(1)) is not None


def recipients(space, mentions) -> list:
    """The people a comment's mentions reach: each person, and each community's members in the space."""
    member_ids = {m.user_id for m in space.members}
    people: dict[int, object] = {}
    community_ids = []
    for mention in mentions:
        if mention.user is not None:
            people[mention.user.id] = mention.user
        elif mention.community is not None:
            community_ids.append(mention.community.id)
    if community_ids:
        for user in db.session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                       .where(Membership.community_id.in_(community_ids))):
            if user.id in member_ids:
                people.setdefault(user.id, user)
    return list(people.values())


def link_mentions(html: Markup, mentions, space_id: int) -> Markup:
    """Turn `@[Name]` in sanitised HTML into links for the mentions that were resolved.

    Runs on the sanitiser's output: the label is matched in its escaped form and the link is built
    from escaped parts, so safe HTML stays safe. Unresolved brackets are left as written.
    """
    if not mentions:
        return html
    targets = {}
    for mention in mentions:
        if mention.user is not None:
            targets[_fold(mention.label)] = (f"/spaces/{space_id}#person-{mention.user.id}", "person",
                                             mention.user.display_name)
        elif mention.community is not None:
            targets[_fold(mention.label)] = (f"/communities/{mention.community.slug}", "community",
                                             mention.community.name)

    def _replace(found):
        # found.group(1) is already HTML-escaped text from the sanitiser; unescape to compare names
        label = Markup(found.group(1)).unescape()
        target = targets.get(_fold(label))
        if target is None:
            return found.group(0)
        href, kind, name = target  # shown with the current name: people and communities get renamed
        return str(Markup('<a class="mention mention--{}" href="{}">@{}</a>').format(kind, href, name))

    return Markup(MENTION_RE.sub(_replace, str(html)))
