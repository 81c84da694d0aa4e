"""API: list, propose, read, accept, join and archive spaces."""
from flask_login import current_user, login_required

from workspace import policy
from workspace.api import bp, int_field, int_list, json_body
from workspace.communities.models import Community
from workspace.errors import ValidationError
from workspace.loading import find_by_id, load_space
from workspace.spaces import services
from workspace.spaces.schemas import space_json



@bp.get("/spaces")
@login_required
def list_spaces():
    return {"items": [space_json(s) for s in services.visible_spaces(current_user)]}


@bp.post("/spaces")
@login_required
def propose_space():
    policy.require(policy.can_propose_space(current_user), "Only community stewards can propose a space.",
                   user=current_user)
    data = json_body()
    proposing = find_by_id(Community, int_field(data, "proposing_community_id"))
    if proposing is None:
        raise ValidationError({"proposing_community_id": "No such community."})
    policy.require(policy.can_propose_space(current_user, proposing),
                   "You can only propose on behalf of a community you steward.")
    invited = []
    for cid in int_list(data, "community_ids"):
        community = find_by_id(Community, cid)
        if community is None:
            raise ValidationError({"community_ids": f"No community has id {cid}."})
        invited.append(community)
    space = services.propose_space(proposing=proposing, invited=invited, title=data.get("title"),
                                   purpose=data.get("purpose"), ground_rules=data.get("ground_rules"),
                                   actor=current_user)
    return space_json(space, detail=True), 201


@bp.get("/spaces/<int:space_id>")
@login_required
def get_space(space_id):
    return space_json(load_space(space_id), detail=True)


@bp.post("/spaces/<int:space_id>/accept")
@login_required
def accept_space(space_id):
    space = load_space(space_id)
    policy.require(policy.can_accept_space(current_user, space),
                   "Only a steward of an invited community can accept this proposal.")
    services.accept_space(space, actor=current_user)
    return space_json(space, detail=True)


@bp.post("/spaces/<int:space_id>/join")
@login_required
def join_space(space_id):
    space = load_space(space_id)
    policy.require(policy.can_join_space(current_user, space),
                   "You cannot join this space (it is not open, or you are already a member).")
    data = json_body()
    services.join_space(space, actor=current_user, accepts_ground_rules=data.get("accept_ground_rules") is True)
    return space_json(space, detail=True)


@bp.post("/spaces/<int:space_id>/archive")
@login_required
def archive_space(space_id):
    space = load_space(space_id)
    policy.require(policy.can_archive_space(current_user, space), "Only the space's moderators can archive it.")
    services.archive_space(space, actor=current_user)
    return space_json(space, detail=True)
