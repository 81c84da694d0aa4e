"""API: the activity template library, activities in a space, ticking steps, judging and closing."""
from flask import request
from flask_login import current_user, login_required

from workspace import policy
from workspace.activities import services
from workspace.api import bp, json_body
from workspace.api.openapi import body, describe, id_param, list_of, ref, responses
from workspace.communities.models import Community
from workspace.errors import ValidationError
from workspace.loading import load_activity, load_or_404, load_space


@bp.get("/activity-templates")
@login_required
def list_activity_templates():
    space = load_space(request.args.get("space_id", type=int)) if request.args.get("space_id") else None
    entries = services.library_entries(space, duration=request.args.get("duration", ""),
                                       creates=request.args.get("creates", ""))
    return {"items": [services.template_payload(e) for e in entries]}


@bp.post("/communities/<int:community_id>/activity-templates")
@login_required
def create_activity_template(community_id):
    """Copy a template into a community's library; with `plan` (and `shared`), edit it in the same call."""
    community = load_or_404(Community, community_id, "Community")
    policy.require(policy.can_manage_activity_templates(current_user, community),
                   "Only the community's stewards keep its templates.")
    data = json_body()
    custom = services.copy_template(community, key=data.get("copy_of"), actor=current_user)
    if "plan" in data or "shared" in data:
        services.update_template(custom, plan=data.get("plan", custom.plan), shared=data.get("shared") is True,
                                 actor=current_user)
    return services.template_payload({"key": custom.key, "plan": custom.plan, "community": community}), 201


@bp.get("/spaces/<int:space_id>/activities")
@login_required
def list_activities(space_id):
    space = load_space(space_id)
    return {"items": [services.activity_summary(a) for a in services.activities_in(space)]}


@bp.post("/spaces/<int:space_id>/activities")
@login_required
def start_activity(space_id):
    space = load_space(space_id)
    policy.require(policy.can_start_activity(current_user, space),
                   "Only members of this space can start an activity (archived spaces are read-only).")
    data = json_body()
    activity = services.start_activity(space, template_key=data.get("template"), starts_on=data.get("starts_on"),
                                       ends_on=data.get("ends_on"), actor=current_user)
    return services.activity_payload(activity), 201


@bp.get("/activities/<int:activity_id>")
@login_required
def get_activity(activity_id):
    return services.activity_payload(load_activity(activity_id))


@bp.post("/activities/<int:activity_id>/steps/<int:number>/done")
@login_required
def mark_step_done(activity_id, number):
    activity = load_activity(activity_id)
    policy.require(policy.can_tick_activity_step(current_user, activity),
                   "Only members of this space can tick steps of an open activity.")
    data = request.get_json(silent=True) if request.data else {}
    done = data.get("done", True) if isinstance(data, dict) else None
    services.set_step_done(activity, number=number, done=done, actor=current_user)
    return services.activity_payload(activity)


@bp.post("/activities/<int:activity_id>/judgements")
@login_required
def judge_activity(activity_id):
    activity = load_activity(activity_id)
    policy.require(policy.can_judge_activity(current_user, activity), services.judge_refusal(activity, current_user))
    data = json_body()
    services.judge_activity(activity, community_id=data.get("community_id"), verdict=data.get("verdict"),
                            would_change=data.get("would_change", ""), actor=current_user)
    return services.activity_payload(activity), 201


@bp.post("/activities/<int:activity_id>/close")
@login_required
def close_activity(activity_id):
    activity = load_activity(activity_id)
    if activity.status != "open":
        raise ValidationError({"status": "This activity is already closed."})
    policy.require(policy.can_close_activity(current_user, activity),
                   "Only whoever started this activity, or a moderator, can close it.")
    services.close_activity(activity, actor=current_user)
    return services.activity_payload(activity)


STEP = {"type": "object", "properties": {
    "number": {"type": "integer"}, "title": {"type": "string"}, "prompt": {"type": "string"},
    "done": {"type": "boolean"}, "done_at": {"type": ["string", "null"], "format": "date-time"},
    "done_by": {"type": ["string", "null"]}}}
JUDGEMENT = {"type": "object", "properties": {
    "community_id": {"type": "integer"}, "community": {"type": "string"}, "user_id": {"type": ["integer", "null"]},
    "display_name": {"type": "string"}, "verdict": {"type": "string", "enum": ["useful", "partly", "not_useful"]},
    "verdict_label": {"type": "string"}, "would_change": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"}}}
SUMMARY = {
    "id": {"type": "integer"}, "space_id": {"type": "integer"}, "template": {"type": "string"},
    "title": {"type": "string"}, "status": {"type": "string", "enum": ["open", "closed"]},
    "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
    "steps_total": {"type": "integer"}, "steps_done": {"type": "integer"},
    "breakthrough": {"type": "boolean", "description": "Every convened community judged it useful"}}
ACTIVITY_ID, = [id_param("activity_id")],

describe(paths={
    "/activity-templates": {"get": {
        "operationId": "list_activity_templates", "summary": "The template library (shipped, and shared by a space's communities)",
        "parameters": [{"name": "space_id", "in": "query", "schema": {"type": "integer"}},
                       {"name": "duration", "in": "query", "schema": {"type": "string", "enum": ["week", "month", "longer"]}},
                       {"name": "creates", "in": "query", "schema": {"type": "string", "enum": ["document", "board", "glossary"]}}],
        "responses": responses("200", list_of("ActivityTemplate"), 404)}},
    "/communities/{community_id}/activity-templates": {"post": {
        "operationId": "create_activity_template",
        "summary": "Copy a template into a community's library, optionally edited and shared (stewards)",
        "parameters": [id_param("community_id")], "requestBody": body("ActivityTemplateCopy"),
        "responses": responses("201", ref("ActivityTemplate"), 403, 404, 422)}},
    "/spaces/{space_id}/activities": {
        "get": {"operationId": "list_activities", "summary": "A space's activities, newest first",
                "parameters": [id_param("space_id")], "responses": responses("200", list_of("ActivitySummary"), 404)},
        "post": {"operationId": "start_activity",
                 "summary": "Start an activity from a template: creates its document, board and tasks",
                 "parameters": [id_param("space_id")], "requestBody": body("ActivityStart"),
                 "responses": responses("201", ref("Activity"), 403, 404, 422)}},
    "/activities/{activity_id}": {"get": {
        "operationId": "get_activity", "summary": "An activity with its steps, verdicts and who took part",
        "parameters": ACTIVITY_ID, "responses": responses("200", ref("Activity"), 404)}},
    "/activities/{activity_id}/steps/{number}/done": {"post": {
        "operationId": "mark_step_done", "summary": "Tick a step (or untick it with {\"done\": false})",
        "parameters": [*ACTIVITY_ID, id_param("number")],
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"done": {"type": "boolean", "default": True}}}}}},
        "responses": responses("200", ref("Activity"), 403, 404, 422)}},
    "/activities/{activity_id}/judgements": {"post": {
        "operationId": "judge_activity", "summary": "Answer “Was this useful to us?” for your community, once",
        "parameters": ACTIVITY_ID, "requestBody": body("ActivityJudgement"),
        "responses": responses("201", ref("Activity"), 403, 404, 422)}},
    "/activities/{activity_id}/close": {"post": {
        "operationId": "close_activity", "summary": "Close an activity (whoever started it, or a moderator)",
        "parameters": ACTIVITY_ID, "responses": responses("200", ref("Activity"), 403, 404, 422)}},
}, schemas={
    "ActivityTemplate": {"type": "object", "required": ["key", "name", "timebox_days", "steps", "creates"],
                         "properties": {
                             "key": {"type": "string"}, "name": {"type": "string"}, "situation": {"type": "string"},
                             "asks": {"type": "string"}, "timebox_days": {"type": "integer", "minimum": 1, "maximum": 90},
                             "steps": {"type": "array", "items": {"type": "object"}}, "creates": {"type": "object"},
                             "community_id": {"type": ["integer", "null"]}}},
    "ActivityTemplateCopy": {"type": "object", "required": ["copy_of"], "properties": {
        "copy_of": {"type": "string", "description": "The key of a shipped template"},
        "plan": {"type": "object", "description": "The edited template, in the shipped files' shape"},
        "shared": {"type": "boolean"}}},
    "ActivitySummary": {"type": "object", "properties": SUMMARY},
    "Activity": {"type": "object", "properties": {
        **SUMMARY, "document_id": {"type": ["integer", "null"]}, "board_id": {"type": ["integer", "null"]},
        "closed_at": {"type": ["string", "null"], "format": "date-time"},
        "steps": {"type": "array", "items": STEP},
        "verdicts": {"type": "array", "items": {"type": "object", "properties": {
            "community_id": {"type": "integer"}, "community": {"type": "string"},
            "verdict": {"type": ["string", "null"], "enum": ["useful", "partly", "not_useful", None]},
            "judgements": {"type": "array", "items": JUDGEMENT}}}},
        "participation": {"type": "array", "items": {"type": "object"}},
        "glossary_tasks": {"type": "array", "items": {"type": "object"}}}},
    "ActivityStart": {"type": "object", "required": ["template"], "properties": {
        "template": {"type": "string"}, "starts_on": {"type": "string", "format": "date"},
        "ends_on": {"type": "string", "format": "date"}}},
    "ActivityJudgement": {"type": "object", "required": ["community_id", "verdict"], "properties": {
        "community_id": {"type": "integer"}, "verdict": {"type": "string", "enum": ["useful", "partly", "not_useful"]},
        "would_change": {"type": "string", "maxLength": 5000}}},
})
