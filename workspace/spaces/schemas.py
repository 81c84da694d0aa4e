"""JSON shape of a space, its convened communities and its members."""
from workspace.communities.schemas import community_json
from workspace.spaces.services import member_payload


def space_json(space, *, detail: bool = False) -> dict:
    body = {"id": space.id, "title": space.title, "status": space.status, "purpose": space.purpose,
            "created_at": space.created_at.isoformat(),
            "communities": [dict(community_json(link.community), consent=link.status,
                                 is_proposer=link.is_proposer) for link in space.convened]}
    if detail:
        body["ground_rules"] = space.ground_rules
        body["members"] = [member_payload(m) for m in space.members]
    return body
