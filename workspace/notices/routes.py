"""Your notices: a simple list, and a button to mark them read."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.accounts.forms import ActionForm
from workspace.notices import services

bp = Blueprint("notices", __name__)


@bp.route("/notices")
@login_required
def list_notices():
    policy.require(policy.can_view_notices(current_user), user=current_user)
    return render_template("notices/list.html", notices=services.notices_for(current_user), form=ActionForm())


@bp.route("/notices/read", methods=["POST"])
@login_required
def mark_notices_read():
    policy.require(policy.can_view_notices(current_user), user=current_user)
    services.mark_all_read(current_user)
    return redirect(url_for("notices.list_notices"))


def register(app) -> None:
    """Give every page the signed-in person's unread count for the header."""

    @app.context_processor
    def _unread_notices():
        def unread_notices() -> int:
            return services.unread_count(current_user) if policy.is_signed_in(current_user) else 0
        return {"unread_notices": unread_notices}
