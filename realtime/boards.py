"""Board rooms: watch a board live, catch up after a reconnect, and move cards (policy-checked per event)."""
from flask_socketio import join_room, leave_room

from realtime.registry import current_actor, event
from workspace import policy
from workspace.boards import services
from workspace.boards.joint import communities_by_user
from workspace.boards.models import Board, Card
from workspace.boards.schemas import board_payload, card_payload
from workspace.errors import NotFound, ValidationError
from workspace.events import room_for
from workspace.extensions import db
from workspace.loading import find_by_id


def _number(data, field: str, *, required: bool = True):
    value = data.get(field) if isinstance(data, dict) else None
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError({field: f"Give the numeric {field}."})
    return value


def _visible_board(user, board_id: int) -> Board:
    board = find_by_id(Board, board_id)
    if board is None or not policy.can_view_board(user, board):
        raise NotFound("This board does not exist or is not shared with you.")
    return board


def snapshot(board: Board) -> dict:
    cards = services.open_cards(board)
    return board_payload(board, columns=services.open_columns(board),
                         cards_by_column=services.cards_by_column(board, cards),
                         communities_of=communities_by_user(board.space, {a.user_id for c in cards
                                                                          for a in c.assignments}),
                         summary=services.board_summary(board))


@event("join_board")
def join_board(data=None):
    """Watch a board; with `since`, get the events missed since then (or a snapshot if too far behind)."""
    user = current_actor()
    board_id, since = _number(data, "board_id"), _number(data, "since", required=False)
    board = _visible_board(user, board_id)
    # Join first, then read: an event committed after this read is sent to the room we are now in.
    join_room(room_for(board))
    db.session.refresh(board)
    events = services.events_since(board, since) if since is not None and since >= 0 else None
    if events is not None:
        return {"ok": True, "seq": board.seq, "events": events}
    return {"ok": True, "seq": board.seq, "snapshot": snapshot(board)}


@event("leave_board")
def leave_board(data=None):
    user = current_actor()
    board = _visible_board(user, _number(data, "board_id"))
    leave_room(room_for(board))
    return {"ok": True}


@event("move_card")
def move_card(data=None):
    """Move a card like POST /api/v1/cards/{id}/move; a stale version is refused with the current card."""
    user = current_actor()
    card = find_by_id(Card, _number(data, "card_id"))
    if card is None or not policy.can_view_board(user, card.board):
        raise NotFound("This card does not exist or is not shared with you.")
    board = card.board
    policy.require(policy.can_change_board(user, board),
                   "Only members of this space can move cards (archived spaces are read-only).")
    column = services.column_for(board, data.get("column_id"))
    after = services.card_for(board, data["after_card_id"], field="after_card_id") \
        if data.get("after_card_id") is not None else None
    before = services.card_for(board, data["before_card_id"], field="before_card_id") \
        if data.get("before_card_id") is not None else None
    card = services.move_card(card, to_column=column, after=after, before=before, version=data.get("version"),
                              actor=user)
    warning = services.wip_warning(column)
    return {"ok": True, "card": card_payload(card), "seq": board.seq, "warnings": [warning] if warning else []}
