"""Permission rows for boards and notices: viewers watch, joined members of an active space change."""
from tests.permission_rows.actors import SIGNED_IN, VIEWERS
from workspace.boards import services as boards
from workspace.boards.demo import REFERRAL_TITLE, find_board

WRITERS = {"participant", "moderator"}  # joined members of "Referral guidelines"; the admin only watches

TABLE = {
    ("boards.create_board", "GET"): ("/spaces/{space}/boards/new", WRITERS),
    ("boards.create_board", "POST"): ("/spaces/{space}/boards/new", WRITERS),
    ("boards.show_board", "GET"): ("/boards/{board}", VIEWERS),
    ("boards.create_column", "POST"): ("/boards/{board}/columns", WRITERS),
    ("boards.update_column", "POST"): ("/columns/{column}", WRITERS),
    ("boards.move_column", "POST"): ("/columns/{column}/move", WRITERS),
    ("boards.archive_column", "POST"): ("/columns/{empty_column}/archive", WRITERS),
    ("boards.create_card", "POST"): ("/boards/{board}/cards", WRITERS),
    ("boards.show_card", "GET"): ("/cards/{card}", VIEWERS),
    ("boards.card_fragments", "GET"): ("/cards/{card}/glossary/fragments", VIEWERS),
    ("boards.card_live_fragments", "GET"): ("/cards/{card}/fragments", VIEWERS),
    ("boards.update_card", "POST"): ("/cards/{card}", WRITERS),
    ("boards.move_card", "POST"): ("/cards/{card}/move", WRITERS),
    ("boards.archive_card", "POST"): ("/cards/{card}/archive", WRITERS),
    ("boards.restore_card", "POST"): ("/cards/{archived_card}/restore", WRITERS),
    ("boards.add_checklist_item", "POST"): ("/cards/{card}/checklist", WRITERS),
    ("boards.set_checklist_item", "POST"): ("/checklist-items/{item}", WRITERS),
    ("notices.list_notices", "GET"): ("/notices", SIGNED_IN),
    ("notices.mark_notices_read", "POST"): ("/notices/read", SIGNED_IN),
    ("api.list_boards", "GET"): ("/api/v1/spaces/{space}/boards", VIEWERS),
    ("api.create_board", "POST"): ("/api/v1/spaces/{space}/boards", WRITERS),
    ("api.get_board", "GET"): ("/api/v1/boards/{board}", VIEWERS),
    ("api.create_column", "POST"): ("/api/v1/boards/{board}/columns", WRITERS),
    ("api.create_card", "POST"): ("/api/v1/boards/{board}/cards", WRITERS),
    ("api.update_column", "PATCH"): ("/api/v1/columns/{column}", WRITERS),
    ("api.get_card", "GET"): ("/api/v1/cards/{card}", VIEWERS),
    ("api.update_card", "PATCH"): ("/api/v1/cards/{card}", WRITERS),
    ("api.move_card", "POST"): ("/api/v1/cards/{card}/move", WRITERS),
    ("api.archive_card", "POST"): ("/api/v1/cards/{card}/archive", WRITERS),
}

SOCKET_TABLE = {
    "join_board": ({"board_id": "{board}", "since": 0}, VIEWERS),
    "leave_board": ({"board_id": "{board}"}, VIEWERS),
    "move_card": ({"card_id": "{card}", "column_id": "{column}", "version": 1}, WRITERS),
}


def build() -> dict:
    """The demo board of "Referral guidelines": a card with a checklist item, an archived card, columns."""
    board = find_board(REFERRAL_TITLE)
    todo, doing, done = boards.open_columns(board)
    card = next(c for c in boards.cards_by_column(board)[todo.id] if c.checklist)
    archived = boards.archived_cards(board)[0]
    return {"board": board.id, "column": doing.id, "empty_column": done.id, "card": card.id,
            "archived_card": archived.id, "item": card.checklist[0].id}
