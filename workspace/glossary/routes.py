"""Glossary pages: a community's glossary and its history, proposals, bridges per space, exchange."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.accounts.forms import ActionForm
from workspace.communities.models import Community
from workspace.communities.services import find_community
from workspace.errors import Conflict, NotFound, ValidationError, show_on_form
from workspace.extensions import db
from workspace.glossary import exchange, reading, services
from workspace.glossary.forms import (BridgeForm, DisputeForm, GlossarySettingsForm, ImportForm,
                                      ReaderPreferenceForm, TermForm)
from workspace.glossary.models import Bridge, Term, TermRevision  # noqa: F401  (Alembic sees the models)
from workspace.loading import load_or_404, load_space, load_term
from workspace.spaces.models import Space

bp = Blueprint("glossary", __name__)


def load_community(slug: str) -> Community:
    community = find_community(slug)
    if community is None:
        raise NotFound(f"There is no community “{slug}”.")
    policy.require(policy.can_view_glossary(current_user, community), user=current_user)
    return community


@bp.app_template_global("glossary_context")
def glossary_context(space):
    """What the current reader sees marked in `space` (templates: `markdown(annotate=…)`)."""
    return reading.context_for(space, current_user)


def _term_data(form: TermForm) -> dict:
    return {"term": form.term.data, "aliases": form.aliases.data, "definition": form.definition.data,
            "example": form.example.data, "status": form.status.data, "loaded_note": form.loaded_note.data}


# --- a community's glossary --------------------------------------------------------------------

@bp.route("/communities/<slug>/glossary")
@login_required
def show_glossary(slug):
    community = load_community(slug)
    member = policy.can_propose_term(current_user, community)
    return render_template(
        "glossary/show.html", community=community, terms=services.list_terms(community, include_pending=member),
        proposals=services.pending_revisions(community) if policy.can_review_terms(current_user, community) else [],
        settings=services.settings_for(community), settings_form=GlossarySettingsForm(), action_form=ActionForm(),
        bridges={t.id: services.bridges_of(t) for t in services.list_terms(community)})


@bp.route("/communities/<slug>/glossary/new", methods=["GET", "POST"])
@login_required
def create_term(slug):
    community = load_community(slug)
    policy.require(policy.can_propose_term(current_user, community),
                   f"Only members of {community.name} add to its glossary.", user=current_user)
    form = TermForm()
    if not form.is_submitted() and request.args.get("term"):
        form.term.data = request.args["term"][:80]  # "add to the glossary" from a writer's hint
    if form.validate_on_submit():
        try:
            term = services.create_term(community, data=_term_data(form), actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash(f"“{term.term}” added." if term.approved else
                  f"“{term.term}” proposed; a steward of {community.name} will review it.", "success")
            return redirect(url_for("glossary.show_glossary", slug=community.slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("glossary/edit.html", community=community, form=form, term=None), status


@bp.route("/terms/<int:term_id>")
@login_required
def show_term(term_id):
    term = load_term(term_id)
    return render_template("glossary/term.html", term=term, history=services.term_history(term),
                           bridges=services.bridges_of(term), action_form=ActionForm())


@bp.route("/terms/<int:term_id>/edit", methods=["GET", "POST"])
@login_required
def edit_term(term_id):
    term = load_term(term_id)
    policy.require(policy.can_edit_term(current_user, term),
                   f"Only members of {term.community.name} edit its glossary.", user=current_user)
    form = TermForm(obj=None)
    if not form.is_submitted():
        form.process(data={**services.term_fields_of(term), "aliases": "\n".join(term.aliases or []),
                           "version": term.version})
    if form.validate_on_submit():
        try:
            version = int(form.version.data) if (form.version.data or "").isdigit() else None
            revision = services.update_term(term, data=_term_data(form), version=version, actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        except Conflict as conflict:
            # Keep what they typed, show the current text beside it, and let them save again on top of it.
            form.form_errors.append(conflict.detail + f" Current definition: {term.definition}")
            form.version.data = term.version
            return render_template("glossary/edit.html", community=term.community, form=form, term=term), 409
        else:
            flash("Saved." if revision.state == "applied" else
                  "Your change is proposed; a steward will review it.", "success")
            return redirect(url_for("glossary.show_term", term_id=term.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("glossary/edit.html", community=term.community, form=form, term=term), status


@bp.route("/term-revisions/<int:revision_id>/<any(approve, reject):decision>", methods=["POST"])
@login_required
def decide_revision(revision_id, decision):
    revision = load_or_404(TermRevision, revision_id, "Proposal")
    community = revision.term_entry.community
    policy.require(policy.can_review_terms(current_user, community),
                   f"Only stewards of {community.name} decide proposals.", user=current_user)
    label = revision.term
    if decision == "approve":
        services.approve_revision(revision, actor=current_user)
    else:
        services.reject_revision(revision, actor=current_user)
    flash(f"Proposal for “{label}” {decision}d.", "success")
    return redirect(url_for("glossary.show_glossary", slug=community.slug))


@bp.route("/communities/<slug>/glossary/settings", methods=["POST"])
@login_required
def update_glossary_settings(slug):
    community = load_community(slug)
    policy.require(policy.can_review_terms(current_user, community),
                   "Only stewards change the glossary's settings.", user=current_user)
    form = GlossarySettingsForm()
    services.set_members_edit_directly(community, enabled=bool(form.members_edit_directly.data), actor=current_user)
    flash("Members now edit the glossary directly." if form.members_edit_directly.data else
          "Members' changes now wait for a steward's approval.", "success")
    return redirect(url_for("glossary.show_glossary", slug=slug))


# --- exchange ------------------------------------------------------------------------------------

@bp.route("/communities/<slug>/glossary.csv")
@login_required
def export_csv(slug):
    community = load_community(slug)
    body = exchange.export_csv(services.list_terms(community))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{community.slug}-glossary.csv"'})


@bp.route("/communities/<slug>/glossary.ttl")
@login_required
def export_skos(slug):
    community = load_community(slug)
    body = exchange.export_skos(community, services.list_terms(community),
                                services.list_bridges(community=community), base=request.host_url)
    return Response(body, mimetype="text/turtle", headers={
        "Content-Disposition": f'attachment; filename="{community.slug}-glossary.ttl"'})


@bp.route("/communities/<slug>/glossary/import", methods=["GET", "POST"])
@login_required
def import_glossary(slug):
    community = load_community(slug)
    policy.require(policy.can_review_terms(current_user, community),
                   "Only stewards import into the glossary.", user=current_user)
    form = ImportForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise ValidationError({"file": "Choose a .csv or .ttl file."})
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError({"file": "The file must be UTF-8 text."}) from None
            rows = (exchange.parse_skos(text) if upload.filename.lower().endswith((".ttl", ".turtle"))
                    else exchange.parse_csv(text))
            result = exchange.import_terms(community, rows, actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash(f"Imported: {result['created']} new, {result['updated']} updated, "
                  f"{result['unchanged']} unchanged.", "success")
            return redirect(url_for("glossary.show_glossary", slug=slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("glossary/import.html", community=community, form=form), status


# --- bridges and reading in a space -------------------------------------------------------------

def _bridge_form(space: Space) -> BridgeForm:
    form = BridgeForm()
    choices = []
    for community in space.communities:
        choices += [(t.id, f"{t.term} ({community.name})") for t in services.list_terms(community)]
    form.from_term_id.choices = form.to_term_id.choices = choices
    return form


def _space_glossary_page(space: Space, form: BridgeForm, status: int = 200):
    suggestions = []
    if policy.can_view_candidate_terms(current_user, space):
        suggestions = services.suggest_terms(space, actor=current_user)
    return render_template("glossary/space.html", space=space, bridges=services.list_bridges(space=space),
                           form=form, dispute_form=DisputeForm(), action_form=ActionForm(),
                           suggestions=suggestions), status


@bp.route("/spaces/<int:space_id>/glossary")
@login_required
def space_glossary(space_id):
    space = load_space(space_id)
    return _space_glossary_page(space, _bridge_form(space))


@bp.route("/spaces/<int:space_id>/bridges", methods=["POST"])
@login_required
def propose_bridge(space_id):
    space = load_space(space_id)
    policy.require(policy.can_propose_bridge_in_space(current_user, space),
                   "Join this space (while it is active) to propose bridges.", user=current_user)
    form = _bridge_form(space)
    convened = {link.community_id for link in space.convened}

    def term(term_id):
        found = db.session.get(Term, term_id or 0)
        return found if found is not None and found.community_id in convened else None
    try:
        services.propose_bridge(from_term=term(form.from_term_id.data), to_term=term(form.to_term_id.data),
                                relation=form.relation.data, note=form.note.data, actor=current_user)
    except ValidationError as error:
        show_on_form(form, error)
        return _space_glossary_page(space, form, 422)
    flash("Bridge proposed. It is confirmed when a member of each community agrees.", "success")
    return redirect(url_for("glossary.space_glossary", space_id=space.id))


def _back(bridge: Bridge):
    space_id = request.form.get("space_id", type=int)
    if space_id:
        return redirect(url_for("glossary.space_glossary", space_id=space_id))
    return redirect(url_for("glossary.show_term", term_id=bridge.from_term_id))


def load_bridge(bridge_id: int) -> Bridge:
    bridge = load_or_404(Bridge, bridge_id, "Bridge")
    policy.require(policy.is_signed_in(current_user), user=current_user)
    return bridge


@bp.route("/bridges/<int:bridge_id>/confirm", methods=["POST"])
@login_required
def confirm_bridge(bridge_id):
    bridge = load_bridge(bridge_id)
    policy.require(policy.can_confirm_bridge(current_user, bridge),
                   "Only a member of a community that has not confirmed yet can confirm.", user=current_user)
    services.confirm_bridge(bridge, actor=current_user)
    flash("Bridge confirmed for your community.", "success")
    return _back(bridge)


@bp.route("/bridges/<int:bridge_id>/dispute", methods=["POST"])
@login_required
def dispute_bridge(bridge_id):
    bridge = load_bridge(bridge_id)
    policy.require(policy.can_dispute_bridge(current_user, bridge),
                   "Only members of the two communities can dispute this bridge.", user=current_user)
    form = DisputeForm()
    try:
        services.dispute_bridge(bridge, reason=form.reason.data, actor=current_user)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
        return _back(bridge)
    flash("Bridge disputed; your reason is shown beside it.", "success")
    return _back(bridge)


@bp.route("/bridges/<int:bridge_id>/remove", methods=["POST"])
@login_required
def remove_bridge(bridge_id):
    bridge = load_bridge(bridge_id)
    policy.require(policy.can_remove_bridge(current_user, bridge),
                   "Only stewards of the two communities remove bridges.", user=current_user)
    response = _back(bridge)
    services.remove_bridge(bridge, actor=current_user)
    flash("Bridge removed.", "success")
    return response


@bp.route("/glossary/reading", methods=["POST"])
@login_required
def set_reading_preference():
    policy.require(policy.can_set_reading_preference(current_user), user=current_user)
    form = ReaderPreferenceForm()
    community = db.session.get(Community, form.reading_community_id.data or 0) if form.reading_community_id.data else None
    try:
        services.set_reader_preference(current_user, reading_community=community,
                                       annotations_enabled=bool(form.annotations_enabled.data), actor=current_user)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        flash("Reading preference saved.", "success")
    target = form.next.data or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("pages.home")
    return redirect(target)


@bp.route("/spaces/<int:space_id>/glossary/fragments")
@login_required
def space_fragments(space_id):
    """The space's purpose and ground rules annotated for this reader, for a live swap after a change."""
    space = load_space(space_id)
    mode = "mine" if request.args.get("mode") == "mine" else "annotated"
    return render_template("glossary/_space_fragments.html", space=space, glossary=glossary_context(space),
                           mode=mode)


def reader_form(space: Space, ctx) -> ReaderPreferenceForm:
    form = ReaderPreferenceForm()
    form.reading_community_id.choices = [(c.id, c.name) for c in ctx.choices]
    form.reading_community_id.data = ctx.reading_as.id if ctx.reading_as else None
    form.annotations_enabled.data = ctx.enabled
    form.next.data = url_for("spaces.show_space", space_id=space.id)
    return form


bp.add_app_template_global(reader_form, "glossary_reader_form")
bp.add_app_template_global(reading.popover_entries, "glossary_popover_entries")
