"""Register, sign in and out, reset a password, and manage one's profile and API tokens."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from workspace import policy
from workspace.accounts import services
from workspace.accounts.forms import (ActionForm, LoginForm, ProfileForm, RegisterForm, ResetForm,
                                      ResetRequestForm, TokenForm)
from workspace.accounts.models import ApiToken
from workspace.accounts.throttle import sign_in_limits
from workspace.errors import ValidationError, show_on_form
from workspace.extensions import limiter
from workspace.loading import load_or_404
from workspace.navigation import safe_next

bp = Blueprint("accounts", __name__)
SAME_ANSWER = "That email and password do not match an active account."


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10/hour;3/minute", methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_user(email=form.email.data, display_name=form.display_name.data,
                                   password=form.password.data)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            # Same answer whether or not the address was new: no account enumeration.
            flash("Your account is ready: sign in to continue. (If this address already had an "
                  "account, we emailed its owner instead.)", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            services.start_login_session(user, user_agent=request.user_agent.string)
            login_user(user, remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next")) or url_for("pages.home"))
        form.form_errors.append(SAME_ANSWER)
    return render_template("accounts/login.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_login_session(current_user.login_token)
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit("10/hour;3/minute", methods=["POST"])
def request_password_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data, reset_url=lambda s: url_for("accounts.reset_password", token=s, _external=True))
        flash("If that address has an account, we have sent it a link to choose a new password.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def reset_password(token):
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, password=form.password.data)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash("Your password is changed and your other sessions are signed out. Sign in again.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    policy.require(policy.can_view_profile(current_user), user=current_user)
    form = ProfileForm(display_name=current_user.display_name)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, display_name=form.display_name.data)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash("Profile saved.", "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(form=form), 422 if form.errors else 200


def _render_profile(form=None, token_form=None, new_secret=None):
    return render_template("accounts/profile.html", form=form or ProfileForm(display_name=current_user.display_name),
                           token_form=token_form or TokenForm(), action_form=ActionForm(),
                           tokens=services.list_api_tokens(current_user), new_secret=new_secret)


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    policy.require(policy.can_view_profile(current_user), user=current_user)
    form = TokenForm()  # CSRFProtect has already checked every POST
    try:
        _token, secret = services.create_api_token(current_user, name=form.name.data)
    except ValidationError as error:
        show_on_form(form, error)
        return _render_profile(token_form=form), 422
    # Shown once, on this response only; the database keeps just its hash.
    return _render_profile(new_secret=secret)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    token = load_or_404(ApiToken, token_id)
    policy.require(policy.can_manage_token(current_user, token), user=current_user)
    services.revoke_api_token(token, actor=current_user)
    flash(f"Token “{token.name}” is revoked.", "info")
    return redirect(url_for("accounts.profile"))
