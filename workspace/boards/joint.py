"""Joint cards: work whose assignees come from two or more of the space's communities."""
from sqlalchemy import select

from workspace.communities.models import Community, Membership
from workspace.extensions import db


def communities_by_user(space, user_ids=None) -> dict[int, list[Community]]:
    """Each space member's communities among those the space convenes (one query)."""
    convened = [link.community_id for link in space.convened]
    if user_ids is None:
        user_ids = [m.user_id for m in space.members]
    user_ids = list(user_ids)
    result: dict[int, list[Community]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return result
    rows = db.session.execute(select(Membership.user_id, Community).join(Community)
                              .where(Membership.user_id.in_(user_ids), Community.id.in_(convened))
                              .order_by(Community.name))
    for user_id, community in rows:
        result[user_id].append(community)
    return result


def is_joint(card, communities_of: dict) -> bool:
    """Joint: at least two assignees and no single community that all of them belong to."""
    return is_joint_ids([a.user_id for a in card.assignments], communities_of)


def is_joint_ids(user_ids, communities_of: dict) -> bool:
    sets = [{c.id for c in communities_of.get(uid, ())} for uid in user_ids]
    sets = [s for s in sets if s]
    return len(sets) >= 2 and not set.intersection(*sets)
