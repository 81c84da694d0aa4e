"""Space pages: list, propose, accept, join on accepting the ground rules, archive."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.accounts.forms import ActionForm
from workspace.communities.models import STEWARD, Community
from workspace.communities.services import list_communities
from workspace.documents.services import STATUS_LABELS, document_summary, documents_in
from workspace.errors import ValidationError, show_on_form
from workspace.loading import find_by_id, load_space
from workspace.spaces import presence, services
from workspace.spaces.forms import JoinSpaceForm, ProposeSpaceForm

bp = Blueprint("spaces", __name__)



@bp.route("/spaces")
@login_required
def list_spaces():
    return render_template("spaces/list.html", spaces=services.visible_spaces(current_user))


@bp.route("/spaces/new", methods=["GET", "POST"])
@login_required
def propose_space():
    policy.require(policy.can_propose_space(current_user),
                   "Only community stewards can propose a space.", user=current_user)
    stewarded = policy.community_ids_of(current_user, role=STEWARD)
    communities = list_communities()
    form = ProposeSpaceForm()
    form.proposing_community_id.choices = [(c.id, c.name) for c in communities if c.id in stewarded]
    # Never offer the proposing community as its own invitee: one's only community, or the one chosen.
    proposing_ids = set(stewarded) if len(stewarded) == 1 else {form.proposing_community_id.data}
    form.community_ids.choices = [(c.id, c.name) for c in communities if c.id not in proposing_ids]
    if not form.is_submitted():
        form.ground_rules.data = services.DEFAULT_GROUND_RULES
    if form.validate_on_submit():
        proposing = find_by_id(Community, form.proposing_community_id.data)
        try:
            if proposing is None:
                raise ValidationError({"proposing_community_id": "Choose the community you propose for."})
            policy.require(policy.can_propose_space(current_user, proposing),
                           "You can only propose on behalf of a community you steward.")
            invited = [find_by_id(Community, cid) for cid in form.community_ids.data or []]
            space = services.propose_space(proposing=proposing, invited=invited, title=form.title.data,
                                           purpose=form.purpose.data, ground_rules=form.ground_rules.data,
                                           actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash("Space proposed. It opens when a steward of every invited community accepts.", "success")
            return redirect(url_for("spaces.show_space", space_id=space.id))
    return render_template("spaces/new.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/spaces/<int:space_id>")
@login_required
def show_space(space_id):
    space = load_space(space_id)
    return render_template("spaces/show.html", space=space, groups=services.members_by_community(space),
                           present=presence.present_in(space), join_form=JoinSpaceForm(),
                           action_form=ActionForm(), member=policy.space_member(current_user, space),
                           documents=documents_in(space), document_summary=document_summary,
                           status_labels=STATUS_LABELS)


@bp.route("/spaces/<int:space_id>/accept", methods=["POST"])
@login_required
def accept_space(space_id):
    space = load_space(space_id)
    policy.require(policy.can_accept_space(current_user, space),
                   "Only a steward of an invited community can accept this proposal.", user=current_user)
    accepted = services.accept_space(space, actor=current_user)
    flash(f"Accepted on behalf of {', '.join(c.name for c in accepted)}." +
          (" The space is now open." if space.status == "active" else ""), "success")
    return redirect(url_for("spaces.show_space", space_id=space.id))


@bp.route("/spaces/<int:space_id>/join", methods=["POST"])
@login_required
def join_space(space_id):
    space = load_space(space_id)
    policy.require(policy.can_join_space(current_user, space),
                   "You cannot join this space (it is not open, or you are already a member).", user=current_user)
    form = JoinSpaceForm()
    try:
        services.join_space(space, actor=current_user, accepts_ground_rules=form.accept_ground_rules.data)
    except ValidationError as error:
        show_on_form(form, error)
        return render_template("spaces/show.html", space=space, groups=services.members_by_community(space),
                               present=presence.present_in(space), join_form=form, action_form=ActionForm(),
                               member=None, documents=documents_in(space), document_summary=document_summary,
                               status_labels=STATUS_LABELS), 422
    flash(f"Welcome to {space.title}.", "success")
    return redirect(url_for("spaces.show_space", space_id=space.id))


@bp.route("/spaces/<int:space_id>/archive", methods=["POST"])
@login_required
def archive_space(space_id):
    space = load_space(space_id)
    policy.require(policy.can_archive_space(current_user, space),
                   "Only the space's moderators can archive it.", user=current_user)
    services.archive_space(space, actor=current_user)
    flash("The space is archived: everything in it is now read-only.", "info")
    return redirect(url_for("spaces.show_space", space_id=space.id))
