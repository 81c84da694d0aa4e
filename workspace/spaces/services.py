"""Spaces: propose to other communities, accept, join on accepting ground rules, archive."""
import logging

from sqlalchemy import select

from workspace import policy
from workspace.accounts.models import User
from workspace.communities.models import STEWARD, Community, Membership
from workspace.database import utcnow
from workspace.errors import ValidationError
from workspace.events import publish, room_for
from workspace.extensions import db
from workspace.notices.services import announce, members_of, stewards_of
from workspace.spaces.models import (ACCEPTED, ACTIVE, ARCHIVED, INVITED, MODERATOR, PARTICIPANT,
                                     PROPOSED, Space, SpaceCommunity, SpaceMember)
from workspace.validation import LONG_TEXT_MAX, NAME_MAX, FieldErrors, normalise_name

log = logging.getLogger("convene.spaces")

DEFAULT_GROUND_RULES = """\
1. **Assume good faith.** Each community here has its own words, habits and reasons; a term that
   sounds wrong to you may mean something precise to them. Ask before you judge.
2. **Explain your practice.** Say what your words mean and why you work the way you do.
3. **Make room for every voice.** Notice who has not been heard yet and invite them in;
   no single community or person should dominate.
4. **Criticise ideas, not people or professions.** No stereotypes, no mockery.
5. **Keep confidences.** Never share identifiable details of patients, clients or cases.
6. **Start small and concrete.** Agree on one useful thing before tackling the big disagreements.
"""


def visible_spaces(user) -> list[Space]:
    """Every space the user may see, by the same rule as `policy.can_view_space`."""
    query = select(Space).order_by(Space.created_at.desc(), Space.id.desc())
    if not policy.is_admin(user):
        mine = policy.community_ids_of(user)
        if not mine:
            return []
        query = query.where(Space.id.in_(
            select(SpaceCommunity.space_id).where(SpaceCommunity.community_id.in_(mine))))
    return list(db.session.scalars(query))


def propose_space(*, proposing: Community, invited: list[Community], title, purpose,
                  ground_rules=None, actor: User) -> Space:
    """A steward of `proposing` convenes it with the `invited` communities, pending their consent."""
    errors = FieldErrors()
    title = normalise_name(errors.text("title", title, label="Title", max_length=NAME_MAX))
    purpose = errors.text("purpose", purpose, label="Purpose", max_length=LONG_TEXT_MAX)
    if ground_rules is None or (isinstance(ground_rules, str) and not ground_rules.strip()):
        ground_rules = DEFAULT_GROUND_RULES
    ground_rules = errors.text("ground_rules", ground_rules, label="Ground rules", max_length=LONG_TEXT_MAX)
    invited = [c for c in invited if c is not None]
    if any(c.id == proposing.id for c in invited):
        errors.add("community_ids", f"{proposing.name} is the community proposing this space: "
                                    "invite the other communities.")
    elif not invited:
        errors.add("community_ids", "Invite at least one other community.")
    elif len({c.id for c in invited}) != len(invited):
        errors.add("community_ids", "Each community can be invited once.")
    errors.raise_if_any()

    space = Space(title=title, purpose=purpose, ground_rules=ground_rules, status=PROPOSED,
                  proposed_by_id=actor.id)
    space.convened.append(SpaceCommunity(community_id=proposing.id, status=ACCEPTED, is_proposer=True,
                                         decided_by_id=actor.id, decided_at=utcnow()))
    for community in invited:
        space.convened.append(SpaceCommunity(community_id=community.id, status=INVITED))
    space.members.append(SpaceMember(user_id=actor.id, role=MODERATOR))
    db.session.add(space)
    db.session.flush()
    announce("space_proposed", recipients=stewards_of(invited), actor=actor, subject=space)
    log.info("space %s proposed by %s", space.id, actor.id)
    return space


def accept_space(space: Space, *, actor: User) -> list[Community]:
    """Record consent for every invited community the actor stewards; activate when all agree."""
    stewarded = policy.community_ids_of(actor, role=STEWARD)
    accepted = []
    for link in space.convened:
        if link.status == INVITED and link.community_id in stewarded:
            link.status = ACCEPTED
            link.decided_by_id = actor.id
            link.decided_at = utcnow()
            accepted.append(link.community)
    if not accepted:
        raise ValidationError({"space": "None of your communities has a pending invitation to this space."})
    member = policy.space_member(actor, space)
    if member is None:
        space.members.append(SpaceMember(user_id=actor.id, role=MODERATOR))
    else:
        member.role = MODERATOR
    if all(link.status == ACCEPTED for link in space.convened):
        space.status = ACTIVE
        space.activated_at = utcnow()
    db.session.flush()
    if space.status == ACTIVE:  # open: everyone in the convened communities is invited to join
        announce("space_invited", recipients=members_of(space.communities, besides=[m.user_id for m in space.members]),
                 actor=actor, subject=space)
    publish("space_updated", {"space_id": space.id, "status": space.status}, room=room_for(space))
    log.info("space %s accepted by %s for %s", space.id, actor.id, [c.slug for c in accepted])
    return accepted


def join_space(space: Space, *, actor: User, accepts_ground_rules) -> SpaceMember:
    """Join as a participant; accepting the ground rules is the price of entry."""
    if accepts_ground_rules not in (True, "y", "yes", "on", "true", "1", 1):
        raise ValidationError({"accept_ground_rules": "Read the ground rules and tick the box to accept them."})
    member = SpaceMember(user_id=actor.id, role=PARTICIPANT)
    space.members.append(member)
    db.session.flush()
    publish("member_joined", member_payload(member), room=room_for(space))
    log.info("user %s joined space %s", actor.id, space.id)
    return member


def archive_space(space: Space, *, actor: User) -> None:
    space.status = ARCHIVED
    space.archived_at = utcnow()
    db.session.flush()
    publish("space_updated", {"space_id": space.id, "status": space.status}, room=room_for(space))
    log.info("space %s archived by %s", space.id, actor.id)


def member_community_names(space: Space, user: User) -> list[Community]:
    """The user's communities among those the space convenes (people may belong to several)."""
    ids = {link.community_id for link in space.convened}
    return list(db.session.scalars(select(Community).join(Membership).where(
        Membership.user_id == user.id, Community.id.in_(ids)).order_by(Community.name)))


def members_by_community(space: Space) -> list[tuple[Community, list[SpaceMember]]]:
    """Group the space's members under each convened community they belong to."""
    groups = []
    for community in space.communities:
        user_ids = set(db.session.scalars(select(Membership.user_id).where(
            Membership.community_id == community.id)))
        groups.append((community, [m for m in space.members if m.user_id in user_ids]))
    return groups


def member_payload(member: SpaceMember) -> dict:
    return {"user_id": member.user_id, "display_name": member.user.display_name, "role": member.role,
            "communities": [c.name for c in member_community_names(member.space, member.user)]}
