"""JSON shapes of communities and memberships."""


def community_json(community) -> dict:
    return {"id": community.id, "name": community.name, "slug": community.slug,
            "description": community.description, "colour": community.colour}


def membership_json(membership) -> dict:
    return {"community": community_json(membership.community), "role": membership.role}


def join_request_json(join_request) -> dict:
    return {"id": join_request.id, "community_id": join_request.community_id, "status": join_request.status,
            "message": join_request.message or "", "created_at": join_request.created_at.isoformat()}
