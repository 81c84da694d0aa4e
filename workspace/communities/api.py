"""API: the community directory."""
from flask_login import current_user, login_required

from workspace import policy
from workspace.api import bp
from workspace.communities import services
from workspace.communities.models import Community
from workspace.communities.schemas import community_json
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
