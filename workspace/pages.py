"""The home page: a welcome for visitors, one's spaces and communities once signed in."""
from flask import Blueprint, render_template, send_from_directory, current_app
from flask_login import current_user

from workspace import policy
from workspace.communities.models import Membership
from workspace.extensions import db
from workspace.spaces.services import visible_spaces

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    if not policy.is_signed_in(current_user):
        return render_template("pages/welcome.html")
    memberships = db.session.scalars(db.select(Membership).where(Membership.user_id == current_user.id)).all()
    return render_template("pages/home.html", spaces=visible_spaces(current_user), memberships=memberships)


@bp.route("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
