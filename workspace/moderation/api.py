"""API: flags, the moderation queue and its actions, appeals, mutes, slow mode, the log, participation (issue 10)."""
from flask_login import current_user, login_required

from workspace import policy
from workspace.accounts.models import User
from workspace.api import bp, int_field, json_body
from workspace.api.openapi import body, describe, id_param, list_of, ref, responses
from workspace.errors import ValidationError
from workspace.loading import find_by_id, load_space, load_visible
from workspace.moderation import services
from workspace.moderation.models import REASONS, ModerationItem
from workspace.moderation.routes import log_entries
from workspace.moderation.schemas import item_summary, log_payload
from workspace.participation import services as participation
from workspace.spaces.models import Space


def load_item(item_id) -> ModerationItem:
    return load_visible(ModerationItem, item_id, lambda u, i: policy.can_view_space(u, i.space), "This moderation item")


def _require_moderator(space):
    policy.require(policy.can_moderate(current_user, space), "Only this space's moderators can do that.")


@bp.post("/flags")
@login_required
def create_flag():
    data = json_body()
    hint = find_by_id(Space, data.get("space_id")) if data.get("space_id") is not None else None
    kind, obj, space = services.resolve_content(data.get("kind"), data.get("id"), space=hint)
    policy.require_visible(policy.can_view_space(current_user, space), "This content")
    policy.require(policy.can_flag(current_user, space), "Only members of this space can flag.")
    flag = services.flag_content(kind, obj, space=space, reason=data.get("reason"), note=data.get("note", ""),
                                 actor=current_user)
    return {"id": flag.id, "item_id": flag.item_id, "reason": flag.reason}, 201


@bp.get("/spaces/<int:space_id>/moderation")
@login_required
def list_moderation_queue(space_id):
    space = load_space(space_id)
    _require_moderator(space)
    return {"items": [item_summary(i) for i in services.queue_for(space)]}


@bp.post("/spaces/<int:space_id>/moderation")
@login_required
def open_moderation_item(space_id):
    space = load_space(space_id)
    _require_moderator(space)
    data = json_body()
    kind, obj, where = services.resolve_content(data.get("kind"), data.get("id"), space=space)
    if where.id != space.id:
        raise ValidationError({"id": "That content is in another space."})
    return item_summary(services.open_item(kind, obj, space=space, actor=current_user)), 201


def _moderate(item_id, act):
    item = load_item(item_id)
    _require_moderator(item.space)
    return item_summary(act(item, json_body()))


@bp.post("/moderation/<int:item_id>/hide")
@login_required
def hide_moderation_item(item_id):
    return _moderate(item_id, lambda i, d: services.hide_item(i, reason=d.get("reason"), actor=current_user))


@bp.post("/moderation/<int:item_id>/restore")
@login_required
def restore_moderation_item(item_id):
    return _moderate(item_id, lambda i, d: services.restore_item(i, reason=d.get("reason"), actor=current_user))


@bp.post("/moderation/<int:item_id>/dismiss")
@login_required
def dismiss_moderation_item(item_id):
    return _moderate(item_id, lambda i, d: services.dismiss_item(i, reason=d.get("reason"), actor=current_user))


@bp.post("/moderation/<int:item_id>/redact")
@login_required
def redact_moderation_item(item_id):
    return _moderate(item_id, lambda i, d: services.redact_item(i, passage=d.get("passage"), reason=d.get("reason"),
                                                                actor=current_user))


@bp.post("/appeals")
@login_required
def create_appeal():
    data = json_body()
    item = load_item(int_field(data, "item_id"))
    policy.require(policy.can_appeal(current_user, item), "Only the author can appeal this hide.")
    item = services.appeal_hide(item, text=data.get("text"), actor=current_user)
    return {"item_id": item.id, "appeal_status": item.appeal_status,
            "appeal_community": item.appeal_community.name if item.appeal_community else None}, 201


@bp.post("/spaces/<int:space_id>/mutes")
@login_required
def create_mute(space_id):
    space = load_space(space_id)
    _require_moderator(space)
    data = json_body()
    mute = services.mute_member(space, user=find_by_id(User, data.get("user_id")), reason=data.get("reason"),
                                minutes=data.get("minutes"), actor=current_user)
    return {"id": mute.id, "user_id": mute.user_id, "reason": mute.reason, "until": mute.until.isoformat()}, 201


@bp.post("/spaces/<int:space_id>/mutes/<int:mute_id>/lift")
@login_required
def lift_mute(space_id, mute_id):
    """End a mute early; the person and the log see who did and why."""
    space = load_space(space_id)
    _require_moderator(space)
    mute = services.lift_mute(services.mute_in(space, mute_id), reason=json_body().get("reason"), actor=current_user)
    return {"id": mute.id, "user_id": mute.user_id, "lifted_at": mute.lifted_at.isoformat(), "reason": mute.lift_reason}


@bp.put("/spaces/<int:space_id>/slow-mode")
@login_required
def put_slow_mode(space_id):
    space = load_space(space_id)
    _require_moderator(space)
    data = json_body()
    mode = services.set_slow_mode(space, seconds=data.get("seconds"), reason=data.get("reason"),
                                  minutes=data.get("minutes"), actor=current_user)
    if mode is None:
        return {"seconds": 0}
    return {"seconds": mode.seconds, "reason": mode.reason, "until": mode.until.isoformat(),
            "set_by": mode.set_by.display_name}


@bp.get("/spaces/<int:space_id>/moderation-log")
@login_required
def get_moderation_log(space_id):
    space = load_space(space_id)
    policy.require(policy.can_view_moderation_log(current_user, space), "Only members of this space read its log.")
    return {"items": [log_payload(e) for e in log_entries(space)]}


@bp.get("/spaces/<int:space_id>/participation")
@login_required
def get_participation(space_id):
    space = load_space(space_id)
    policy.require(policy.can_view_participation(current_user, space), "Only people who can see this space.")
    data = participation.figures(space)
    if not policy.can_moderate(current_user, space):  # each person sees only themselves among the not-yet-heard
        data["not_yet_heard"] = [u for u in data["not_yet_heard"] if u == current_user.id]
    return data


SPACE = [id_param("space_id")]
ITEM = [id_param("item_id")]
REASON_BODY = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 500}}}
ITEM_SCHEMA = {"type": "object", "required": ["id", "kind", "content_id", "flags"], "properties": {
    "id": {"type": "integer"}, "space_id": {"type": "integer"},
    "kind": {"type": "string", "enum": ["comment", "card", "term", "bridge"]}, "content_id": {"type": "integer"},
    "status": {"type": "string", "enum": ["open", "dismissed", "hidden", "restored"]},
    "hidden_reason": {"type": ["string", "null"]}, "review_status": {"type": ["string", "null"]},
    "appeal_status": {"type": ["string", "null"]},
    "flags": {"type": "array", "items": {"type": "object", "properties": {
        "reason": {"type": "string", "enum": list(REASONS)}, "note": {"type": "string"},
        "flagger": {"type": "object", "description": "Moderators only"}}}}}}


def _act(op, summary):
    return {"post": {"operationId": op, "summary": summary, "parameters": ITEM, "requestBody": body("ModerationReason"),
                     "responses": responses("200", ref("ModerationItem"), 403, 404, 422)}}


describe(paths={
    "/flags": {"post": {"operationId": "create_flag", "summary": "Flag content for the moderators (never hides it)",
                        "requestBody": body("NewFlag"), "responses": responses("201", {"type": "object"}, 403, 404, 422)}},
    "/spaces/{space_id}/moderation": {
        "get": {"operationId": "list_moderation_queue", "summary": "The space's moderation queue (moderators)",
                "parameters": SPACE, "responses": responses("200", list_of("ModerationItem"), 403, 404)},
        "post": {"operationId": "open_moderation_item", "summary": "Open an item on content nobody flagged",
                 "parameters": SPACE, "requestBody": body("NewModerationItem"),
                 "responses": responses("201", ref("ModerationItem"), 403, 404, 422)}},
    "/moderation/{item_id}/hide": _act("hide_moderation_item", "Hide with a reason shown in place"),
    "/moderation/{item_id}/restore": _act("restore_moderation_item", "Restore hidden content"),
    "/moderation/{item_id}/dismiss": _act("dismiss_moderation_item", "Dismiss the flags"),
    "/moderation/{item_id}/redact": {"post": {
        "operationId": "redact_moderation_item", "summary": "Erase a passage of a comment from storage (history too)",
        "parameters": ITEM, "requestBody": body("Redaction"),
        "responses": responses("200", ref("ModerationItem"), 403, 404, 422)}},
    "/appeals": {"post": {"operationId": "create_appeal", "summary": "Appeal a hide of your content, once",
                          "requestBody": body("NewAppeal"), "responses": responses("201", {"type": "object"}, 403, 404, 422)}},
    "/spaces/{space_id}/mutes": {"post": {
        "operationId": "create_mute", "summary": "Mute a member for a period, with a reason",
        "parameters": SPACE, "requestBody": body("NewMute"), "responses": responses("201", {"type": "object"}, 403, 404, 422)}},
    "/spaces/{space_id}/mutes/{mute_id}/lift": {"post": {
        "operationId": "lift_mute", "summary": "End a mute early, with a reason the person and the log see",
        "parameters": SPACE + [id_param("mute_id")], "requestBody": body("ModerationReason"),
        "responses": responses("200", {"type": "object"}, 403, 404, 422)}},
    "/spaces/{space_id}/slow-mode": {"put": {
        "operationId": "put_slow_mode", "summary": "Slow mode: 5 s to 1 h between a person's comments (0: off)",
        "parameters": SPACE, "requestBody": body("SlowMode"), "responses": responses("200", {"type": "object"}, 403, 404, 422)}},
    "/spaces/{space_id}/moderation-log": {"get": {
        "operationId": "get_moderation_log", "summary": "Every moderation action, by whom and why (never flaggers)",
        "parameters": SPACE, "responses": responses("200", {"type": "object"}, 403, 404)}},
    "/spaces/{space_id}/participation": {"get": {
        "operationId": "get_participation", "summary": "Each community's share of contributions vs members, 7d/30d/all",
        "parameters": SPACE, "responses": responses("200", {"type": "object"}, 403, 404)}},
}, schemas={
    "ModerationItem": ITEM_SCHEMA, "ModerationReason": REASON_BODY,
    "NewFlag": {"type": "object", "required": ["kind", "id", "reason"], "properties": {
        "kind": {"type": "string", "enum": ["comment", "card", "term", "bridge"]}, "id": {"type": "integer"},
        "reason": {"type": "string", "enum": list(REASONS)}, "note": {"type": "string", "maxLength": 1000},
        "space_id": {"type": "integer", "description": "For terms and bridge notes: the space where you read it"}}},
    "NewModerationItem": {"type": "object", "required": ["kind", "id"], "properties": {
        "kind": {"type": "string"}, "id": {"type": "integer"}}},
    "Redaction": {"type": "object", "required": ["passage", "reason"], "properties": {
        "passage": {"type": "string"}, "reason": {"type": "string"}}},
    "NewAppeal": {"type": "object", "required": ["item_id", "text"], "properties": {
        "item_id": {"type": "integer"}, "text": {"type": "string", "maxLength": 1000}}},
    "NewMute": {"type": "object", "required": ["user_id", "reason", "minutes"], "properties": {
        "user_id": {"type": "integer"}, "reason": {"type": "string"}, "minutes": {"type": "integer", "minimum": 1}}},
    "SlowMode": {"type": "object", "required": ["seconds", "reason"], "properties": {
        "seconds": {"type": "integer", "description": "0, or 5 to 3600"}, "reason": {"type": "string"},
        "minutes": {"type": "integer", "minimum": 1}}},
})
