"""Your notices, grouped, with their current names; your level per space; unsubscribing from a digest."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.accounts.forms import ActionForm
from workspace.errors import ValidationError
from workspace.loading import load_space
from workspace.notices import digests, services, subjects

bp = Blueprint("notices", __name__)


@bp.route("/notices")
@login_required
def list_notices():
    policy.require(policy.can_view_notices(current_user), user=current_user)
    lines = services.lines_for(current_user)
    return render_template("notices/list.html", lines=lines, form=ActionForm(),
                           unread=sum(1 for line in lines if line.unread),
                           outside=services.setting_for(current_user, None))


@bp.route("/notices/email", methods=["POST"])
@login_required
def set_notice_email():
    """Switch digest e-mail about notices outside spaces (join requests, decisions) on or off."""
    policy.require(policy.can_view_notices(current_user), user=current_user)
    setting = services.set_notice_email(None, email="email" in request.form, user=current_user)
    flash(f"E-mail digests about your communities: {'on' if setting.email else 'off'}.", "success")
    return redirect(url_for("notices.list_notices"))


@bp.route("/notices/read", methods=["POST"])
@login_required
def mark_notices_read():
    """Mark the notices of one line read (`ids`), or all of them when no ids are sent."""
    policy.require(policy.can_view_notices(current_user), user=current_user)
    raw = request.form.getlist("ids")
    if raw:
        if not all(value.isascii() and value.isdigit() and len(value) < 19 for value in raw):
            raise ValidationError({"ids": "Give the notices as numeric ids."})
        services.mark_read(current_user, ids=[int(value) for value in raw])
    else:
        services.mark_all_read(current_user)
    return redirect(url_for("notices.list_notices"))


@bp.route("/spaces/<int:space_id>/notification-level", methods=["POST"])
@login_required
def set_notice_level(space_id):
    space = load_space(space_id)
    policy.require(policy.can_set_notice_level(current_user, space))
    try:
        setting = services.set_notice_level(space, level=request.form.get("level"), actor=current_user)
    except ValidationError as error:
        flash(error.errors["level"], "error")
    else:
        services.set_notice_email(space, email="email" in request.form, user=current_user)
        flash(f"Notifications from this space: {setting.level}, e-mail {'on' if setting.email else 'off'}.", "success")
    return redirect(url_for("spaces.show_space", space_id=space.id) + "#notification-level-heading")


@bp.route("/notices/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """Stop digest e-mail about one space, from a link in the e-mail, signed in or not.

    GET only asks (mail scanners open links); the button POSTs. The token is signed, so it cannot be
    changed to switch off someone else's e-mail.
    """
    found = digests.read_unsubscribe_token(token)
    if found is None:
        abort(404, "This unsubscribe link is not valid. Use the link from the e-mail as it is, or sign in "
                   "and change your notification settings on the space's page.")
    user, space = found
    form = ActionForm()
    done = False
    if request.method == "POST" and form.validate_on_submit():
        services.set_notice_email(space, email=False, user=user)
        done = True
    where = subjects.title_of(space) if space is not None else "notices outside spaces"
    return render_template("notices/unsubscribe.html", form=form, done=done, where=where, space=space)


def register(app) -> None:
    """Give every page the signed-in person's unread count for the header; register subject types."""
    subjects.register_builtin()

    @app.context_processor
    def _unread_notices():
        def unread_notices() -> int:
            return services.unread_count(current_user) if policy.is_signed_in(current_user) else 0

        def notice_setting(space):
            return services.setting_for(current_user, space)
        return {"unread_notices": unread_notices, "notice_setting": notice_setting,
                "notice_level_labels": services.LEVEL_LABELS}
