"""JSON shapes of communities and memberships."""


def community_json(community) -> dict:
    return {"id": community.id, "name": community.name, "slug": community.slug,
            "description": community.description, "colour": community.colour}


def membership_json(membership) -> dict:
    return {"community": community_json(membership.community), "role": membership.role}
