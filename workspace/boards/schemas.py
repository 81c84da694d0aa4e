"""JSON shapes of boards, columns, cards and history lines: the API and live events share them."""
from workspace.boards.joint import communities_by_user, is_joint


def person_payload(user, communities) -> dict:
    return {"user_id": user.id, "display_name": user.display_name,
            "communities": [{"id": c.id, "name": c.name, "colour": c.colour} for c in communities]}


def card_payload(card, communities_of: dict | None = None, *, detail: bool = False) -> dict:
    if communities_of is None:
        communities_of = communities_by_user(card.board.space, [a.user_id for a in card.assignments])
    body = {
        "id": card.id, "version": card.version, "board_id": card.board_id, "column_id": card.column_id,
        "position": card.position, "title": card.title,
        "due_on": card.due_on.isoformat() if card.due_on else None, "labels": list(card.labels or []),
        "assignees": [person_payload(a.user, communities_of.get(a.user_id, [])) for a in card.assignments],
        "is_joint": is_joint(card, communities_of), "archived": card.is_archived,
        "checklist": {"done": sum(1 for i in card.checklist if i.done), "total": len(card.checklist)},
        "updated_at": card.updated_at.isoformat(),
    }
    if detail:
        body["description"] = card.description
        body["checklist_items"] = [{"id": i.id, "text": i.text, "done": i.done} for i in card.checklist]
    return body


def column_payload(column) -> dict:
    return {"id": column.id, "version": column.version, "board_id": column.board_id, "title": column.title,
            "position": column.position, "wip_limit": column.wip_limit, "done": column.is_done,
            "archived": column.is_archived}


def activity_payload(note) -> dict:
    return {"id": note.id, "card_id": note.card_id, "column_id": note.column_id, "text": note.text,
            "card_title": note.card.title if note.card_id else None,
            "actor": {"user_id": note.actor_id, "display_name": note.actor.display_name},
            "at": note.created_at.isoformat()}


def board_payload(board, *, columns=None, cards_by_column=None, communities_of=None, summary=None) -> dict:
    """A board; with `columns` given, each open column with its open cards in order."""
    body = {"id": board.id, "space_id": board.space_id, "title": board.title, "goal": board.goal,
            "seq": board.seq, "created_at": board.created_at.isoformat()}
    if summary is not None:
        body["open_cards"], body["joint_open_cards"] = summary["open"], summary["joint"]
    if columns is not None:
        body["columns"] = [dict(column_payload(c), cards=[card_payload(card, communities_of)
                                                          for card in cards_by_column.get(c.id, [])])
                           for c in columns]
    return body
