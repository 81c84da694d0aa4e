"""API: who am I."""
from flask_login import current_user, login_required

from workspace.api import bp
from workspace.communities.schemas import membership_json


@bp.get("/me")
@login_required
def get_me():
    return {"id": current_user.id, "email": current_user.email, "display_name": current_user.display_name,
            "is_admin": current_user.is_admin,
            "communities": [membership_json(m) for m in current_user.memberships]}
