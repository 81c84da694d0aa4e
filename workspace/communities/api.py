"""API: the community directory, and asking to join a community."""
from flask_login import current_user, login_required

from workspace import policy
from workspace.api import bp, json_body
from workspace.api.openapi import body, describe, id_param, ref, responses
from workspace.communities import services
from workspace.communities.models import Community, JoinRequest
from workspace.communities.schemas import community_json, join_request_json
from workspace.loading import load_or_404


@bp.get("/communities")
@login_required
def list_communities():
    items = [c for c in services.list_communities() if policy.can_view_community(current_user, c)]
    return {"items": [community_json(c) for c in items]}


@bp.get("/communities/<int:community_id>")
@login_required
def get_community(community_id):
    community = load_or_404(Community, community_id, "Community")
    policy.require(policy.can_view_community(current_user, community), user=current_user)
    body = community_json(community)
    body["members"] = [{"user_id": m.user_id, "display_name": m.user.display_name, "role": m.role}
                       for m in services.members_of(community)]
    return body


# --- first use (issue 8): join requests ---------------------------------------------------------

@bp.post("/communities/<int:community_id>/join-requests")
@login_required
def request_to_join(community_id):
    community = load_or_404(Community, community_id, "Community")
    policy.require(policy.can_request_to_join(current_user, community),
                   "You already belong to this community.", user=current_user)
    data = json_body()
    join_request = services.request_to_join(community, actor=current_user, message=data.get("message", ""))
    return join_request_json(join_request), 201


@bp.post("/join-requests/<int:request_id>/withdraw")
@login_required
def withdraw_join_request(request_id):
    join_request = load_or_404(JoinRequest, request_id, "Join request")
    policy.require(policy.can_withdraw_join_request(current_user, join_request),
                   "Only the person who asked withdraws a join request.", user=current_user)
    services.withdraw_join_request(join_request, actor=current_user)
    return join_request_json(join_request)


_asked = responses("201", ref("JoinRequest"), 403, 404, 409, 422)
_asked["409"]["description"] = "A request of yours already waits for a steward"
describe(paths={
    "/communities/{community_id}/join-requests": {"post": {
        "operationId": "request_to_join", "summary": "Ask to join a community (refused while a request waits)",
        "parameters": [id_param("community_id")], "requestBody": body("JoinRequestBody"), "responses": _asked}},
    "/join-requests/{request_id}/withdraw": {"post": {
        "operationId": "withdraw_join_request", "summary": "Withdraw your own join request before a steward answers",
        "parameters": [id_param("request_id")], "responses": responses("200", ref("JoinRequest"), 403, 404, 422)}},
}, schemas={
    "JoinRequestBody": {"type": "object", "properties": {"message": {"type": "string"}}},
    "JoinRequest": {"type": "object", "required": ["id", "community_id", "status", "created_at"], "properties": {
        "id": {"type": "integer"}, "community_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["pending", "approved", "declined", "withdrawn"]},
        "message": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
})
