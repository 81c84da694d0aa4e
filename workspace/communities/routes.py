"""Community pages: the directory, a community's members, invitations and join requests."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.accounts.forms import ActionForm
from workspace.accounts.models import User
from workspace.communities import services
from workspace.communities.forms import CommunityForm, JoinRequestForm, RoleForm
from workspace.communities.models import Community, Invitation, JoinRequest
from workspace.errors import Conflict, NotFound, ValidationError, show_on_form
from workspace.loading import load_or_404

bp = Blueprint("communities", __name__)


def load_community(slug: str) -> Community:
    community = services.find_community(slug)
    if community is None:
        raise NotFound(f"There is no community “{slug}”.")
    return community


@bp.route("/communities")
@login_required
def list_communities():
    return render_template("communities/list.html", communities=services.list_communities())


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def create_community():
    policy.require(policy.can_create_community(current_user), "Only site administrators create communities.",
                   user=current_user)
    form = CommunityForm()
    if form.validate_on_submit():
        try:
            community = services.create_community(name=form.name.data, slug=form.slug.data,
                                                  description=form.description.data,
                                                  colour=form.colour.data, actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash(f"Community “{community.name}” created.", "success")
            return redirect(url_for("communities.show_community", slug=community.slug))
    return render_template("communities/new.html", form=form), 422 if form.errors else 200


@bp.route("/communities/<slug>")
@login_required
def show_community(slug):
    community = load_community(slug)
    policy.require(policy.can_view_community(current_user, community), user=current_user)
    return _render_community(community)


def _render_community(community, *, join_form=None, new_link=None, refusal=None):
    """A community's page; a steward sees invitations and requests, a person who asked sees theirs."""
    manage = policy.can_manage_community(current_user, community)
    asking = policy.can_request_to_join(current_user, community)
    return render_template(
        "communities/show.html", community=community, members=services.members_of(community),
        invitations=services.open_invitations(community) if manage else [],
        join_requests=services.pending_join_requests(community) if manage else [],
        my_request=services.pending_join_request(community, current_user) if asking else None,
        sent_on=services.sent_on, refusal=refusal,
        join_form=join_form or JoinRequestForm(), action_form=ActionForm(), role_form=RoleForm(), new_link=new_link)


@bp.route("/communities/<slug>/invitations", methods=["POST"])
@login_required
def create_invitation(slug):
    community = load_community(slug)
    policy.require(policy.can_manage_community(current_user, community),
                   "Only stewards of this community can invite people.", user=current_user)
    _invitation, secret = services.create_invitation(community, actor=current_user)
    link = url_for("communities.accept_invitation", token=secret, _external=True)
    return _render_community(community, new_link=link)


@bp.route("/communities/<slug>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(slug, invitation_id):
    community = load_community(slug)
    invitation = load_or_404(Invitation, invitation_id)
    policy.require(invitation.community_id == community.id and policy.can_manage_community(current_user, community),
                   user=current_user)
    services.revoke_invitation(invitation, actor=current_user)
    flash("The invitation link no longer works.", "info")
    return redirect(url_for("communities.show_community", slug=slug))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token):
    invitation = services.invitation_for(token)
    if invitation is None:
        raise NotFound("This invitation link has expired or was revoked. Ask a steward for a new one.")
    community = invitation.community
    if not policy.can_use_invitation(current_user, invitation):
        flash(f"You already belong to {community.name}.", "info")
        return redirect(url_for("communities.show_community", slug=community.slug))
    form = ActionForm()
    if form.validate_on_submit():
        services.accept_invitation(invitation, actor=current_user)
        flash(f"Welcome to {community.name}.", "success")
        return redirect(url_for("communities.show_community", slug=community.slug))
    return render_template("communities/invitation.html", community=community, form=form)


@bp.route("/communities/<slug>/join-requests", methods=["POST"])
@login_required
def request_to_join(slug):
    community = load_community(slug)
    policy.require(policy.can_request_to_join(current_user, community),
                   "You already belong to this community.", user=current_user)
    form = JoinRequestForm()
    try:
        services.request_to_join(community, actor=current_user, message=form.message.data)
    except ValidationError as error:
        show_on_form(form, error)
        return _render_community(community, join_form=form), 422
    except Conflict as error:
        return _render_community(community, refusal=error.detail), 409
    flash("Your request is sent; a steward will answer it.", "success")
    return redirect(url_for("communities.show_community", slug=slug))


@bp.route("/join-requests/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw_join_request(request_id):
    join_request = load_or_404(JoinRequest, request_id, "Join request")
    policy.require(policy.can_withdraw_join_request(current_user, join_request),
                   "Only the person who asked withdraws a join request.", user=current_user)
    services.withdraw_join_request(join_request, actor=current_user)
    flash(f"Your request to join {join_request.community.name} is withdrawn.", "info")
    return redirect(url_for("communities.show_community", slug=join_request.community.slug))


@bp.route("/join-requests/<int:request_id>/<any(approve, decline):decision>", methods=["POST"])
@login_required
def decide_join_request(request_id, decision):
    join_request = load_or_404(JoinRequest, request_id, "Join request")
    policy.require(policy.can_manage_community(current_user, join_request.community),
                   "Only stewards decide join requests.", user=current_user)
    services.decide_join_request(join_request, approve=decision == "approve", actor=current_user)
    flash(f"Request from {join_request.user.display_name} {decision}d.", "success")
    return redirect(url_for("communities.show_community", slug=join_request.community.slug))


@bp.route("/communities/<slug>/members/<int:user_id>/role", methods=["POST"])
@login_required
def set_member_role(slug, user_id):
    community = load_community(slug)
    policy.require(policy.can_manage_community(current_user, community),
                   "Only stewards change roles.", user=current_user)
    user = load_or_404(User, user_id, "Person")
    if services.membership_of(user, community) is None:
        raise NotFound(f"{user.display_name} is not a member of {community.name}.")
    form = RoleForm()
    services.add_member(community, user, role=form.role.data, actor=current_user)
    flash(f"{user.display_name} is now a {form.role.data}.", "success")
    return redirect(url_for("communities.show_community", slug=slug))
