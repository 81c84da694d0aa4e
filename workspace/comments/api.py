"""API: comments in a space's discussion and on cards, threads, edits, resolution, comment → card.

(Document comments, with their anchors, are described beside the documents' API.)
"""
from flask_login import current_user, login_required

from workspace import policy
from workspace.api import bp, int_field, json_body
from workspace.api.openapi import body, describe, id_param, list_of, ref, responses
from workspace.boards.models import BoardColumn
from workspace.comments import services
from workspace.comments.models import BODY_MAX, Comment
from workspace.comments.schemas import comment_payload, revision_payload
from workspace.comments.views import thread_views
from workspace.errors import ValidationError
from workspace.loading import find_by_id, load_card, load_space, load_visible


def load_comment(comment_id) -> Comment:
    return load_visible(Comment, comment_id, policy.can_view_comment, "This comment")


def require_comment(space) -> None:
    policy.require(policy.can_comment(current_user, space), "Only members of this space can comment while it is active.")


def threads(target) -> dict:
    return {"items": [comment_payload(t, replies=True) for t in thread_views(target)]}


@bp.get("/spaces/<int:space_id>/comments")
@login_required
def list_space_comments(space_id):
    return threads(load_space(space_id))


@bp.post("/spaces/<int:space_id>/comments")
@login_required
def create_space_comment(space_id):
    space = load_space(space_id)
    require_comment(space)
    comment = services.create_comment(space=space, actor=current_user, body=json_body().get("body"))
    return comment_payload(comment, replies=True), 201


@bp.get("/cards/<int:card_id>/comments")
@login_required
def list_card_comments(card_id):
    return threads(load_card(card_id))


@bp.post("/cards/<int:card_id>/comments")
@login_required
def create_card_comment(card_id):
    card = load_card(card_id)
    require_comment(card.board.space)
    comment = services.create_comment(space=card.board.space, actor=current_user, body=json_body().get("body"),
                                      card=card)
    return comment_payload(comment, replies=True), 201


@bp.patch("/comments/<int:comment_id>")
@login_required
def update_comment(comment_id):
    comment = load_comment(comment_id)
    policy.require(policy.can_edit_comment(current_user, comment), "You can only edit your own comments.")
    comment = services.edit_comment(comment, actor=current_user, body=json_body().get("body"))
    payload = comment_payload(comment)
    payload["history"] = [revision_payload(r) for r in comment.revisions]
    return payload


@bp.delete("/comments/<int:comment_id>")
@login_required
def delete_comment(comment_id):
    comment = load_comment(comment_id)
    policy.require(policy.can_delete_comment(current_user, comment), "You can only delete your own comments.")
    return comment_payload(services.delete_comment(comment, actor=current_user))


@bp.post("/comments/<int:comment_id>/replies")
@login_required
def reply_to_comment(comment_id):
    comment = load_comment(comment_id)
    require_comment(comment.space)
    reply = services.reply_to(comment, actor=current_user, body=json_body().get("body"))
    return comment_payload(reply), 201


@bp.post("/comments/<int:comment_id>/resolve")
@login_required
def resolve_thread(comment_id):
    comment = load_comment(comment_id)
    policy.require(policy.can_resolve_thread(current_user, comment), "Only members of this space can resolve threads.")
    return comment_payload(services.resolve_thread(comment, actor=current_user), replies=True)


@bp.post("/comments/<int:comment_id>/reopen")
@login_required
def reopen_thread(comment_id):
    comment = load_comment(comment_id)
    policy.require(policy.can_resolve_thread(current_user, comment), "Only members of this space can reopen threads.")
    return comment_payload(services.reopen_thread(comment, actor=current_user), replies=True)


@bp.post("/comments/<int:comment_id>/card")
@login_required
def comment_to_card(comment_id):
    from workspace.boards.schemas import card_payload
    comment = load_comment(comment_id)
    require_comment(comment.space)
    data = json_body()
    column = find_by_id(BoardColumn, int_field(data, "column_id"))
    if column is None or not policy.can_view_board(current_user, column.board):
        raise ValidationError({"column_id": "Choose a column of one of this space's boards."})
    if data.get("board_id") is not None and data.get("board_id") != column.board_id:
        raise ValidationError({"column_id": "That column is not on that board."})
    policy.require(policy.can_comment_to_card(current_user, comment, column.board),
                   "Only members of this space can add cards to its boards.")
    card = services.comment_to_card(comment, board=column.board, column=column, actor=current_user)
    return {"comment": comment_payload(comment), "card": card_payload(card, detail=True)}, 201


PERSON = {"type": ["object", "null"], "properties": {"user_id": {"type": "integer"}, "display_name": {"type": "string"}}}
COMMENT = {"type": "object", "required": ["id", "space_id", "target", "thread_id", "author", "body", "html"], "properties": {
    "id": {"type": "integer"}, "space_id": {"type": "integer"},
    "target": {"type": "string", "enum": ["space", "card", "document"]},
    "document_id": {"type": ["integer", "null"]}, "card_id": {"type": ["integer", "null"]},
    "parent_id": {"type": ["integer", "null"], "description": "The thread's first comment, for a reply"},
    "thread_id": {"type": "integer"}, "author": PERSON,
    "body": {"type": "string", "description": "Markdown source; mentions are written @[Name]; empty once deleted"},
    "html": {"type": "string", "description": "The body through the sanitiser, mentions linked; glossary marks "
                                              "are per reader and not included"},
    "created_at": {"type": "string", "format": "date-time"},
    "edited_at": {"type": ["string", "null"], "format": "date-time"},
    "revisions": {"type": "integer", "description": "How many earlier bodies the edit history holds"},
    "history": {"type": "array", "items": {"type": "object", "properties": {
        "body": {"type": "string"}, "written_at": {"type": "string", "format": "date-time"},
        "edited_at": {"type": "string", "format": "date-time"}, "edited_by": PERSON}}},
    "deleted": {"type": "boolean", "description": "Deleted by its author: a tombstone keeps the thread readable"},
    "deleted_at": {"type": ["string", "null"], "format": "date-time"},
    "resolved": {"type": "boolean", "description": "First comments only"},
    "resolved_at": {"type": ["string", "null"], "format": "date-time"}, "resolved_by": PERSON,
    "mentions": {"type": "array", "items": {"type": "object", "properties": {
        "label": {"type": "string"}, "user_id": {"type": ["integer", "null"]},
        "community_id": {"type": ["integer", "null"]}}}},
    "card": {"type": ["object", "null"], "description": "The card made from this comment", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "board_id": {"type": "integer"},
        "column_id": {"type": "integer"}, "column": {"type": "string"}, "archived": {"type": "boolean"},
        "url": {"type": "string"}}},
    "anchor": {"type": "object", "description": "Document comments: base64 Yjs relative positions and the quoted text"},
    "replies": {"type": "array", "items": ref("Comment")}}}
NEW_COMMENT = {"type": "object", "required": ["body"], "properties": {
    "body": {"type": "string", "minLength": 1, "maxLength": BODY_MAX,
             "description": "Markdown; mention a person or a community of the space with @[Name]"}}}
COMMENT_ID = [id_param("comment_id")]

describe(paths={
    "/spaces/{space_id}/comments": {
        "get": {"operationId": "list_space_comments", "summary": "The space discussion's threads with their replies",
                "parameters": [id_param("space_id")], "responses": responses("200", list_of("Comment"), 404)},
        "post": {"operationId": "create_space_comment", "summary": "Start a thread in the space's discussion (members)",
                 "parameters": [id_param("space_id")], "requestBody": body("NewComment"),
                 "responses": responses("201", ref("Comment"), 403, 404, 422)}},
    "/cards/{card_id}/comments": {
        "get": {"operationId": "list_card_comments", "summary": "A card's threads with their replies",
                "parameters": [id_param("card_id")], "responses": responses("200", list_of("Comment"), 404)},
        "post": {"operationId": "create_card_comment", "summary": "Comment on a card; its assignees are told",
                 "parameters": [id_param("card_id")], "requestBody": body("NewComment"),
                 "responses": responses("201", ref("Comment"), 403, 404, 422)}},
    "/comments/{comment_id}": {
        "patch": {"operationId": "update_comment", "summary": "Edit your own comment (the old body goes to its history)",
                  "parameters": COMMENT_ID, "requestBody": body("NewComment"),
                  "responses": responses("200", ref("Comment"), 403, 404, 422)},
        "delete": {"operationId": "delete_comment", "summary": "Delete your own comment, leaving a tombstone",
                   "parameters": COMMENT_ID, "responses": responses("200", ref("Comment"), 403, 404, 422)}},
    "/comments/{comment_id}/replies": {"post": {
        "operationId": "reply_to_comment", "summary": "Reply in a thread (to its first comment: one level)",
        "parameters": COMMENT_ID, "requestBody": body("NewComment"),
        "responses": responses("201", ref("Comment"), 403, 404, 422)}},
    "/comments/{comment_id}/resolve": {"post": {
        "operationId": "resolve_thread", "summary": "Resolve the comment's thread (any member)",
        "parameters": COMMENT_ID, "responses": responses("200", ref("Comment"), 403, 404, 422)}},
    "/comments/{comment_id}/reopen": {"post": {
        "operationId": "reopen_thread", "summary": "Reopen the comment's resolved thread",
        "parameters": COMMENT_ID, "responses": responses("200", ref("Comment"), 403, 404, 422)}},
    "/comments/{comment_id}/card": {"post": {
        "operationId": "comment_to_card", "summary": "Make a card from a comment on one of its space's boards",
        "parameters": COMMENT_ID, "requestBody": body("CommentToCard"),
        "responses": responses("201", {"type": "object", "properties": {
            "comment": ref("Comment"), "card": ref("Card")}}, 403, 404, 422)}},
}, schemas={
    "Comment": COMMENT, "NewComment": NEW_COMMENT,
    "CommentToCard": {"type": "object", "required": ["column_id"], "properties": {
        "column_id": {"type": "integer", "description": "An open column of one of the space's boards"},
        "board_id": {"type": "integer", "description": "Optional: the column's board, checked"}}},
})
