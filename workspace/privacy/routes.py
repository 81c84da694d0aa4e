"""Take your data, or delete your account (issue 12)."""
from datetime import datetime, timezone

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField

from workspace import policy
from workspace.errors import ValidationError, show_on_form
from workspace.extensions import limiter
from workspace.privacy import build_export
from workspace.privacy import services

bp = Blueprint("privacy", __name__)


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password, to confirm")


@bp.get("/profile/export")
@login_required
@limiter.limit("10/hour")
def export_data():
    policy.require(policy.can_take_own_data(current_user), user=current_user)
    archive = build_export(current_user)
    name = f"convene-export-{datetime.now(timezone.utc):%Y%m%d}.zip"
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"])
def delete_account():
    policy.require(policy.can_take_own_data(current_user), user=current_user)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            name = services.delete_account(current_user, password=form.password.data, actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            logout_user()
            flash(f"Your account is deleted. What you wrote together with others stays, shown as written by "
                  f"“{name}”.", "info")
            return redirect(url_for("pages.home"))
    return render_template("privacy/delete.html", form=form,
                           former_name=services.former_member_name(current_user)), 422 if form.errors else 200
