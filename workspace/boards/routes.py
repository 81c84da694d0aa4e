"""Board pages: the live board, a card's own page, and the form posts that work without JavaScript."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.boards import services
from workspace.boards.forms import (BoardForm, CardForm, ChecklistItemForm, ColumnForm, MoveCardForm,
                                    QuickCardForm, VersionForm)
from workspace.boards.joint import communities_by_user, is_joint
from workspace.boards.schemas import card_payload
from workspace.boards.tiles import board_view
from workspace.boards.models import Board, BoardColumn, ChecklistItem
from workspace.errors import Conflict, ValidationError, show_on_form
from workspace.extensions import db
from workspace.glossary import reading
from workspace.loading import load_board, load_card, load_space, load_visible

bp = Blueprint("boards", __name__)



def load_column(column_id: int) -> BoardColumn:
    return load_visible(BoardColumn, column_id, lambda user, column: policy.can_view_board(user, column.board),
                        "This column")



def require_change(board: Board) -> None:
    policy.require(policy.can_change_board(current_user, board),
                   "Only members of this space can change its boards (archived spaces are read-only).",
                   user=current_user)


def int_or_none(value):
    return int(value) if isinstance(value, str) and value.strip().lstrip("-").isdigit() else None


@bp.route("/spaces/<int:space_id>/boards/new", methods=["GET", "POST"])
@login_required
def create_board(space_id):
    space = load_space(space_id)
    policy.require(policy.can_create_board(current_user, space), "Only members of this space can start a board.",
                   user=current_user)
    form = BoardForm()
    if form.validate_on_submit():
        try:
            board = services.create_board(space, title=form.title.data, goal=form.goal.data, actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            flash(f"Board “{board.title}” created with the columns To do, Doing and Done.", "success")
            return redirect(url_for("boards.show_board", board_id=board.id))
    return render_template("boards/new.html", space=space, form=form), 422 if form.errors else 200


@bp.route("/boards/<int:board_id>")
@login_required
def show_board(board_id):
    return render_board(load_board(board_id))


def render_board(board, *, status=200, card_form=None, card_form_column=None, column_form=None, problem=None):
    """Render the whole board; filtered-out cards are rendered hidden so live updates keep their place."""
    communities_of = communities_by_user(board.space)
    members = sorted((m.user for m in board.space.members), key=lambda u: u.display_name.casefold())
    filters = services.parse_filters(request.args)
    today = date.today()
    can_change = policy.can_change_board(current_user, board)
    view = board_view(board, communities_of=communities_of, names={u.id: u.display_name for u in members},
                      today=today, can_change=can_change, filters=filters, card_matches=services.card_matches)
    columns = services.open_columns(board)
    return render_template(
        "boards/show.html", board=board, columns=columns, view=view, filters=filters,
        done_ids=services.done_column_ids(board, columns),
        members=members, activity=services.activity(board, limit=30), archived=services.archived_cards(board),
        today=today, can_change=can_change, card_form=card_form or QuickCardForm(formdata=None),
        card_form_column=card_form_column, column_form=column_form or ColumnForm(formdata=None),
        problem=problem), status


@bp.route("/boards/<int:board_id>/columns", methods=["POST"])
@login_required
def create_column(board_id):
    board = load_board(board_id)
    require_change(board)
    form = ColumnForm()
    try:
        column = services.create_column(board, title=form.title.data, wip_limit=form.wip_limit.data,
                                        actor=current_user)
    except ValidationError as error:
        show_on_form(form, error)
        return render_board(board, status=422, column_form=form)
    flash(f"Column “{column.title}” added.", "success")
    return redirect(url_for("boards.show_board", board_id=board.id))


@bp.route("/columns/<int:column_id>", methods=["POST"])
@login_required
def update_column(column_id):
    column = load_column(column_id)
    board = column.board
    require_change(board)
    form = ColumnForm()
    try:
        services.update_column(column, version=int_or_none(form.version.data), title=form.title.data,
                               wip_limit=form.wip_limit.data, done=bool(form.done.data), actor=current_user)
    except (ValidationError, Conflict) as error:
        return render_board(board, status=error.status, problem=error.detail)
    return redirect(url_for("boards.show_board", board_id=board.id))


@bp.route("/columns/<int:column_id>/move", methods=["POST"])
@login_required
def move_column(column_id):
    """Move a column one place left or right (the no-JavaScript way to reorder columns)."""
    column = load_column(column_id)
    board = column.board
    require_change(board)
    form = VersionForm()
    columns = services.open_columns(board)
    try:
        if column not in columns:
            raise ValidationError({"column_id": "An archived column cannot be moved."})
        i = columns.index(column)
        if form.direction.data == "left" and i > 0:
            services.move_column(column, version=int_or_none(form.version.data), before=columns[i - 1],
                                 actor=current_user)
        elif form.direction.data == "right" and i + 1 < len(columns):
            services.move_column(column, version=int_or_none(form.version.data), after=columns[i + 1],
                                 actor=current_user)
    except (ValidationError, Conflict) as error:
        return render_board(board, status=error.status, problem=error.detail)
    return redirect(url_for("boards.show_board", board_id=board.id))


@bp.route("/columns/<int:column_id>/archive", methods=["POST"])
@login_required
def archive_column(column_id):
    column = load_column(column_id)
    board = column.board
    require_change(board)
    try:
        services.archive_column(column, version=int_or_none(VersionForm().version.data), actor=current_user)
    except (ValidationError, Conflict) as error:
        return render_board(board, status=error.status, problem=error.detail)
    flash(f"Column “{column.title}” archived.", "success")
    return redirect(url_for("boards.show_board", board_id=board.id))


@bp.route("/boards/<int:board_id>/cards", methods=["POST"])
@login_required
def create_card(board_id):
    board = load_board(board_id)
    require_change(board)
    form = QuickCardForm()
    column_id = int_or_none(form.column_id.data)
    try:
        column = services.column_for(board, column_id)
        services.create_card(board, column=column, title=form.title.data, actor=current_user)
    except ValidationError as error:
        show_on_form(form, error)
        return render_board(board, status=422, card_form=form, card_form_column=column_id)
    # Without JavaScript the page reloads: come back to the same column's field for the next card.
    return redirect(url_for("boards.show_board", board_id=board.id, _anchor=f"new-card-{column.id}"))


def render_card(card, *, form=None, status=200, conflict=None, move_form=None):
    board = card.board
    communities_of = communities_by_user(board.space)
    members = sorted((m.user for m in board.space.members), key=lambda u: u.display_name.casefold())
    if form is None:
        form = CardForm(formdata=None, title=card.title, description=card.description,
                        assignee_ids=[a.user_id for a in card.assignments],
                        due_on=card.due_on.isoformat() if card.due_on else "",
                        labels=", ".join(card.labels or []), version=str(card.version))
    form.assignee_ids.choices = [(u.id, u.display_name + (" (" + ", ".join(c.name for c in communities_of.get(u.id, []))
                                                          + ")" if communities_of.get(u.id) else ""))
                                 for u in members]
    move_form = move_form or MoveCardForm(formdata=None, column_id=card.column_id, version=str(card.version))
    move_form.column_id.choices = [(c.id, c.title) for c in services.open_columns(board)]
    return render_template("boards/card.html", card=card, board=board, form=form, move_form=move_form,
                           glossary=reading.context_for(board.space, current_user),
                           communities_of=communities_of, joint=is_joint(card, communities_of),
                           history=services.card_history(card), conflict=conflict,
                           checklist_form=ChecklistItemForm(formdata=None), action_form=VersionForm(formdata=None),
                           can_change=policy.can_change_board(current_user, board),
                           warning=services.wip_warning(card.column)), status


@bp.get("/cards/<int:card_id>")
@login_required
def show_card(card_id):
    return render_card(load_card(card_id))


@bp.get("/cards/<int:card_id>/fragments")
@login_required
def card_live_fragments(card_id):
    """The live parts of a card's page as they are now, and the card's state, for card.js to swap in."""
    card = load_card(card_id)
    board = card.board
    communities_of = communities_by_user(board.space)
    return render_template("boards/_card_live_fragments.html", card=card, joint=is_joint(card, communities_of),
                           communities_of=communities_of, can_change=policy.can_change_board(current_user, board),
                           history=services.card_history(card),
                           state=dict(card_payload(card, communities_of, detail=True), board_seq=board.seq))


FRAGMENT_MODES = ("annotated", "mine")


@bp.get("/cards/<int:card_id>/glossary/fragments")
@login_required
def card_fragments(card_id):
    """The card's description annotated for this reader (`?mode=mine`: in their words), for a live swap.

    Answers the `[data-glossary-fragment]`s the card page swaps in after `glossary_changed`: the
    description and the popover entries of the terms marked in it.
    """
    card = load_card(card_id)
    mode = request.args.get("mode", "annotated")
    if mode not in FRAGMENT_MODES:
        raise ValidationError({"mode": "Choose “annotated” or “mine”."})
    return render_template("boards/_card_fragments.html", card=card, mode=mode,
                           glossary=reading.context_for(card.board.space, current_user))


@bp.post("/cards/<int:card_id>")
@login_required
def update_card(card_id):
    """Save an edit; if someone changed the card meanwhile, show what changed and keep this edit to re-apply."""
    card = load_card(card_id)
    require_change(card.board)
    form = CardForm()
    based_on = int_or_none(form.version.data)
    try:
        services.update_card(card, version=based_on, title=form.title.data, description=form.description.data,
                             assignee_ids=form.assignee_ids.data or [], due_on=form.due_on.data,
                             labels=form.labels.data, actor=current_user)
    except ValidationError as error:
        show_on_form(form, error)
        return render_card(card, form=form, status=422)
    except Conflict:
        db.session.refresh(card)
        conflict = services.changes_since(card, based_on or 0)
        form.version.data = str(card.version)  # saving again applies this edit over the current card
        return render_card(card, form=form, status=409, conflict=conflict)
    flash("Card saved.", "success")
    return redirect(url_for("boards.show_card", card_id=card.id))


@bp.post("/cards/<int:card_id>/move")
@login_required
def move_card(card_id):
    card = load_card(card_id)
    board = card.board
    require_change(board)
    form = MoveCardForm()
    try:
        column = services.column_for(board, form.column_id.data)
        services.move_card(card, to_column=column, version=int_or_none(form.version.data), actor=current_user)
    except ValidationError as error:
        show_on_form(form, error)
        return render_card(card, move_form=form, status=422)
    except Conflict as error:
        db.session.refresh(card)
        flash(error.detail, "error")
        return render_card(card, status=409)
    warning = services.wip_warning(card.column)
    flash(f"Moved to “{card.column.title}”." + (f" {warning}" if warning else ""), "info" if warning else "success")
    return redirect(url_for("boards.show_card", card_id=card.id))


@bp.post("/cards/<int:card_id>/archive")
@login_required
def archive_card(card_id):
    card = load_card(card_id)
    require_change(card.board)
    try:
        services.archive_card(card, version=int_or_none(VersionForm().version.data), actor=current_user)
    except Conflict as error:
        db.session.refresh(card)
        flash(error.detail, "error")
        return render_card(card, status=409)
    flash("Card archived. You can restore it from the card's page or the board's archive.", "success")
    return redirect(url_for("boards.show_card", card_id=card.id))


@bp.post("/cards/<int:card_id>/restore")
@login_required
def restore_card(card_id):
    card = load_card(card_id)
    require_change(card.board)
    try:
        services.restore_card(card, version=int_or_none(VersionForm().version.data), actor=current_user)
    except (ValidationError, Conflict) as error:
        db.session.refresh(card)
        flash(error.detail, "error")
        return render_card(card, status=error.status)
    flash(f"Card restored to “{card.column.title}”.", "success")
    return redirect(url_for("boards.show_card", card_id=card.id))


@bp.post("/cards/<int:card_id>/checklist")
@login_required
def add_checklist_item(card_id):
    card = load_card(card_id)
    require_change(card.board)
    form = ChecklistItemForm()
    try:
        services.add_checklist_item(card, text=form.text.data, actor=current_user)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
        return render_card(card, status=422)
    return redirect(url_for("boards.show_card", card_id=card.id, _anchor="checklist-heading"))


@bp.post("/checklist-items/<int:item_id>")
@login_required
def set_checklist_item(item_id):
    item = load_visible(ChecklistItem, item_id, lambda user, i: policy.can_view_board(user, i.card.board),
                        "This checklist item")
    require_change(item.card.board)
    try:
        services.set_checklist_item(item, done=VersionForm().done.data in ("1", "y", "true", "on"),
                                    actor=current_user)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
        return render_card(item.card, status=422)
    return redirect(url_for("boards.show_card", card_id=item.card_id, _anchor="checklist-heading"))


@bp.app_context_processor
def _space_boards():
    """Let the space page list its boards with their joint-card counts without the spaces blueprint knowing boards."""
    def space_boards(space):
        return [(board, services.board_summary(board)) for board in services.boards_in(space)]
    return {"space_boards": space_boards}
