"""Boards: columns and cards that several communities work on, with history and live events.

Every write takes the board's lock first (`_lock`), checks the version it was based on, changes
one card or column, writes a line of history and one numbered event (`_record`), and never commits.
The lock serializes writers per board, so two moves of the same card cannot interleave: the first
wins, the second is refused with the current card. Events carry the board's `seq` and are kept in
board_events in the same transaction, so a client that was away can ask for what it missed.
"""
import logging
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from workspace.accounts.models import User
from workspace.boards import ordering
from workspace.boards.joint import communities_by_user, is_joint, is_joint_ids
from workspace.boards.schemas import activity_payload, card_payload, column_payload
from workspace.boards.models import (CHECKLIST_ITEM_MAX, CHECKLIST_ITEMS_PER_CARD, DESCRIPTION_MAX,
                                     GOAL_MAX, LABEL_MAX, LABELS_PER_CARD, TITLE_MAX, Board,
                                     BoardActivity, BoardColumn, BoardEvent, Card, CardAssignee,
                                     ChecklistItem)
from workspace.communities.models import Membership
from workspace.database import utcnow
from workspace.errors import Conflict, ValidationError
from workspace.events import publish, room_for
from workspace.extensions import db
from workspace.notices.services import announce
from workspace.validation import FieldErrors, normalise_name

log = logging.getLogger("convene.boards")

DEFAULT_COLUMNS = ("To do", "Doing", "Done")
WIP_LIMIT_MAX = 999
CATCH_UP_LIMIT = 500  # a client further behind than this gets a fresh snapshot instead
UNSET = object()
# How a card's history says its words changed (texts_by_community finds who wrote them by these).
RENAMED = "renamed from “"
DESCRIBED = "edited the description"


# --- reading --------------------------------------------------------------------------------

def boards_in(space) -> list[Board]:
    return list(db.session.scalars(select(Board).where(Board.space_id == space.id).order_by(Board.id)))


def open_columns(board) -> list[BoardColumn]:
    return sorted((c for c in board.columns if not c.is_archived), key=lambda c: (c.position, c.id))


def open_cards(board) -> list[Card]:
    """The board's cards that are not archived, with assignees loaded (one query, not one per card)."""
    return list(db.session.scalars(
        select(Card).where(Card.board_id == board.id, Card.archived_at.is_(None))
        .options(selectinload(Card.assignments).selectinload(CardAssignee.user),
                 selectinload(Card.checklist))))


def done_column_ids(board, columns=None) -> frozenset[int]:
    """The columns whose cards are finished: those marked done, or else the last open column.

    static/src/board.js applies the same rule to the columns it shows.
    """
    columns = open_columns(board) if columns is None else columns
    marked = frozenset(c.id for c in columns if c.is_done)
    return marked or frozenset(columns[-1:] and [columns[-1].id])


def is_overdue(card, today: date, done_ids) -> bool:
    """Past its due date and not finished (works for a Card and for a board tile)."""
    return bool(card.due_on and card.due_on < today and card.column_id not in done_ids)


def archived_cards(board, *, limit: int = 50) -> list[Card]:
    """The most recently archived cards (the board page lists them to restore)."""
    return list(db.session.scalars(select(Card).where(Card.board_id == board.id, Card.archived_at.is_not(None))
                                   .order_by(Card.archived_at.desc()).limit(limit)))


def cards_by_column(board, cards=None) -> dict[int, list[Card]]:
    """Open cards grouped by column, each column in order (keys compare as plain strings)."""
    grouped: dict[int, list[Card]] = {c.id: [] for c in board.columns}
    for card in cards if cards is not None else open_cards(board):
        grouped.setdefault(card.column_id, []).append(card)
    for cards_in_column in grouped.values():
        cards_in_column.sort(key=lambda c: (c.position, c.id))
    return grouped


def board_summary(board) -> dict:
    """How many cards are open and how many of those are joint (for the space page and board header)."""
    cards = open_cards(board)
    communities_of = communities_by_user(board.space, {a.user_id for c in cards for a in c.assignments})
    return {"open": len(cards), "joint": sum(1 for c in cards if is_joint(c, communities_of))}


def wip_warning(column, count: int | None = None) -> str | None:
    """A warning (never a refusal) when a column holds more open cards than its limit."""
    if column.wip_limit is None:
        return None
    if count is None:
        count = db.session.scalar(select(func.count(Card.id)).where(
            Card.column_id == column.id, Card.archived_at.is_(None))) or 0
    if count > column.wip_limit:
        return f"“{column.title}” has {count} cards, over its work-in-progress limit of {column.wip_limit}."
    return None


def activity(board, *, limit: int = 50) -> list[BoardActivity]:
    return list(db.session.scalars(select(BoardActivity).where(BoardActivity.board_id == board.id)
                                   .options(selectinload(BoardActivity.actor), selectinload(BoardActivity.card))
                                   .order_by(BoardActivity.id.desc()).limit(limit)))


def card_history(card) -> list[BoardActivity]:
    return list(db.session.scalars(select(BoardActivity).where(BoardActivity.card_id == card.id)
                                   .order_by(BoardActivity.id.desc())))


def changes_since(card, version: int) -> list[BoardActivity]:
    """What others changed on the card after the version someone based their edit on."""
    return list(db.session.scalars(select(BoardActivity).where(
        BoardActivity.card_id == card.id, BoardActivity.version > version).order_by(BoardActivity.id)))


def texts_by_community(space) -> list[tuple[int, str]]:
    """Each card's title and description as (community_id, text), for the space's possible-jargon statistic.

    A card counts for a community when everyone who wrote its words (its creator, and whoever renamed
    it or edited its description) belongs, among the communities the space convenes, to that one
    community alone, as for documents (documents.services.texts_by_community): a card worded across
    communities, or by someone in two of them, is left out rather than blurring the difference.
    """
    convened = {link.community_id for link in space.convened}
    cards = db.session.execute(select(Card.id, Card.created_by_id, Card.title, Card.description)
                               .join(Board).where(Board.space_id == space.id).order_by(Card.id)).all()
    if not cards:
        return []
    writers = {card.id: {card.created_by_id} for card in cards}
    for card_id, actor_id in db.session.execute(
            select(BoardActivity.card_id, BoardActivity.actor_id).join(Board)
            .where(Board.space_id == space.id, BoardActivity.card_id.is_not(None),
                   or_(BoardActivity.text.contains(RENAMED), BoardActivity.text.contains(DESCRIBED)))):
        writers[card_id].add(actor_id)
    communities_of: dict[int, set] = {}
    for user_id, community_id in db.session.execute(
            select(Membership.user_id, Membership.community_id).where(
                Membership.user_id.in_(set().union(*writers.values())), Membership.community_id.in_(convened))):
        communities_of.setdefault(user_id, set()).add(community_id)
    out = []
    for card in cards:
        found = set().union(*(communities_of.get(uid, set()) for uid in writers[card.id]))
        if len(found) == 1:
            out.append((found.pop(), f"{card.title}\n{card.description}"))
    return out


def events_since(board, seq: int) -> list[dict] | None:
    """Events after `seq` in order, or None when the client is too far behind to replay them."""
    if seq >= board.seq:
        return []
    if board.seq - seq > CATCH_UP_LIMIT:
        return None
    rows = db.session.scalars(select(BoardEvent).where(BoardEvent.board_id == board.id, BoardEvent.seq > seq)
                              .order_by(BoardEvent.seq))
    events = [{"name": e.name, "payload": e.payload} for e in rows]
    return events if len(events) == board.seq - seq else None


def column_for(board, column_id, *, field: str = "column_id") -> BoardColumn:
    """The open column `column_id` of this board, or a refusal that says what is wrong."""
    if not isinstance(column_id, int) or isinstance(column_id, bool):
        raise ValidationError({field: "Choose a column (give its numeric id)."})
    column = db.session.get(BoardColumn, column_id)
    if column is None or column.board_id != board.id:
        raise ValidationError({field: f"This board has no column {column_id}."})
    if column.is_archived:
        raise ValidationError({field: f"The column “{column.title}” is archived."})
    return column


def card_for(board, card_id, *, field: str) -> Card:
    """A neighbouring card named by id: it must be an open card on the same board."""
    if not isinstance(card_id, int) or isinstance(card_id, bool):
        raise ValidationError({field: "Give the neighbouring card's numeric id."})
    card = db.session.get(Card, card_id)
    if card is None:
        raise ValidationError({field: f"There is no card {card_id}."})
    if card.board_id != board.id:
        raise ValidationError({field: f"Card {card_id} is on another board."})
    if card.is_archived:
        raise ValidationError({field: f"Card {card_id} is archived."})
    return card


def parse_due(value, errors: FieldErrors, field: str = "due_on"):
    """Accept a date, an ISO date string or nothing (no due date)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(field, "The due date must be a date such as 2027-03-10.")
    return None


# --- filters --------------------------------------------------------------------------------

FILTER_DUE = ("overdue", "week")


def parse_filters(args) -> dict:
    """Read the board's filter form (query string); unknown values are ignored, never an error."""
    def number(name):
        value = args.get(name, "")
        return int(value) if str(value).isdigit() else None
    due = args.get("due", "")
    return {"assignee": number("assignee"), "community": number("community"),
            "label": (args.get("label") or "").strip()[:LABEL_MAX] or None,
            "due": due if due in FILTER_DUE else None, "joint": args.get("joint") in ("1", "on", "y", "true")}


def is_filtered(filters: dict) -> bool:
    return any(filters.values())


def card_matches(card, filters: dict, communities_of: dict, today: date, done_ids=frozenset()) -> bool:
    """Whether a card passes the board's filters (static/src/board.js applies the same rules).

    `done_ids` are the board's done columns (done_column_ids): their cards are never overdue.
    """
    assignee_ids = _assignee_ids(card)
    if filters.get("assignee") and filters["assignee"] not in assignee_ids:
        return False
    if filters.get("community") and not any(
            c.id == filters["community"] for uid in assignee_ids for c in communities_of.get(uid, ())):
        return False
    if filters.get("label") and filters["label"].casefold() not in {lab.casefold() for lab in card.labels or ()}:
        return False
    if filters.get("due") == "overdue" and not is_overdue(card, today, done_ids):
        return False
    if filters.get("due") == "week" and not (card.due_on and today <= card.due_on <= end_of_week(today)):
        return False
    if filters.get("joint") and not is_joint_ids(assignee_ids, communities_of):
        return False
    return True


def _assignee_ids(card) -> list[int]:
    """Works for a Card and for a board tile (tiles.Tile), which carries the ids itself."""
    ids = getattr(card, "assignee_ids", None)
    return list(ids) if ids is not None else [a.user_id for a in card.assignments]


def end_of_week(today: date) -> date:
    """Sunday of the current (ISO) week."""
    return today + timedelta(days=6 - today.weekday())


def labels_in(cards) -> list[str]:
    return sorted({label for card in cards for label in card.labels or ()}, key=str.casefold)


# --- boards and columns ---------------------------------------------------------------------

def create_board(space, *, title, goal="", actor, column_titles=DEFAULT_COLUMNS) -> Board:
    errors = FieldErrors()
    title = normalise_name(errors.text("title", title, label="Title", max_length=TITLE_MAX))
    goal = errors.text("goal", goal, label="Goal", max_length=GOAL_MAX, required=False)
    errors.raise_if_any()
    board = Board(space_id=space.id, title=title, goal=goal, seq=0, created_by_id=actor.id)
    for title_, key in zip(column_titles, ordering.spread(len(column_titles))):
        board.columns.append(BoardColumn(title=title_, position=key, version=1))
    db.session.add(board)
    db.session.flush()
    log.info("board %s created in space %s by %s", board.id, space.id, actor.id)
    return board


def create_column(board, *, title, wip_limit=None, actor) -> BoardColumn:
    errors = FieldErrors()
    title = normalise_name(errors.text("title", title, label="Column title", max_length=TITLE_MAX))
    wip_limit = _wip_limit(wip_limit, errors)
    errors.raise_if_any()
    _lock(board)
    columns = open_columns(board)
    column = BoardColumn(board_id=board.id, title=title, wip_limit=wip_limit, version=1,
                         position=ordering.key_between(columns[-1].position if columns else None, None))
    db.session.add(column)
    db.session.flush()
    db.session.refresh(board, ["columns"])
    note = _note(board, actor, f"added the column “{title}”", column=column, version=1)
    _record(board, "column_created", {"column": column_payload(column)}, note)
    return column


def update_column(column, *, version, title=UNSET, wip_limit=UNSET, done=UNSET, actor) -> BoardColumn:
    """Rename a column, change its work-in-progress limit (None removes it) or mark it done (or not)."""
    board = column.board
    errors = FieldErrors()
    if title is not UNSET:
        title = normalise_name(errors.text("title", title, label="Column title", max_length=TITLE_MAX))
    if wip_limit is not UNSET:
        wip_limit = _wip_limit(wip_limit, errors)
    if done is not UNSET and not isinstance(done, bool):
        errors.add("done", "Say whether the column holds finished cards (true or false).")
    errors.raise_if_any()
    _lock(board, column)
    _check_column(column, version)
    said = []
    if title is not UNSET and title != column.title:
        said.append(f"renamed the column “{column.title}” to “{title}”")
        column.title = title
    if wip_limit is not UNSET and wip_limit != column.wip_limit:
        said.append(f"set the work-in-progress limit of “{column.title}” to {wip_limit}" if wip_limit
                    else f"removed the work-in-progress limit of “{column.title}”")
        column.wip_limit = wip_limit
    if done is not UNSET and done != column.is_done:
        said.append(f"marked “{column.title}” as a done column: its cards are finished" if done
                    else f"unmarked “{column.title}” as a done column")
        column.is_done = done
    if said:
        column.version += 1
        note = _note(board, actor, "; ".join(said), column=column, version=column.version)
        _record(board, "column_updated", {"column": column_payload(column)}, note)
    return column


def move_column(column, *, version, after=None, before=None, actor) -> BoardColumn:
    """Place a column after or before another column of the same board (neither: last)."""
    board = column.board
    _lock(board, column)
    _check_column(column, version)
    if column.is_archived:
        raise ValidationError({"column_id": "An archived column cannot be moved."})
    siblings = [c for c in open_columns(board) if c.id != column.id]
    for neighbour, field in ((after, "after_column_id"), (before, "before_column_id")):
        if neighbour is not None and (neighbour.board_id != board.id or neighbour.is_archived
                                      or neighbour.id == column.id):
            raise ValidationError({field: "Choose another open column of this board."})
    low, high = _gap(siblings, after=after, before=before)
    column.position = ordering.key_between(low, high)
    column.version += 1
    note = _note(board, actor, f"moved the column “{column.title}”", column=column, version=column.version)
    _record(board, "column_moved", {"column": column_payload(column)}, note)
    return column


def archive_column(column, *, version=None, actor) -> BoardColumn:
    """Archive an empty column; its cards must be moved or archived first so none is lost from view."""
    board = column.board
    _lock(board, column)
    if version is not None:
        _check_column(column, version)
    if column.is_archived:
        return column
    count = db.session.scalar(select(func.count(Card.id)).where(Card.column_id == column.id,
                                                                  Card.archived_at.is_(None))) or 0
    if count:
        raise ValidationError({"column_id": f"“{column.title}” still has {count} open card(s): "
                                            "move or archive them first."})
    column.archived_at = utcnow()
    column.version += 1
    note = _note(board, actor, f"archived the column “{column.title}”", column=column, version=column.version)
    _record(board, "column_updated", {"column": column_payload(column)}, note)
    return column


# --- cards ----------------------------------------------------------------------------------

def create_card(board, *, column, title, description="", assignee_ids=(), due_on=None, labels=(),
                actor) -> Card:
    """Add a card at the bottom of `column`; assigned people are told, nobody else."""
    errors = FieldErrors()
    title = normalise_name(errors.text("title", title, label="Title", max_length=TITLE_MAX))
    description = errors.text("description", description, label="Description", max_length=DESCRIPTION_MAX,
                              required=False)
    due_on = parse_due(due_on, errors)
    labels = _labels(labels, errors)
    assignees = _assignees(board, assignee_ids, errors)
    _check_open_column(board, column, errors)
    errors.raise_if_any()
    _lock(board)
    card = Card(board_id=board.id, column_id=column.id, title=title, description=description, due_on=due_on,
                labels=labels, version=1, created_by_id=actor.id,
                position=ordering.key_between(_last_key(column), None))
    card.assignments = [CardAssignee(user_id=u.id) for u in assignees]
    db.session.add(card)
    db.session.flush()
    said = f"created the card in “{column.title}”"
    if assignees:
        said += "; assigned " + ", ".join(u.display_name for u in assignees)
    note = _note(board, actor, said, card=card, version=1)
    _record(board, "card_created", {"card": card_payload(card)}, note)
    _notify_assigned(card, assignees, actor)
    return card


def update_card(card, *, version, title=UNSET, description=UNSET, assignee_ids=UNSET, due_on=UNSET,
                labels=UNSET, actor) -> Card:
    """Change the given fields of a card based on `version`; a stale version is refused with the current card."""
    board = card.board
    errors = FieldErrors()
    if title is not UNSET:
        title = normalise_name(errors.text("title", title, label="Title", max_length=TITLE_MAX))
    if description is not UNSET:
        description = errors.text("description", description, label="Description",
                                  max_length=DESCRIPTION_MAX, required=False)
    if due_on is not UNSET:
        due_on = parse_due(due_on, errors)
    if labels is not UNSET:
        labels = _labels(labels, errors)
    if assignee_ids is not UNSET:
        assignees = _assignees(board, assignee_ids, errors)
    errors.raise_if_any()
    _lock(board, card)
    _check_card(card, version)
    if card.is_archived:
        raise ValidationError({"card": "This card is archived: restore it before editing."})

    said, added = [], []
    if title is not UNSET and title != card.title:
        said.append(f"{RENAMED}{card.title}” to “{title}”")
        card.title = title
    if description is not UNSET and description != card.description:
        said.append(DESCRIBED)
        card.description = description
    if due_on is not UNSET and due_on != card.due_on:
        if card.due_on and due_on:
            said.append(f"due date {_day(card.due_on)} → {_day(due_on)}")
        elif due_on:
            said.append(f"due date set to {_day(due_on)}")
        else:
            said.append(f"due date {_day(card.due_on)} removed")
        card.due_on = due_on
    if labels is not UNSET and labels != list(card.labels or []):
        gone = [lab for lab in card.labels or [] if lab not in labels]
        new = [lab for lab in labels if lab not in (card.labels or [])]
        parts = ([f"added label{'s' if len(new) > 1 else ''} " + ", ".join(new)] if new else []) + \
                ([f"removed label{'s' if len(gone) > 1 else ''} " + ", ".join(gone)] if gone else [])
        said.append("; ".join(parts) or "reordered the labels")
        card.labels = labels
    if assignee_ids is not UNSET:
        before = {a.user_id: a for a in card.assignments}
        wanted = {u.id for u in assignees}
        added = [u for u in assignees if u.id not in before]
        removed = [a.user for uid, a in before.items() if uid not in wanted]
        if added:
            said.append("assigned " + ", ".join(u.display_name for u in added))
        if removed:
            said.append("unassigned " + ", ".join(u.display_name for u in removed))
        card.assignments = [a for a in card.assignments if a.user_id in wanted] + \
                           [CardAssignee(user_id=u.id) for u in added]
    if not said:
        return card
    card.version += 1
    card.updated_at = utcnow()
    db.session.flush()
    note = _note(board, actor, "; ".join(said), card=card, version=card.version)
    _record(board, "card_updated", {"card": card_payload(card)}, note)
    _notify_assigned(card, added, actor)
    return card


def move_card(card, *, to_column, after=None, before=None, version, actor) -> Card:
    """Place a card in `to_column` right after `after` or right before `before` (neither: at the bottom).

    One move writes one card row: its new fractional key lies between its new neighbours.
    """
    board = card.board
    _lock(board, card)
    _check_card(card, version)
    errors = FieldErrors()
    if card.is_archived:
        errors.add("card", "This card is archived: restore it before moving it.")
    _check_open_column(board, to_column, errors)
    if after is not None and before is not None:
        errors.add("after_card_id", "Give the card it goes after or the card it goes before, not both.")
    for neighbour, field in ((after, "after_card_id"), (before, "before_card_id")):
        if neighbour is None:
            continue
        if neighbour.board_id != board.id:
            errors.add(field, f"Card {neighbour.id} is on another board.")
        elif neighbour.id == card.id:
            errors.add(field, "A card cannot go next to itself.")
        elif neighbour.is_archived or neighbour.column_id != to_column.id:
            errors.add(field, f"Card {neighbour.id} is not in the column “{to_column.title}”.")
    errors.raise_if_any()

    siblings = _column_keys(to_column, without=card)
    low, high = _gap(siblings, after=after, before=before)
    collided = low is not None and high is not None and low >= high  # should never happen; repair if it does
    if collided or ordering.needs_rebalance(ordering.key_between(low, high)):
        siblings = _rebalance(board, to_column, without=card)
        low, high = _gap(siblings, after=after, before=before)
    position = ordering.key_between(low, high)
    from_column = card.column
    card.position = position
    card.column_id = to_column.id
    card.version += 1
    card.updated_at = utcnow()
    db.session.flush()
    db.session.refresh(card, ["column"])
    said = (f"moved from “{from_column.title}” to “{to_column.title}”" if from_column.id != to_column.id
            else f"moved within “{to_column.title}”")
    note = _note(board, actor, said, card=card, version=card.version)
    _record(board, "card_moved", {"card": card_payload(card), "from_column_id": from_column.id}, note)
    return card


def archive_card(card, *, version=None, actor) -> Card:
    board = card.board
    _lock(board, card)
    if version is not None:
        _check_card(card, version)
    if card.is_archived:
        return card
    card.archived_at = utcnow()
    card.version += 1
    note = _note(board, actor, "archived the card", card=card, version=card.version)
    _record(board, "card_archived", {"card": card_payload(card)}, note)
    return card


def restore_card(card, *, version=None, actor) -> Card:
    """Bring an archived card back at the bottom of its column (or the first open column)."""
    board = card.board
    _lock(board, card)
    if version is not None:
        _check_card(card, version)
    if not card.is_archived:
        return card
    columns = open_columns(board)
    if not columns:
        raise ValidationError({"card": "The board has no open column to restore the card into."})
    column = card.column if not card.column.is_archived else columns[0]
    card.column_id = column.id
    card.position = ordering.key_between(_last_key(column), None)
    card.archived_at = None
    card.version += 1
    db.session.flush()
    db.session.refresh(card, ["column"])
    note = _note(board, actor, f"restored the card to “{column.title}”", card=card, version=card.version)
    _record(board, "card_restored", {"card": card_payload(card)}, note)
    return card


def add_checklist_item(card, *, text, actor) -> ChecklistItem:
    board = card.board
    errors = FieldErrors()
    text = errors.text("text", text, label="Checklist item", max_length=CHECKLIST_ITEM_MAX)
    errors.raise_if_any()
    _lock(board, card)
    if card.is_archived:
        raise ValidationError({"card": "This card is archived: restore it before changing its checklist."})
    if len(card.checklist) >= CHECKLIST_ITEMS_PER_CARD:
        raise ValidationError({"text": f"A checklist holds at most {CHECKLIST_ITEMS_PER_CARD} items."})
    item = ChecklistItem(text=text, done=False)
    card.checklist.append(item)
    db.session.flush()
    note = _note(board, actor, f"added the checklist item “{text}”", card=card, version=card.version)
    _record(board, "card_updated", {"card": card_payload(card)}, note)
    return item


def set_checklist_item(item, *, done: bool, actor) -> ChecklistItem:
    """Tick or untick; setting (not toggling) means two people ticking at once agree, so no version."""
    card = item.card
    board = card.board
    _lock(board, card, item)
    if card.is_archived:
        raise ValidationError({"card": "This card is archived: restore it before changing its checklist."})
    if item.done == bool(done):
        return item
    item.done = bool(done)
    db.session.flush()
    note = _note(board, actor, f"{'ticked' if done else 'unticked'} “{item.text}”", card=card, version=card.version)
    _record(board, "card_updated", {"card": card_payload(card)}, note)
    return item


# --- internals ------------------------------------------------------------------------------

def _lock(board, *objects) -> None:
    """Serialize writers on this board, then re-read what the write is based on.

    SQLite already serializes writers (BEGIN IMMEDIATE, see database.py); PostgreSQL takes the
    board row's lock until commit. Objects loaded before the lock may be stale, so refresh them:
    a version check must compare against what the previous writer committed.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Board.id).where(Board.id == board.id).with_for_update())
    for obj in (board, *objects):
        db.session.refresh(obj)


def card_moderated(card) -> None:
    """A moderator hid or restored the card: its open pages refresh and show the reason in place (issue 10)."""
    _record(card.board, "card_updated", {"card": card_payload(card)}, None)


def _record(board, name: str, payload: dict, note: BoardActivity | None) -> None:
    """Number the event, keep it in the board's log and publish it once the transaction commits."""
    board.seq += 1
    body = {"board_id": board.id, "seq": board.seq, **payload}
    if note is not None:
        body["activity"] = activity_payload(note)
    db.session.add(BoardEvent(board_id=board.id, seq=board.seq, name=name, payload=body))
    db.session.flush()
    publish(name, body, room=room_for(board))
    if "card" in payload:  # comments (issue 9): a comment made into this card shows its column, live
        from workspace.comments.services import card_changed
        card_changed(payload["card"]["id"])


def _note(board, actor, text: str, *, card=None, column=None, version=None) -> BoardActivity:
    note = BoardActivity(board_id=board.id, card_id=card.id if card else None,
                         column_id=column.id if column else None, version=version, actor_id=actor.id,
                         text=text, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    log.info("board %s: user %s %s", board.id, actor.id, text)
    return note


def _check_card(card, version) -> None:
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationError({"version": "Give the card's version your change is based on."})
    if version != card.version:
        raise Conflict(f"Someone changed this card since you loaded it (version {version}; it is now "
                       f"version {card.version}). Review the current card and apply your change again.",
                       current=card_payload(card, detail=True))


def _check_column(column, version) -> None:
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationError({"version": "Give the column's version your change is based on."})
    if version != column.version:
        raise Conflict(f"Someone changed this column since you loaded it (it is now version {column.version}).",
                       current=column_payload(column))


def _check_open_column(board, column, errors: FieldErrors) -> None:
    if column is None or column.board_id != board.id:
        errors.add("column_id", "Choose a column of this board.")
    elif column.is_archived:
        errors.add("column_id", f"The column “{column.title}” is archived.")


def _gap(siblings, *, after=None, before=None) -> tuple[str | None, str | None]:
    """The keys on either side of the requested place among `siblings` (in order, without the mover)."""
    ids = [s.id for s in siblings]
    if after is not None:
        i = ids.index(after.id)
        return after.position, siblings[i + 1].position if i + 1 < len(siblings) else None
    if before is not None:
        i = ids.index(before.id)
        return siblings[i - 1].position if i > 0 else None, before.position
    return (siblings[-1].position if siblings else None), None


def _column_keys(column, *, without=None) -> list:
    """(id, position) of a column's open cards in order, without loading whole cards."""
    query = select(Card.id, Card.position).where(Card.column_id == column.id, Card.archived_at.is_(None))
    if without is not None:
        query = query.where(Card.id != without.id)
    return sorted(db.session.execute(query), key=lambda row: (row.position, row.id))


def _last_key(column) -> str | None:
    keys = _column_keys(column)
    return keys[-1].position if keys else None


def _rebalance(board, column, *, without) -> list:
    """Re-key a column evenly: only when keys grew too long (or collided); every moved card is announced."""
    cards = sorted(db.session.scalars(select(Card).where(Card.column_id == column.id, Card.archived_at.is_(None),
                                                         Card.id != without.id)),
                   key=lambda c: (c.position, c.id))
    for card, key in zip(cards, ordering.spread(len(cards))):
        if card.position != key:
            card.position = key
            card.version += 1
            db.session.flush()
            _record(board, "card_moved", {"card": card_payload(card), "from_column_id": card.column_id}, None)
    log.info("board %s: rebalanced %s cards in column %s", board.id, len(cards), column.id)
    return cards


def _wip_limit(value, errors: FieldErrors):
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= WIP_LIMIT_MAX:
        errors.add("wip_limit", f"The work-in-progress limit must be a whole number from 1 to {WIP_LIMIT_MAX}, "
                                "or empty for no limit.")
        return None
    return value


def _labels(value, errors: FieldErrors) -> list[str]:
    """Labels from a list or a comma-separated string: trimmed, unique (ignoring case), short."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        errors.add("labels", "Give the labels as a list of short texts.")
        return []
    labels, seen = [], set()
    for raw in value:
        label = " ".join(raw.split())
        if not label or label.casefold() in seen:
            continue
        if len(label) > LABEL_MAX or "\x00" in label:
            errors.add("labels", f"Each label must be at most {LABEL_MAX} characters.")
            return []
        seen.add(label.casefold())
        labels.append(label)
    if len(labels) > LABELS_PER_CARD:
        errors.add("labels", f"A card can have at most {LABELS_PER_CARD} labels.")
    return labels


def _assignees(board, assignee_ids, errors: FieldErrors) -> list[User]:
    """Assignees must be members of the board's space; each refusal names the person."""
    if assignee_ids is None:
        return []
    if not isinstance(assignee_ids, (list, tuple, set)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in assignee_ids):
        errors.add("assignee_ids", "Give the assignees as a list of numeric user ids.")
        return []
    members = {m.user_id: m.user for m in board.space.members}
    users = []
    for user_id in dict.fromkeys(assignee_ids):
        if user_id in members:
            users.append(members[user_id])
            continue
        user = db.session.get(User, user_id)
        who = user.display_name if user is not None else f"User {user_id}"
        errors.add("assignee_ids", f"{who} is not a member of this space, so cannot be assigned.")
    return users


def _notify_assigned(card, users, actor) -> None:
    announce("assigned", recipients=users, actor=actor, subject=card)


def _day(value: date) -> str:
    text = f"{value.day} {value.strftime('%b')}"
    return text if value.year == date.today().year else f"{text} {value.year}"
