"""Moderation pages: flag, the queue, an item (hide, restore, redact, dismiss, review, appeal), space measures, the log.

Forms work without JavaScript; each refused form answers 422 with the reason beside what was sent.
"""
import csv
import io

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.accounts.models import User
from workspace.audit.models import AuditEntry
from workspace.errors import ValidationError
from workspace.extensions import db
from workspace.loading import find_by_id, load_space, load_visible
from workspace.moderation import export as _export  # noqa: F401  (registers the privacy exporter)
from workspace.moderation import models, services
from workspace.participation import models as _participation_models  # noqa: F401  (its tables)
from workspace.participation import services as _participation  # noqa: F401  (its counting listener)
from workspace.moderation.kinds import KINDS
from workspace.moderation.models import REASONS
from workspace.moderation.schemas import log_payload
from workspace.spaces.models import Space

bp = Blueprint("moderation", __name__)


def load_item(item_id) -> models.ModerationItem:
    return load_visible(models.ModerationItem, item_id, lambda u, i: policy.can_view_space(u, i.space),
                        "This moderation item")


def _int(value):
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def refused(error: ValidationError, *, back: str, heading: str):
    return render_template("moderation/refused.html", error=error, back=back, heading=heading), error.status


def require_moderator(space):
    policy.require(policy.can_moderate(current_user, space), "Only this space's moderators can do that.",
                   user=current_user)


# --- flags --------------------------------------------------------------------------------------

@bp.post("/moderation/flags")
@login_required
def flag_content():
    hint = find_by_id(Space, _int(request.values.get("space_id")))
    back = request.values.get("back") or "/"
    back = back if back.startswith("/") and not back.startswith("//") else "/"
    try:
        kind, obj, space = services.resolve_content(request.values.get("kind"), _int(request.values.get("id")),
                                                    space=hint)
        policy.require_visible(policy.can_view_space(current_user, space), "This content")
        policy.require(policy.can_flag(current_user, space), "Only members of this space can flag.", user=current_user)
        services.flag_content(kind, obj, space=space, reason=request.form.get("reason"),
                              note=request.form.get("note", ""), actor=current_user)
    except ValidationError as error:
        return refused(error, back=back, heading="Your flag was not sent")
    return redirect(back, code=303)


# --- queue and items ------------------------------------------------------------------------------

@bp.get("/spaces/<int:space_id>/moderation")
@login_required
def show_queue(space_id):
    space = load_space(space_id)
    require_moderator(space)
    return render_template("moderation/queue.html", space=space, items=services.queue_for(space),
                           reasons=REASONS, kinds=KINDS, mutes=services.mutes_in_force(space),
                           slow_mode=services.active_slow_mode(space))


@bp.post("/spaces/<int:space_id>/moderation")
@login_required
def open_item(space_id):
    space = load_space(space_id)
    require_moderator(space)
    try:
        kind, obj, where = services.resolve_content(request.values.get("kind"), _int(request.values.get("id")),
                                                    space=space)
        if where.id != space.id:
            raise ValidationError({"id": "That content is in another space."})
        item = services.open_item(kind, obj, space=space, actor=current_user)
    except ValidationError as error:
        return refused(error, back=url_for(".show_queue", space_id=space.id), heading="No item was opened")
    return redirect(url_for(".show_item", item_id=item.id), code=303)


@bp.get("/moderation/<int:item_id>")
@login_required
def show_item(item_id):
    item = load_item(item_id)
    kind, obj = services.content_of(item)
    return render_template("moderation/item.html", item=item, space=item.space, kind=kind, obj=obj,
                           is_moderator=policy.can_moderate(current_user, item.space), reasons=REASONS,
                           hidden_note=services.hidden_note(item) if item.hidden_reason else None)


def _act(item_id, action, check, message):
    item = load_item(item_id)
    policy.require(check(current_user, item), message, user=current_user)
    try:
        action(item)
    except ValidationError as error:
        return refused(error, back=url_for(".show_item", item_id=item.id), heading="Nothing was changed")
    return redirect(url_for(".show_item", item_id=item.id), code=303)


def _moderates(user, item):
    return policy.can_moderate(user, item.space)


@bp.post("/moderation/<int:item_id>/hide")
@login_required
def hide_item(item_id):
    return _act(item_id, lambda i: services.hide_item(i, reason=request.form.get("reason"), actor=current_user),
                _moderates, "Only this space's moderators can hide content.")


@bp.post("/moderation/<int:item_id>/restore")
@login_required
def restore_item(item_id):
    return _act(item_id, lambda i: services.restore_item(i, reason=request.form.get("reason"), actor=current_user),
                _moderates, "Only this space's moderators can restore content.")


@bp.post("/moderation/<int:item_id>/dismiss")
@login_required
def dismiss_item(item_id):
    return _act(item_id, lambda i: services.dismiss_item(i, reason=request.form.get("reason"), actor=current_user),
                _moderates, "Only this space's moderators can dismiss flags.")


@bp.post("/moderation/<int:item_id>/redact")
@login_required
def redact_item(item_id):
    return _act(item_id, lambda i: services.redact_item(i, passage=request.form.get("passage"),
                                                        reason=request.form.get("reason"), actor=current_user),
                _moderates, "Only this space's moderators can redact.")


@bp.post("/moderation/<int:item_id>/review")
@login_required
def review_hide(item_id):
    return _act(item_id, lambda i: services.review_hide(i, decision=request.form.get("decision"),
                                                        reason=request.form.get("reason"), actor=current_user),
                policy.can_review_hide, "Only a moderator of the author's community reviews this hide.")


@bp.post("/moderation/<int:item_id>/appeal")
@login_required
def appeal_hide(item_id):
    return _act(item_id, lambda i: services.appeal_hide(i, text=request.form.get("text"), actor=current_user),
                policy.can_appeal, "Only the author can appeal this hide.")


@bp.post("/moderation/<int:item_id>/appeal/decide")
@login_required
def decide_appeal(item_id):
    return _act(item_id, lambda i: services.decide_appeal(i, decision=request.form.get("decision"),
                                                          reason=request.form.get("reason"), actor=current_user),
                policy.can_decide_appeal, "Only a moderator of the community the appeal went to decides it.")


# --- space measures and roles ---------------------------------------------------------------------

@bp.post("/spaces/<int:space_id>/mutes")
@login_required
def mute_member(space_id):
    space = load_space(space_id)
    require_moderator(space)
    try:
        services.mute_member(space, user=find_by_id(User, _int(request.form.get("user_id"))),
                             reason=request.form.get("reason"), minutes=_int(request.form.get("minutes")),
                             actor=current_user)
    except ValidationError as error:
        return refused(error, back=url_for(".show_queue", space_id=space.id), heading="Nobody was muted")
    return redirect(url_for(".show_queue", space_id=space.id), code=303)


@bp.post("/spaces/<int:space_id>/mutes/<int:mute_id>/lift")
@login_required
def lift_mute(space_id, mute_id):
    space = load_space(space_id)
    require_moderator(space)
    try:
        services.lift_mute(services.mute_in(space, mute_id), reason=request.form.get("reason"), actor=current_user)
    except ValidationError as error:
        return refused(error, back=url_for(".show_queue", space_id=space.id), heading="The mute was not lifted")
    return redirect(url_for(".show_queue", space_id=space.id), code=303)


@bp.post("/spaces/<int:space_id>/slow-mode")
@login_required
def set_slow_mode(space_id):
    space = load_space(space_id)
    require_moderator(space)
    try:
        services.set_slow_mode(space, seconds=_int(request.form.get("seconds")), reason=request.form.get("reason"),
                               minutes=_int(request.form.get("minutes")), actor=current_user)
    except ValidationError as error:
        return refused(error, back=url_for(".show_queue", space_id=space.id), heading="Slow mode was not changed")
    return redirect(url_for(".show_queue", space_id=space.id), code=303)


@bp.post("/spaces/<int:space_id>/moderators")
@login_required
def set_moderator(space_id):
    space = load_space(space_id)
    policy.require(policy.can_appoint_moderators(current_user, space),
                   "Only a steward of a convened community appoints moderators.", user=current_user)
    try:
        services.set_moderator(space, user=find_by_id(User, _int(request.form.get("user_id"))),
                               moderator=request.form.get("moderator") == "yes", actor=current_user)
    except ValidationError as error:
        return refused(error, back=url_for("spaces.show_space", space_id=space.id), heading="Nothing was changed")
    return redirect(url_for("spaces.show_space", space_id=space.id), code=303)


# --- the log --------------------------------------------------------------------------------------

def log_entries(space) -> list[AuditEntry]:
    from sqlalchemy import select
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.space_id == space.id,
                                                            AuditEntry.action.like("moderation.%"))
                                   .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())))


@bp.get("/spaces/<int:space_id>/moderation-log")
@login_required
def show_log(space_id):
    space = load_space(space_id)
    policy.require(policy.can_view_moderation_log(current_user, space), "Only members of this space read its log.",
                   user=current_user)
    return render_template("moderation/log.html", space=space, entries=[log_payload(e) for e in log_entries(space)])


@bp.get("/spaces/<int:space_id>/moderation-log.csv")
@login_required
def export_log(space_id):
    space = load_space(space_id)
    policy.require(policy.can_view_moderation_log(current_user, space), "Only members of this space read its log.",
                   user=current_user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when", "action", "by", "community", "reason", "kind", "content_id", "member"])
    for e in (log_payload(e) for e in log_entries(space)):
        writer.writerow([e["created_at"], e["action"], _csv_safe(e["actor"] or ""), _csv_safe(e["community"] or ""),
                         _csv_safe(e["reason"]), e["kind"] or "", e["content_id"] or "", _csv_safe(e["member"] or "")])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="moderation-log-{space.id}.csv"'})


def _csv_safe(text: str) -> str:
    """A spreadsheet must not run a reason as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def register(app) -> None:
    """Template helpers for the space page and comment partials; what notices about moderation point at."""
    services.register_subjects()

    @app.template_global("moderation_context")
    def moderation_context(space):
        coverage = services.moderator_coverage(space)
        return {"coverage": coverage,
                "moderators": [(link.community, services.moderators_of(space, link.community_id))
                               for link in space.convened if link.status == "accepted"],
                "slow_mode": services.active_slow_mode(space),
                "my_mute": services.active_mute(space, current_user) if current_user.is_authenticated else None}

    @app.cli.command("participation-count-words")
    def participation_count_words():
        """Count the words written in documents since their last count (cron it; folding the log counts too)."""
        from workspace.participation.words import count_all_words
        counted = count_all_words()
        db.session.commit()
        print(f"{counted} documents counted")

    @app.cli.command("participation-rebuild")
    def participation_rebuild():
        """Recount every space's counters from its comments, cards, words written and glossary (once after migrating)."""
        from sqlalchemy import select as _select
        for space in db.session.scalars(_select(Space)):
            rows = _participation.rebuild_counts(space)
            print(f"{space.title}: {rows} counter rows")
        db.session.commit()

    @app.template_global("moderates_here")
    def moderates_here(space):
        """policy.can_moderate for the current reader, once per request (a page renders many threads)."""
        from flask import g
        cache = g.setdefault("moderates_here", {})
        if space.id not in cache:
            cache[space.id] = policy.can_moderate(current_user, space)
        return cache[space.id]

    @app.template_global("participation_summary")
    def participation_summary(space):
        return _participation.figures(space)["windows"]["30d"]

    @app.template_global("participation_nudge")
    def participation_nudge(root, space):
        return _participation.thread_nudge(root, space=space)

    @app.template_global("round_robin_turn")
    def round_robin_turn(root, space):
        """The community whose turn it is, or None when the thread is not in round-robin mode."""
        return _participation.round_robin_turn(root, space=space) if _participation.is_round_robin(root) else None

    @app.template_global("hidden_notes_for")
    def hidden_notes_for(kind_name, objects) -> dict:
        """{id: note} for the hidden ones among cards, terms or bridges a page shows, in one query."""
        return services.hidden_notes(kind_name, [o.id for o in objects if o is not None])

    @app.template_global("hidden_note_for")
    def hidden_note_for(kind_name, obj):
        """The note shown in place of a hidden card, term or bridge ("Hidden by a moderator from …: why"), or None."""
        return services.hidden_notes(kind_name, [obj.id]).get(obj.id) if obj is not None else None

    @app.template_global("moderation_reasons")
    def moderation_reasons():
        return REASONS


# --- participation balance (the fuller view; figures from workspace/participation) ------------------

@bp.get("/spaces/<int:space_id>/participation")
@login_required
def show_participation(space_id):
    from workspace.participation.charts import bar_rows
    space = load_space(space_id)
    policy.require(policy.can_view_participation(current_user, space), "Only people who can see this space.",
                   user=current_user)
    data = _participation.figures(space)
    moderator = policy.can_moderate(current_user, space)
    not_heard = [u for u in data["not_yet_heard"] if moderator or u == current_user.id]
    people = {m.user_id: m.user for m in space.members}
    return render_template("participation/show.html", space=space, data=data, charts=bar_rows(data),
                           not_heard=[people[u] for u in not_heard if u in people], moderator=moderator)


@bp.post("/comments/<int:comment_id>/round-robin")
@login_required
def set_round_robin(comment_id):
    from workspace.comments.models import Comment
    from workspace.comments.services import comment_url
    comment = load_visible(Comment, comment_id, policy.can_view_comment, "This comment")
    require_moderator(comment.space)
    _participation.set_round_robin(comment.root, on=request.form.get("on") == "yes", actor=current_user)
    return redirect(comment_url(comment.root), code=303)


@bp.get("/spaces/<int:space_id>/participation/summary")
@login_required
def participation_summary_fragment(space_id):
    """The space page's balance table alone, for its script to swap in after a contribution."""
    space = load_space(space_id)
    policy.require(policy.can_view_participation(current_user, space), "Only people who can see this space.",
                   user=current_user)
    return render_template("participation/_summary.html", space=space,
                           balance=_participation.figures(space)["windows"]["30d"])
