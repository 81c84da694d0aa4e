"""Activity pages: the template library, starting an activity, its page, ticking, judging, closing."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.activities import library, services, template_editor
from workspace.activities.forms import CopyTemplateForm, JudgementForm, StartActivityForm, StepForm, TemplateForm
from workspace.activities.models import VERDICT_LABELS, CustomTemplate
from workspace.communities.models import Community
from workspace.errors import ValidationError, show_on_form
from workspace.loading import load_activity, load_or_404, load_space, load_visible

bp = Blueprint("activities", __name__)


@bp.route("/activity-templates")
@login_required
def list_templates():
    """The library: every template, filtered by duration and by what it creates, each with a preview."""
    policy.require(policy.can_view_activity_templates(current_user), user=current_user)
    space = None
    space_id = request.args.get("space", "")
    if space_id.isdigit():
        space = load_space(int(space_id))
    duration, creates = request.args.get("duration", ""), request.args.get("creates", "")
    entries = services.library_entries(space, duration=duration, creates=creates)
    return render_template("activities/library.html", entries=entries, space=space, duration=duration,
                           creates=creates, library=library, copy_form=CopyTemplateForm(formdata=None),
                           stewarded=_stewarded())


def _stewarded() -> list[Community]:
    from workspace.communities.models import STEWARD
    ids = policy.community_ids_of(current_user, role=STEWARD)
    return [c for c in (load_or_404(Community, cid) for cid in sorted(ids))]


@bp.route("/activity-templates/<key>")
@login_required
def show_template(key):
    """One template in full, with how often each pair of communities that used it found it useful."""
    try:
        plan = services.find_template(key)
    except ValidationError:
        abort(404)
    if key.startswith("custom-"):  # a community's unshared draft is its stewards' own
        custom = load_or_404(CustomTemplate, int(key[7:]), "Template")
        policy.require_visible(custom.shared or policy.can_manage_activity_templates(current_user, custom.community),
                               "This template")
    return render_template("activities/template.html", key=key, plan=plan, library=library,
                           usefulness=services.usefulness_by_pair(key))


@bp.route("/spaces/<int:space_id>/activities/new", methods=["GET", "POST"])
@login_required
def start_activity(space_id):
    space = load_space(space_id)
    policy.require(policy.can_start_activity(current_user, space),
                   "Only members of this space can start an activity (archived spaces are read-only).",
                   user=current_user)
    form = StartActivityForm()
    entries = services.library_entries(space)
    form.template.choices = [(e["key"], e["plan"]["name"]) for e in entries]
    if not form.is_submitted() and request.args.get("template"):
        form.template.data = request.args["template"]
    if form.validate_on_submit():
        try:
            activity = services.start_activity(space, template_key=form.template.data, starts_on=form.starts_on.data,
                                               ends_on=form.ends_on.data, actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash(f"Activity “{activity.title}” started.", "success")
            return redirect(url_for("activities.show_activity", activity_id=activity.id))
    return render_template("activities/new.html", space=space, form=form, entries=entries,
                           library=library), 422 if form.errors or form.form_errors else 200


@bp.route("/activities/<int:activity_id>")
@login_required
def show_activity(activity_id):
    return render_activity(load_activity(activity_id))


def render_activity(activity, *, status=200, judgement_form=None):
    form = judgement_form or JudgementForm(formdata=None)
    judging = services.judging_communities(activity, current_user) \
        if policy.can_judge_activity(current_user, activity) else []
    form.community_id.choices = [(c.id, c.name) for c in judging]
    if len(judging) == 1 and form.community_id.data is None:
        form.community_id.data = judging[0].id
    return render_template("activities/show.html", activity=activity, space=activity.space,
                           days_left=services.days_left(activity), verdicts=services.community_verdicts(activity),
                           breakthrough=services.is_breakthrough(activity),
                           participation=services.participation(activity),
                           glossary_tasks=services.glossary_progress(activity), judging=judging,
                           judgement_form=form, step_form=StepForm(formdata=None),
                           verdict_labels=VERDICT_LABELS), status


@bp.route("/activities/<int:activity_id>/steps/<int:number>", methods=["POST"])
@login_required
def set_step(activity_id, number):
    """Tick or untick a step without JavaScript (the page does the same over the socket)."""
    activity = load_activity(activity_id)
    policy.require(policy.can_tick_activity_step(current_user, activity),
                   "Only members of this space can tick steps of an open activity.", user=current_user)
    form = StepForm()
    try:
        services.set_step_done(activity, number=number, done=form.done.data != "false", actor=current_user)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
        return render_activity(activity, status=422)
    return redirect(url_for("activities.show_activity", activity_id=activity.id, _anchor=f"step-{number}"))


@bp.route("/activities/<int:activity_id>/judgements", methods=["POST"])
@login_required
def judge_activity(activity_id):
    activity = load_activity(activity_id)
    policy.require(policy.can_judge_activity(current_user, activity), services.judge_refusal(activity, current_user),
                   user=current_user)
    form = JudgementForm()
    try:
        services.judge_activity(activity, community_id=form.community_id.data, verdict=form.verdict.data,
                                would_change=form.would_change.data, actor=current_user)
    except ValidationError as error:
        show_on_form(form, error)
        return render_activity(activity, status=422, judgement_form=form)
    flash("Thank you: your answer is recorded.", "success")
    return redirect(url_for("activities.show_activity", activity_id=activity.id, _anchor="verdicts-heading"))


@bp.route("/activities/<int:activity_id>/close", methods=["POST"])
@login_required
def close_activity(activity_id):
    activity = load_activity(activity_id)
    policy.require(policy.can_close_activity(current_user, activity),
                   "Only whoever started this activity, or a moderator, can close it.", user=current_user)
    services.close_activity(activity, actor=current_user)
    flash("Activity closed. Each community can now say whether it was useful.", "success")
    return redirect(url_for("activities.show_activity", activity_id=activity.id, _anchor="verdicts-heading"))


# --- a community's own templates --------------------------------------------------------------

@bp.route("/communities/<int:community_id>/activity-templates", methods=["POST"])
@login_required
def copy_template(community_id):
    community = load_or_404(Community, community_id, "Community")
    policy.require(policy.can_manage_activity_templates(current_user, community),
                   "Only the community's stewards keep its templates.", user=current_user)
    form = CopyTemplateForm()
    try:
        custom = services.copy_template(community, key=form.template.data, actor=current_user)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
        return redirect(url_for("activities.list_templates"))
    flash(f"Copied into {community.name}'s library: edit it, then share it with your spaces.", "success")
    return redirect(url_for("activities.edit_template", template_id=custom.id))


def _load_custom(template_id) -> CustomTemplate:
    return load_visible(CustomTemplate, template_id,
                        lambda user, t: policy.can_manage_activity_templates(user, t.community), "This template")


@bp.route("/activity-templates/custom/<int:template_id>/edit", methods=["GET", "POST"])
@login_required
def edit_template(template_id):
    """Edit a community template field by field; "add a step" and the like re-show the form, saving nothing."""
    custom = _load_custom(template_id)
    if request.method == "GET":
        form = TemplateForm(formdata=None, data=template_editor.form_data(custom.plan, custom.shared))
        return _template_page(custom, form)
    form = TemplateForm()
    if not form.validate():  # the CSRF token only: the plan's rules are the schema's, in the service
        return _template_page(custom, form, status=422)
    try:
        if request.form.get("edit"):
            data, groups = template_editor.apply_edit({k: v for k, v in form.data.items() if k != "csrf_token"},
                                                      request.form["edit"])
            return _template_page(custom, TemplateForm(formdata=None, data=data), groups=groups)
        services.update_template(custom, plan=template_editor.plan_from(form.data), shared=form.shared.data,
                                 actor=current_user)
    except ValidationError as error:
        groups = template_editor.show_errors(form, error.errors)
        return _template_page(custom, form, groups=groups, status=422)
    flash("Template saved.", "success")
    return redirect(url_for("activities.edit_template", template_id=custom.id))


def _template_page(custom, form, *, groups=None, status=200):
    groups = dict(groups or {})
    if "form" in groups:
        form.form_errors.append(groups.pop("form"))
    return render_template("activities/edit_template.html", custom=custom, form=form, groups=groups,
                           rows=template_editor.ROWS), status


# --- the space page and the community page ----------------------------------------------------

@bp.get("/spaces/<int:space_id>/activities/list")
@login_required
def list_space_activities(space_id):
    """The space page's activities list as it is now, for space.js to swap in after an activity_* event."""
    space = load_space(space_id)
    return render_template("activities/_space_activity_list.html", space=space)


@bp.app_context_processor
def _activity_globals():
    """Let the space and community pages list activities without those blueprints knowing them."""
    def space_activities(space):
        return [(a, services.community_verdicts(a), services.is_breakthrough(a)) for a in services.activities_in(space)]
    return {"space_activities": space_activities, "community_breakthroughs": services.breakthroughs_of,
            "community_activity_templates": services.community_templates,
            "activity_verdict_labels": VERDICT_LABELS}


@bp.app_template_test("visible_activity")
def _visible_activity(activity) -> bool:
    return policy.can_view_activity(current_user, activity)
