"""API: your notices (grouped, with current names), marking them read, your level in a space."""
from flask import request
from flask_login import current_user, login_required

from workspace import policy
from workspace.api import bp, json_body
from workspace.api.openapi import body, describe, id_param, ref, responses
from workspace.errors import ValidationError
from workspace.loading import load_space
from workspace.notices import services
from workspace.notices.models import LEVELS


def line_payload(line: services.Line) -> dict:
    first = line.notices[0]
    return {"ids": line.ids, "kind": line.kind, "text": line.text, "url": line.url or None,
            "count": len(line.notices), "unread": line.unread, "removed": line.removed,
            "actors": line.actors, "space_id": line.space_id,
            "subject": {"type": first.subject_type or None, "id": first.subject_id},
            "latest_at": line.latest.isoformat()}


@bp.get("/notices")
@login_required
def list_notices():
    policy.require(policy.can_view_notices(current_user), user=current_user)
    lines = services.lines_for(current_user)
    if request.args.get("unread") in ("1", "true"):
        lines = [line for line in lines if line.unread]
    return {"items": [line_payload(line) for line in lines], "unread": services.unread_count(current_user)}


@bp.post("/notices/read")
@login_required
def mark_notices_read():
    policy.require(policy.can_view_notices(current_user), user=current_user)
    data = json_body()
    everything = data.get("all")
    if everything is not None and not isinstance(everything, bool):
        raise ValidationError({"all": "Send true to mark every notice read."})
    if everything and "ids" in data:
        raise ValidationError({"ids": "Send either ids or all, not both."})
    if not everything and "ids" not in data:
        raise ValidationError({"ids": "Give the ids of the notices to mark read, or send {\"all\": true}."})
    marked = services.mark_read(current_user, ids=data.get("ids"), everything=bool(everything))
    return {"marked": marked, "unread": services.unread_count(current_user)}


@bp.put("/spaces/<int:space_id>/notification-level")
@login_required
def set_notification_level(space_id):
    space = load_space(space_id)
    policy.require(policy.can_set_notice_level(current_user, space))
    data = json_body()
    email = data.get("email")
    if email is not None and not isinstance(email, bool):
        raise ValidationError({"email": "Send true or false."})
    if "level" not in data and email is None:
        raise ValidationError({"level": "Choose watching, normal or muted."})
    setting = services.setting_for(current_user, space)
    if "level" in data:
        setting = services.set_notice_level(space, level=data["level"], actor=current_user)
    if email is not None:
        setting = services.set_notice_email(space, email=email, user=current_user)
    return {"space_id": space.id, "level": setting.level, "email": setting.email}


describe(paths={
    "/notices": {"get": {
        "operationId": "list_notices",
        "summary": "Your notices, newest first; unread ones of one kind on one thing come as one item (?unread=1: only unread)",
        "parameters": [{"name": "unread", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1", "true"]}}],
        "responses": responses("200", ref("NoticeList"))}},
    "/notices/read": {"post": {
        "operationId": "mark_notices_read", "summary": "Mark some of your notices read (ids), or all of them",
        "requestBody": body("NoticesRead"), "responses": responses("200", ref("NoticesReadResult"), 422)}},
    "/spaces/{space_id}/notification-level": {"put": {
        "operationId": "set_notification_level",
        "summary": "Choose what reaches you from a space: watching (every comment), normal (the default) or muted; "
                   "and whether digests mail it",
        "parameters": [id_param("space_id")], "requestBody": body("NotificationLevel"),
        "responses": responses("200", ref("NotificationLevel"), 403, 404, 422)}},
}, schemas={
    "Notice": {"type": "object", "required": ["ids", "kind", "text", "count", "unread"], "properties": {
        "ids": {"type": "array", "items": {"type": "integer"}, "description": "the notices on this line"},
        "kind": {"type": "string", "description": "mention, reply, card_comment, comment, assigned, "
                 "endorsement_requested, space_invited, space_proposed, join_requested, join_accepted, "
                 "join_declined, message"},
        "text": {"type": "string", "description": "plain text with the subject's current name"},
        "url": {"type": ["string", "null"]}, "count": {"type": "integer"}, "unread": {"type": "boolean"},
        "removed": {"type": "boolean", "description": "what it pointed at no longer exists"},
        "actors": {"type": "array", "items": {"type": "string"}},
        "space_id": {"type": ["integer", "null"]},
        "subject": {"type": "object", "properties": {"type": {"type": ["string", "null"]},
                                                     "id": {"type": ["integer", "null"]}}},
        "latest_at": {"type": "string", "format": "date-time"}}},
    "NoticeList": {"type": "object", "properties": {
        "items": {"type": "array", "items": ref("Notice")}, "unread": {"type": "integer"}}},
    "NoticesRead": {"type": "object", "properties": {
        "ids": {"type": "array", "items": {"type": "integer"}}, "all": {"type": "boolean"}}},
    "NoticesReadResult": {"type": "object", "properties": {
        "marked": {"type": "integer"}, "unread": {"type": "integer"}}},
    "NotificationLevel": {"type": "object", "properties": {
        "space_id": {"type": "integer", "readOnly": True},
        "level": {"type": "string", "enum": list(LEVELS)}, "email": {"type": "boolean"}}},
})
