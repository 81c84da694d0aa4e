"""The board page's card tiles, loaded with three lean queries and rendered without a template per card.

A board of 1,000 cards must render in under 4× an empty board's time (see bench/boards.py).
Loading cards as ORM objects with their assignees and checklists cost about 0.2 ms a card and
rendering each tile through Jinja about 0.3 ms, so tiles are plain rows and their HTML is built
here, every user-supplied text going through `escape`. static/src/board.js builds the same
markup for cards that arrive live; keep the two in step.

The unfiltered view is also cached per process, keyed by the board's `seq` and the time of its
last event: every change to a card or column bumps it (services._record), so a cached view is
never stale, and a rolled-back change cannot leave a view behind under a number that a later
change reuses; the key also holds
everything else the HTML depends on (who may drag, today's date, assignees' names and communities).
"""
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import case, func, select

from workspace.accounts.models import User
from workspace.boards.joint import is_joint_ids
from workspace.boards.models import BoardEvent, Card, CardAssignee, ChecklistItem
from workspace.boards.services import done_column_ids, is_overdue
from workspace.extensions import db


@dataclass
class Tile:
    id: int
    column_id: int
    position: str
    title: str
    due_on: date | None
    labels: list
    version: int
    assignee_ids: list = field(default_factory=list)
    checklist_done: int = 0
    checklist_total: int = 0
    comment_count: int = 0  # comments (issue 9)


@dataclass
class BoardView:
    columns_html: dict  # column id -> Markup of its tiles
    counts: dict        # column id -> open cards
    open_count: int
    joint_count: int
    shown_count: int
    labels: list


_CACHE: "OrderedDict[tuple, BoardView]" = OrderedDict()
_CACHE_SIZE = 32
_CACHE_LOCK = threading.Lock()


def board_view(board, *, communities_of: dict, names: dict, today: date, can_change: bool, filters: dict,
               card_matches) -> BoardView:
    """Everything the board page shows about its cards; unfiltered views come from the cache when fresh."""
    filtered = any(filters.values())
    # seq alone could repeat after a rolled-back change; the event's timestamp makes the key unique.
    stamp = db.session.scalar(select(BoardEvent.created_at).where(BoardEvent.board_id == board.id,
                                                                  BoardEvent.seq == board.seq))
    key = (board.id, board.seq, stamp, can_change, today, _signature(communities_of, names),
           _comments_stamp(board))  # comments (issue 9): a comment changes a tile's count, not the board's seq
    done_ids = done_column_ids(board)  # a column marked done (or not) is an event: seq covers it
    if not filtered:
        with _CACHE_LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
    tiles, extra_names = load_tiles(board, known_names=names)
    names = {**names, **extra_names}
    hidden = ({t.id for t in tiles if not card_matches(t, filters, communities_of, today, done_ids)} if filtered
              else frozenset())
    grouped = group_tiles(tiles)
    view = BoardView(
        columns_html={cid: render_tiles(ts, names=names, communities_of=communities_of, today=today,
                                        can_change=can_change, hidden_ids=hidden, done_ids=done_ids)
                      for cid, ts in grouped.items()},
        counts={cid: len(ts) for cid, ts in grouped.items()}, open_count=len(tiles),
        joint_count=sum(1 for t in tiles if is_joint_ids(t.assignee_ids, communities_of)),
        shown_count=len(tiles) - len(hidden),
        labels=sorted({label for t in tiles for label in t.labels or ()}, key=str.casefold))
    if not filtered:
        with _CACHE_LOCK:
            _CACHE[key] = view
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return view


def _signature(communities_of: dict, names: dict) -> tuple:
    return (tuple(sorted((uid, tuple((c.id, c.name) for c in cs)) for uid, cs in communities_of.items())),
            tuple(sorted(names.items())))


def load_tiles(board, *, known_names=None) -> tuple[list[Tile], dict[int, str]]:
    """The board's open cards as tiles, and the display names of assignees not in `known_names`."""
    open_cards = (Card.board_id == board.id, Card.archived_at.is_(None))
    tiles = {row.id: Tile(*row) for row in db.session.execute(
        select(Card.id, Card.column_id, Card.position, Card.title, Card.due_on, Card.labels, Card.version)
        .where(*open_cards))}
    for card_id, user_id in db.session.execute(
            select(CardAssignee.card_id, CardAssignee.user_id).join(Card).where(*open_cards).order_by(CardAssignee.id)):
        tiles[card_id].assignee_ids.append(user_id)
    for card_id, total, done in db.session.execute(
            select(ChecklistItem.card_id, func.count(), func.sum(case((ChecklistItem.done, 1), else_=0)))
            .join(Card).where(*open_cards).group_by(ChecklistItem.card_id)):
        tiles[card_id].checklist_total, tiles[card_id].checklist_done = total, int(done or 0)
    from workspace.comments.models import Comment  # comments (issue 9): each tile's comment count
    for card_id, count in db.session.execute(
            select(Comment.card_id, func.count()).join(Card, Comment.card_id == Card.id)
            .where(*open_cards, Comment.deleted_at.is_(None)).group_by(Comment.card_id)):
        tiles[card_id].comment_count = count
    user_ids = {uid for t in tiles.values() for uid in t.assignee_ids} - set(known_names or ())
    names = ({uid: name for uid, name in db.session.execute(select(User.id, User.display_name)
                                                            .where(User.id.in_(user_ids)))} if user_ids else {})
    return list(tiles.values()), names


def group_tiles(tiles) -> dict[int, list[Tile]]:
    grouped: dict[int, list[Tile]] = {}
    for tile in tiles:
        grouped.setdefault(tile.column_id, []).append(tile)
    for column in grouped.values():
        column.sort(key=lambda t: (t.position, t.id))  # keys compare as plain strings, never by collation
    return grouped


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def render_tiles(tiles, *, names: dict, communities_of: dict, today: date, can_change: bool,
                 hidden_ids=frozenset(), done_ids=frozenset()) -> Markup:
    """The <li> of each tile, in the given order.

    A tile is one Tab stop: its title link. For people who can move cards, board.js makes the tile
    itself the stop instead (Enter opens the card, Space picks it up) and takes the link out of the
    Tab order; without JavaScript the link stays, so the card can still be opened.
    """
    drag = ' draggable="true" aria-describedby="board-help"' if can_change else ""
    out = []
    for t in tiles:
        joint = is_joint_ids(t.assignee_ids, communities_of)
        community_ids = " ".join(str(c.id) for uid in t.assignee_ids for c in communities_of.get(uid, ()))
        due = t.due_on.isoformat() if t.due_on else ""
        labels = t.labels or []
        parts = [
            f'<li class="board-card{" board-card--joint" if joint else ""}" id="card-{t.id}" '
            f'data-card-id="{t.id}" data-version="{t.version}" data-position="{escape(t.position)}" '
            f'data-assignees="{" ".join(map(str, t.assignee_ids))}" data-communities="{community_ids}" '
            f'data-labels="{escape(_json_list(labels))}" data-due="{due}" data-joint="{"true" if joint else "false"}"'
            f'{" hidden" if t.id in hidden_ids else ""}{drag}>',
            f'<a class="board-card__title" href="/cards/{t.id}">{escape(t.title)}</a>',
        ]
        if joint:
            parts.append(' <span class="joint-badge">Joint</span>')
        if t.assignee_ids:
            parts.append('<ul class="board-card__people">')
            for uid in t.assignee_ids:
                communities = communities_of.get(uid, ())
                suffix = (f' <span class="muted">({escape(", ".join(c.name for c in communities))})</span>'
                          if communities else "")
                parts.append(f"<li>{escape(names.get(uid, ''))}{suffix}</li>")
            parts.append("</ul>")
        if labels:
            parts.append('<ul class="labels">' + "".join(f'<li class="label">{escape(label)}</li>' for label in labels)
                         + "</ul>")
        if t.due_on:
            overdue = is_overdue(t, today, done_ids)
            parts.append(f'<p class="due{" due--overdue" if overdue else ""}">Due <time datetime="{due}">'
                         f'{t.due_on.day} {MONTHS[t.due_on.month - 1]}</time>'
                         f'<span class="due__flag">{" (overdue)" if overdue else ""}</span></p>')
        if t.checklist_total:
            parts.append(f'<p class="checklist-count">Checklist {t.checklist_done}/{t.checklist_total}</p>')
        parts.append(comment_count_html(t.comment_count))  # comments (issue 9)
        parts.append("</li>")
        out.append("".join(parts))
    return Markup("\n".join(out))


def comment_count_html(count: int) -> str:
    """A tile's comment count (board.js keeps it when it rebuilds a tile; comments.js updates it live)."""
    words = "1 comment" if count == 1 else f"{count} comments"
    return f'<p class="comment-count" data-comment-count="{count}"{"" if count else " hidden"}>{words}</p>'


def _comments_stamp(board) -> tuple:
    """How many comments the board's cards have, and the latest change to one (comments, issue 9)."""
    from workspace.comments.models import Comment
    row = db.session.execute(select(func.count(Comment.id), func.max(Comment.id), func.max(Comment.deleted_at))
                             .join(Card, Comment.card_id == Card.id).where(Card.board_id == board.id)).one()
    return tuple(row)


def _json_list(values) -> str:
    return json.dumps(list(values), ensure_ascii=False)
