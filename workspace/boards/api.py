"""API: boards, columns and cards; every write names the version it was based on (409 when stale)."""
from flask_login import current_user, login_required

from workspace import policy
from workspace.api import bp, json_body
from workspace.api.openapi import body, describe, id_param, list_of, ref, responses
from workspace.boards import services
from workspace.boards.joint import communities_by_user
from workspace.boards.models import DESCRIPTION_MAX, TITLE_MAX, Board, BoardColumn
from workspace.boards.schemas import board_payload, card_payload, column_payload
from workspace.errors import ValidationError
from workspace.loading import load_board, load_card, load_space, load_visible



def require_change(board: Board) -> None:
    policy.require(policy.can_change_board(current_user, board),
                   "Only members of this space can change its boards (archived spaces are read-only).")


def with_warnings(payload: dict, *columns) -> dict:
    payload["warnings"] = [w for w in (services.wip_warning(c) for c in columns) if w]
    return payload


def full_board(board: Board) -> dict:
    cards = services.open_cards(board)
    communities_of = communities_by_user(board.space, {a.user_id for c in cards for a in c.assignments})
    return board_payload(board, columns=services.open_columns(board),
                         cards_by_column=services.cards_by_column(board, cards), communities_of=communities_of,
                         summary=services.board_summary(board))


@bp.get("/spaces/<int:space_id>/boards")
@login_required
def list_boards(space_id):
    space = load_space(space_id)
    return {"items": [board_payload(b, summary=services.board_summary(b)) for b in services.boards_in(space)]}


@bp.post("/spaces/<int:space_id>/boards")
@login_required
def create_board(space_id):
    space = load_space(space_id)
    policy.require(policy.can_create_board(current_user, space), "Only members of this space can start a board.")
    data = json_body()
    columns = data.get("columns", list(services.DEFAULT_COLUMNS))
    if not isinstance(columns, list) or not all(isinstance(c, str) and 0 < len(c.strip()) <= TITLE_MAX
                                                for c in columns) or len(columns) > 20:
        raise ValidationError({"columns": f"Give up to 20 column titles of at most {TITLE_MAX} characters."})
    board = services.create_board(space, title=data.get("title"), goal=data.get("goal", ""), actor=current_user,
                                  column_titles=[c.strip() for c in columns])
    return full_board(board), 201


@bp.get("/boards/<int:board_id>")
@login_required
def get_board(board_id):
    return full_board(load_board(board_id))


@bp.post("/boards/<int:board_id>/columns")
@login_required
def create_column(board_id):
    board = load_board(board_id)
    require_change(board)
    data = json_body()
    column = services.create_column(board, title=data.get("title"), wip_limit=data.get("wip_limit"),
                                    actor=current_user)
    return column_payload(column), 201


@bp.patch("/columns/<int:column_id>")
@login_required
def update_column(column_id):
    column = load_visible(BoardColumn, column_id, lambda user, c: policy.can_view_board(user, c.board), "This column")
    require_change(column.board)
    data = json_body()
    fields = {name: data[name] for name in ("title", "wip_limit", "done") if name in data}
    column = services.update_column(column, version=data.get("version"), actor=current_user, **fields)
    return with_warnings(column_payload(column), column)


@bp.post("/boards/<int:board_id>/cards")
@login_required
def create_card(board_id):
    board = load_board(board_id)
    require_change(board)
    data = json_body()
    column = services.column_for(board, data.get("column_id"))
    card = services.create_card(board, column=column, title=data.get("title"),
                                description=data.get("description", ""), assignee_ids=data.get("assignee_ids", []),
                                due_on=data.get("due_on"), labels=data.get("labels", []), actor=current_user)
    return with_warnings(card_payload(card, detail=True), column), 201


@bp.get("/cards/<int:card_id>")
@login_required
def get_card(card_id):
    return card_payload(load_card(card_id), detail=True)


@bp.patch("/cards/<int:card_id>")
@login_required
def update_card(card_id):
    card = load_card(card_id)
    require_change(card.board)
    data = json_body()
    fields = {name: data[name] for name in ("title", "description", "assignee_ids", "due_on", "labels")
              if name in data}
    card = services.update_card(card, version=data.get("version"), actor=current_user, **fields)
    return card_payload(card, detail=True)


@bp.post("/cards/<int:card_id>/move")
@login_required
def move_card(card_id):
    card = load_card(card_id)
    board = card.board
    require_change(board)
    data = json_body()
    column = services.column_for(board, data.get("column_id"))
    after = services.card_for(board, data["after_card_id"], field="after_card_id") \
        if data.get("after_card_id") is not None else None
    before = services.card_for(board, data["before_card_id"], field="before_card_id") \
        if data.get("before_card_id") is not None else None
    card = services.move_card(card, to_column=column, after=after, before=before, version=data.get("version"),
                              actor=current_user)
    return with_warnings(card_payload(card, detail=True), column)


@bp.post("/cards/<int:card_id>/archive")
@login_required
def archive_card(card_id):
    card = load_card(card_id)
    require_change(card.board)
    data = json_body()
    card = services.archive_card(card, version=data.get("version"), actor=current_user)
    return card_payload(card, detail=True)


BOARD_ID, CARD_ID = [id_param("board_id")], [id_param("card_id")]
PERSON = {"type": "object", "properties": {
    "user_id": {"type": "integer"}, "display_name": {"type": "string"},
    "communities": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "colour": {"type": "string"}}}}}}
CARD = {"type": "object", "required": ["id", "version", "column_id", "position", "title"], "properties": {
    "id": {"type": "integer"}, "version": {"type": "integer", "description": "Send it back with every change"},
    "board_id": {"type": "integer"}, "column_id": {"type": "integer"},
    "position": {"type": "string", "description": "Fractional order key; compare as plain strings"},
    "title": {"type": "string", "maxLength": TITLE_MAX},
    "description": {"type": "string", "maxLength": DESCRIPTION_MAX, "description": "Markdown"},
    "due_on": {"type": ["string", "null"], "format": "date"},
    "labels": {"type": "array", "items": {"type": "string"}},
    "assignees": {"type": "array", "items": PERSON},
    "is_joint": {"type": "boolean", "description": "Assignees come from two or more communities"},
    "archived": {"type": "boolean"},
    "checklist": {"type": "object", "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}}},
    "checklist_items": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "text": {"type": "string"}, "done": {"type": "boolean"}}}},
    "updated_at": {"type": "string", "format": "date-time"},
    "warnings": {"type": "array", "items": {"type": "string"},
                 "description": "Work-in-progress limits exceeded (a warning, never a refusal)"}}}
COLUMN = {"type": "object", "required": ["id", "version", "title", "position"], "properties": {
    "id": {"type": "integer"}, "version": {"type": "integer"}, "board_id": {"type": "integer"},
    "title": {"type": "string"}, "position": {"type": "string"},
    "wip_limit": {"type": ["integer", "null"], "minimum": 1}, "archived": {"type": "boolean"},
    "done": {"type": "boolean", "description": "Marked as a done column: its cards are finished, never overdue "
                                               "(with no column marked, the last open column counts as done)"},
    "cards": {"type": "array", "items": ref("Card")},
    "warnings": {"type": "array", "items": {"type": "string"},
                 "description": "Its work-in-progress limit is exceeded (a warning, never a refusal)"}}}
BOARD = {"type": "object", "required": ["id", "title", "seq"], "properties": {
    "id": {"type": "integer"}, "space_id": {"type": "integer"}, "title": {"type": "string"},
    "goal": {"type": "string"}, "seq": {"type": "integer", "description": "The board's latest event number"},
    "open_cards": {"type": "integer"}, "joint_open_cards": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"},
    "columns": {"type": "array", "items": ref("Column")}}}
CONFLICT = {"description": "Based on a stale version: `current` holds the card as it is now",
            "content": {"application/problem+json": {"schema": {"allOf": [
                ref("Problem"), {"type": "object", "properties": {"current": ref("Card")}}]}}}}


def _with_conflict(resp: dict) -> dict:
    resp["409"] = CONFLICT
    return resp


describe(paths={
    "/spaces/{space_id}/boards": {
        "get": {"operationId": "list_boards", "summary": "The space's boards with their open and joint card counts",
                "parameters": [id_param("space_id")], "responses": responses("200", list_of("Board"), 404)},
        "post": {"operationId": "create_board", "summary": "Start a board (space members)",
                 "parameters": [id_param("space_id")], "requestBody": body("NewBoard"),
                 "responses": responses("201", ref("Board"), 403, 404, 422)}},
    "/boards/{board_id}": {"get": {
        "operationId": "get_board", "summary": "A board with its open columns and cards in order, each with its version",
        "parameters": BOARD_ID, "responses": responses("200", ref("Board"), 404)}},
    "/boards/{board_id}/columns": {"post": {
        "operationId": "create_column", "summary": "Add a column at the right end",
        "parameters": BOARD_ID, "requestBody": body("NewColumn"),
        "responses": responses("201", ref("Column"), 403, 404, 422)}},
    "/columns/{column_id}": {"patch": {
        "operationId": "update_column",
        "summary": "Rename a column, change its work-in-progress limit or mark it done, based on its version",
        "parameters": [id_param("column_id")], "requestBody": body("ColumnChange"),
        "responses": responses("200", ref("Column"), 403, 404, 409, 422)}},
    "/boards/{board_id}/cards": {"post": {
        "operationId": "create_card", "summary": "Add a card at the bottom of a column; assignees are notified",
        "parameters": BOARD_ID, "requestBody": body("NewCard"),
        "responses": responses("201", ref("Card"), 403, 404, 422)}},
    "/cards/{card_id}": {
        "get": {"operationId": "get_card", "summary": "A card with its description and checklist",
                "parameters": CARD_ID, "responses": responses("200", ref("Card"), 404)},
        "patch": {"operationId": "update_card", "summary": "Change some fields of a card, based on its version",
                  "parameters": CARD_ID, "requestBody": body("CardChange"),
                  "responses": _with_conflict(responses("200", ref("Card"), 403, 404, 422))}},
    "/cards/{card_id}/move": {"post": {
        "operationId": "move_card", "summary": "Move a card after or before a neighbour (or to the bottom of a column)",
        "parameters": CARD_ID, "requestBody": body("CardMove"),
        "responses": _with_conflict(responses("200", ref("Card"), 403, 404, 422))}},
    "/cards/{card_id}/archive": {"post": {
        "operationId": "archive_card", "summary": "Archive a card (it can be restored from its page)",
        "parameters": CARD_ID, "requestBody": body("CardArchive"),
        "responses": _with_conflict(responses("200", ref("Card"), 403, 404))}},
}, schemas={
    "Board": BOARD, "Column": COLUMN, "Card": CARD,
    "NewBoard": {"type": "object", "required": ["title"], "properties": {
        "title": {"type": "string", "maxLength": TITLE_MAX}, "goal": {"type": "string"},
        "columns": {"type": "array", "items": {"type": "string"}, "maxItems": 20,
                    "description": "Column titles; default To do, Doing, Done"}}},
    "NewColumn": {"type": "object", "required": ["title"], "properties": {
        "title": {"type": "string", "maxLength": TITLE_MAX},
        "wip_limit": {"type": ["integer", "null"], "minimum": 1, "maximum": services.WIP_LIMIT_MAX}}},
    "ColumnChange": {"type": "object", "required": ["version"], "properties": {
        "version": {"type": "integer", "description": "The version this change is based on"},
        "title": {"type": "string", "maxLength": TITLE_MAX},
        "wip_limit": {"type": ["integer", "null"], "minimum": 1, "maximum": services.WIP_LIMIT_MAX,
                      "description": "null removes the limit"},
        "done": {"type": "boolean", "description": "Its cards are finished, never overdue"}}},
    "NewCard": {"type": "object", "required": ["column_id", "title"], "properties": {
        "column_id": {"type": "integer"}, "title": {"type": "string", "maxLength": TITLE_MAX},
        "description": {"type": "string", "maxLength": DESCRIPTION_MAX},
        "assignee_ids": {"type": "array", "items": {"type": "integer"}, "description": "Members of the space"},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "labels": {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 10}}},
    "CardChange": {"type": "object", "required": ["version"], "properties": {
        "version": {"type": "integer", "description": "The version this change is based on"},
        "title": {"type": "string", "maxLength": TITLE_MAX},
        "description": {"type": "string", "maxLength": DESCRIPTION_MAX},
        "assignee_ids": {"type": "array", "items": {"type": "integer"}},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "labels": {"type": "array", "items": {"type": "string"}}}},
    "CardMove": {"type": "object", "required": ["column_id", "version"], "properties": {
        "column_id": {"type": "integer"}, "version": {"type": "integer"},
        "after_card_id": {"type": ["integer", "null"], "description": "The card it goes right after"},
        "before_card_id": {"type": ["integer", "null"], "description": "The card it goes right before"}}},
    "CardArchive": {"type": "object", "properties": {
        "version": {"type": "integer", "description": "Optional: refuse if the card changed since"}}},
})
