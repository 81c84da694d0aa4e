"""The profile's sessions section and password change (issue 12): a person ends their own sessions."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField

from workspace import policy
from workspace.accounts import sessions
from workspace.accounts.models import LoginSession
from workspace.errors import ValidationError, show_on_form
from workspace.extensions import db, limiter

bp = Blueprint("sessions", __name__)


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password")
    new_password = PasswordField("New password (10 characters or more)")


def _own_session_or_404(session_id: int) -> LoginSession:
    """Someone else's session, or one already ended, is refused as if it did not exist."""
    login = db.session.get(LoginSession, session_id)
    policy.require_visible(login is not None and login.revoked_at is None
                           and policy.can_manage_login_session(current_user, login), "That session")
    return login


@bp.post("/profile/sessions/<int:session_id>/end")
@login_required
def end_session(session_id):
    login = _own_session_or_404(session_id)
    this_one = sessions.current_login_session(current_user)
    sessions.end_session(login, actor=current_user)
    if this_one is not None and this_one.id == login.id:
        logout_user()
        flash("You are signed out.", "info")
        return redirect(url_for("accounts.login"))
    flash(f"Signed out {sessions.describe_device(login.user_agent)}.", "info")
    return redirect(url_for("accounts.profile") + "#sessions-heading")


@bp.post("/profile/sessions/end-others")
@login_required
def end_other_sessions():
    policy.require(policy.can_view_profile(current_user), user=current_user)
    ended = sessions.end_other_sessions(current_user, keep=sessions.current_login_session(current_user),
                                        actor=current_user)
    flash(f"Signed out {ended} other session{'s' if ended != 1 else ''}." if ended
          else "You had no other sessions.", "info")
    return redirect(url_for("accounts.profile") + "#sessions-heading")


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"])
def change_password():
    policy.require(policy.can_view_profile(current_user), user=current_user)
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            ended = sessions.change_password(current_user, current_password=form.current_password.data,
                                             new_password=form.new_password.data,
                                             keep=sessions.current_login_session(current_user), actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash("Your password is changed" + (f"; your {ended} other session{'s were' if ended != 1 else ' was'} "
                                                f"signed out." if ended else "."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), 422 if form.errors or form.form_errors else 200
