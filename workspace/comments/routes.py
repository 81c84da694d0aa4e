"""Comment pages: post, reply, edit, delete, resolve, make a card (forms that work without JavaScript).

Each post answers a redirect to the comment (no JavaScript) or, when the page's script asks for JSON
(`Accept: application/json`), `{"ok": true, "thread_id", "comment_id"}` / 422 with `errors` beside
the field. A refused form without JavaScript gets a page with the text kept and the reason beside it.
`GET /comments/<id>/thread` answers one thread as HTML for this reader (glossary marks are per reader):
alone when the page's script asks (it swaps it in when a live comment event arrives), else as a whole page.
"""
from flask import Blueprint, jsonify, make_response, redirect, render_template, request
from flask_login import current_user, login_required

from workspace import policy
from workspace.boards.joint import communities_by_user
from workspace.boards.models import BoardColumn
from workspace.comments import models, services  # noqa: F401  (the tables exist wherever the app does)
from workspace.comments.mentions import mentionable
from workspace.comments.rendering import reader_body_html, revision_html
from workspace.errors import ValidationError
from workspace.glossary import reading
from workspace.loading import find_by_id, load_card, load_space, load_visible

bp = Blueprint("comments", __name__)


def load_comment(comment_id) -> models.Comment:
    return load_visible(models.Comment, comment_id, policy.can_view_comment, "This comment")


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def done(comment, status: int = 200):
    thread_id = comment.parent_id or comment.id
    if wants_json():
        return jsonify({"ok": True, "thread_id": thread_id, "comment_id": comment.id}), status
    return redirect(services.comment_url(comment), code=303)


def refused(error: ValidationError, *, action: str, body: str = "", label: str = "Comment", back: str = "/",
            heading: str = ""):
    """Say why nothing was saved, beside the field, keeping what was typed."""
    if wants_json():
        return jsonify({"ok": False, "error": error.detail, "errors": error.errors}), error.status
    return render_template("comments/refused.html", error=error, action=action, body=body, label=label,
                           back=back, heading=heading), error.status


def require_comment(space) -> None:
    policy.require(policy.can_comment(current_user, space),
                   "Only members of this space can comment while it is active.", user=current_user)


# --- posting ------------------------------------------------------------------------------

@bp.post("/spaces/<int:space_id>/comments")
@login_required
def create_space_comment(space_id):
    space = load_space(space_id)
    require_comment(space)
    body = request.form.get("body", "")
    try:
        comment = services.create_comment(space=space, actor=current_user, body=body)
    except ValidationError as error:
        return refused(error, action=request.path, body=body, back=f"/spaces/{space.id}#discussion-heading")
    return done(comment, 201 if wants_json() else 303)


@bp.post("/cards/<int:card_id>/comments")
@login_required
def create_card_comment(card_id):
    card = load_card(card_id)
    space = card.board.space
    require_comment(space)
    body = request.form.get("body", "")
    try:
        comment = services.create_comment(space=space, actor=current_user, body=body, card=card)
    except ValidationError as error:
        return refused(error, action=request.path, body=body, back=f"/cards/{card.id}#comments-heading")
    return done(comment, 201 if wants_json() else 303)


@bp.post("/comments/<int:comment_id>/replies")
@login_required
def reply_to_comment(comment_id):
    comment = load_comment(comment_id)
    require_comment(comment.space)
    body = request.form.get("body", "")
    try:
        reply = services.reply_to(comment, actor=current_user, body=body)
    except ValidationError as error:
        return refused(error, action=request.path, body=body, label="Reply", back=services.comment_url(comment))
    return done(reply, 201 if wants_json() else 303)


@bp.post("/comments/<int:comment_id>/edit")
@login_required
def edit_comment(comment_id):
    comment = load_comment(comment_id)
    policy.require(policy.can_edit_comment(current_user, comment), "You can only edit your own comments.",
                   user=current_user)
    body = request.form.get("body", "")
    try:
        services.edit_comment(comment, actor=current_user, body=body)
    except ValidationError as error:
        return refused(error, action=request.path, body=body, label="Your comment",
                       back=services.comment_url(comment))
    return done(comment)


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id):
    comment = load_comment(comment_id)
    policy.require(policy.can_delete_comment(current_user, comment), "You can only delete your own comments.",
                   user=current_user)
    services.delete_comment(comment, actor=current_user)
    return done(comment)


@bp.post("/comments/<int:comment_id>/resolve")
@login_required
def resolve_thread(comment_id):
    comment = load_comment(comment_id)
    policy.require(policy.can_resolve_thread(current_user, comment),
                   "Only members of this space can resolve its threads.", user=current_user)
    try:
        services.resolve_thread(comment, actor=current_user)
    except ValidationError:
        pass  # someone else resolved it a moment ago: the page shows it resolved, which is what was wanted
    return done(comment.root)


@bp.post("/comments/<int:comment_id>/reopen")
@login_required
def reopen_thread(comment_id):
    comment = load_comment(comment_id)
    policy.require(policy.can_resolve_thread(current_user, comment),
                   "Only members of this space can reopen its threads.", user=current_user)
    try:
        services.reopen_thread(comment, actor=current_user)
    except ValidationError:
        pass  # already open: nothing to do
    return done(comment.root)


@bp.post("/comments/<int:comment_id>/card")
@login_required
def make_card(comment_id):
    comment = load_comment(comment_id)
    require_comment(comment.space)
    column = find_by_id(BoardColumn, _int(request.form.get("column_id")))
    if column is None or not policy.can_view_board(current_user, column.board):
        return refused(ValidationError({"column_id": "Choose a column of one of this space's boards."}),
                       action=request.path, back=services.comment_url(comment), heading="The card was not made")
    policy.require(policy.can_comment_to_card(current_user, comment, column.board),
                   "Only members of this space can add cards to its boards.", user=current_user)
    try:
        services.comment_to_card(comment, board=column.board, column=column, actor=current_user)
    except ValidationError as error:
        return refused(error, action=request.path, back=services.comment_url(comment), heading="The card was not made")
    return done(comment)


def _int(value):
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


# --- reading ------------------------------------------------------------------------------

@bp.get("/comments/<int:comment_id>/thread")
@login_required
def show_thread(comment_id):
    """One thread for this reader (their glossary marks), with every reply and its forms.

    A page's script (`X-Requested-With`, static/src/lib/comments.js) gets the thread alone to swap in after a
    live event; a link followed gets a whole page, which is where a document's threads send people without
    JavaScript (the document page writes each form once, for its script to copy: h9perf).
    """
    comment = load_comment(comment_id)
    root = comment.root
    fragment = is_fetched_by_script()
    response = make_response(render_template(
        "comments/_thread_fragment.html" if fragment else "comments/thread.html", root=root, space=root.space,
        place=root.target_kind, cmode=reading_mode(), back=services.comment_url(root),
        **({"place_path": services.comment_url(root).partition("#")[0]} if fragment else {})))  # flags come back there
    response.vary.add("X-Requested-With")  # the same address answers a fragment or a page
    return response


def is_fetched_by_script() -> bool:
    return bool(request.headers.get("X-Requested-With"))


def reading_mode() -> str:
    """The page's "Read in my words" choice, sent by its script as `?mode=mine`."""
    return "mine" if request.args.get("mode") == "mine" else "annotated"


@bp.get("/comments/bodies")
@login_required
def reader_bodies():
    """Every comment body of one place (`space`, `card` or `document`) for this reader, in `mode`.

    The page's "Read in my words" toggle swaps these in (`data-glossary-fragment="comment-N"`), one
    request for the whole place rather than one per thread.
    """
    from workspace.comments.views import thread_views
    from workspace.loading import load_document
    kinds = {"space": load_space, "card": load_card, "document": load_document}
    given = [(kind, request.args[kind]) for kind in kinds if kind in request.args]
    if len(given) != 1 or not given[0][1].isdigit():
        raise ValidationError({"place": "Ask for the comments of one space, card or document by its id."})
    kind, value = given[0]
    target = kinds[kind](int(value))
    space = target if kind == "space" else target.board.space if kind == "card" else target.space
    threads = thread_views(target)
    return render_template("comments/_bodies.html", threads=threads, space=space, cmode=reading_mode())


def register(app) -> None:
    """Template helpers: the threads of a place, a body for this reader, who can be mentioned."""

    @app.template_global("comment_threads")
    def comment_threads(target):
        from workspace.comments.views import thread_views
        return thread_views(target)  # lean, read-only

    @app.template_global("comment_count")
    def comment_count(target):
        return services.comment_count(target)

    @app.template_global("comment_body")
    def comment_body(comment, glossary=None, mode="annotated"):
        return reader_body_html(comment, glossary, mode)  # marks cached per compiled glossary (comments-perf)

    @app.template_global("comment_revision_body")
    def comment_revision_body(revision):
        return revision_html(revision)

    @app.template_global("comment_communities")
    def comment_communities(space):
        return communities_by_user(space)

    @app.template_global("comment_card_targets")
    def comment_card_targets(space):
        """Each board of the space with its open columns, for "Make a card" (once per request, not per comment)."""
        from flask import g
        from workspace.boards.services import boards_in, open_columns
        cache = g.setdefault("comment_card_targets", {})
        if space.id not in cache:
            cache[space.id] = [(board, open_columns(board)) for board in boards_in(space)]
        return cache[space.id]

    @app.template_global("comment_glossary")
    def comment_glossary(space):
        """A reading context of its own, so the popover entries below the comments are exactly theirs."""
        return reading.context_for(space, current_user)

    @app.template_global("mention_candidates")
    def mention_candidates(space):
        people, communities = mentionable(space)
        of = communities_by_user(space, [p.id for p in people])
        return {"people": [{"name": p.display_name, "communities": [c.name for c in of.get(p.id, [])]}
                           for p in sorted(people, key=lambda u: u.display_name.casefold())],
                "communities": [{"name": c.name} for c in communities]}
