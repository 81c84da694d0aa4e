"""What a notice can point at: each subject type says how to load it, name it and link to it.

A notice stores only its subject's type and id; the name is looked up when the notice is shown, so it
is always the current one. Domains register their types here (`register_subject`); a notice whose
type nobody registered falls back to the name stored when it was made.

    register_subject("comment", Comment, name=lambda c: c.excerpt, url=lambda c: f"/comments/{c.id}",
                     parent=lambda c: c.document or c.card or c.space, space=lambda c: c.space)
"""
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select

from workspace.extensions import db

REMOVED = "(removed)"


@dataclass(frozen=True)
class SubjectType:
    name: str  # the type's key, stored in notices.subject_type
    model: type
    title: Callable  # obj -> its current name, as plain text
    url: Callable  # obj -> a site-relative URL ("/cards/12")
    parent: Callable | None = None  # obj -> the thing it belongs to, for grouping (a comment's document)
    space: Callable | None = None  # obj -> its space, or None
    context: Callable | None = None  # obj -> a phrase placing it (" on the board “Pilot”"), or ""


_BY_NAME: dict[str, SubjectType] = {}
_BY_MODEL: dict[type, SubjectType] = {}


def register_subject(name: str, model: type, *, title, url, parent=None, space=None, context=None) -> None:
    """Let notices point at `model` objects under the key `name` (re-registering replaces it)."""
    entry = SubjectType(name, model, title, url, parent, space, context)
    _BY_NAME[name] = entry
    _BY_MODEL[model] = entry


def subject_type(name: str) -> SubjectType | None:
    return _BY_NAME.get(name)


def type_of(obj) -> tuple[str, SubjectType | None]:
    """The key a notice stores for `obj`, and its registration (None for an unregistered type)."""
    entry = _BY_MODEL.get(type(obj))
    if entry is not None:
        return entry.name, entry
    return (getattr(obj, "__tablename__", None) or type(obj).__name__.lower())[:32], None


def title_of(obj) -> str:
    entry = _BY_MODEL.get(type(obj))
    if entry is not None:
        return entry.title(obj)
    return str(getattr(obj, "title", None) or getattr(obj, "name", None) or
               f"{type(obj).__name__.lower()} {getattr(obj, 'id', '')}".strip())


def url_of(obj) -> str:
    entry = _BY_MODEL.get(type(obj))
    return entry.url(obj) if entry is not None else ""


def group_of(obj):
    """The thing notices about `obj` are grouped under: its parent when it has one, else itself."""
    entry = _BY_MODEL.get(type(obj))
    if entry is not None and entry.parent is not None:
        parent = entry.parent(obj)
        if parent is not None:
            return parent
    return obj


def space_of(obj):
    entry = _BY_MODEL.get(type(obj))
    return entry.space(obj) if entry is not None and entry.space is not None else None


def load_all(refs) -> dict[tuple[str, int], object]:
    """Load every (type, id) in `refs` with one query per type; missing and unknown ones are left out."""
    wanted = defaultdict(set)
    for kind, object_id in refs:
        if kind in _BY_NAME and object_id is not None:
            wanted[kind].add(object_id)
    found = {}
    for kind, ids in wanted.items():
        model = _BY_NAME[kind].model
        for chunk in _chunks(sorted(ids), 500):
            for obj in db.session.scalars(select(model).where(model.id.in_(chunk))):
                found[(kind, obj.id)] = obj
    return found


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- Convene's own subject types ------------------------------------------------------------

def register_builtin() -> None:
    """Register the types that existed before the notification centre (others register their own)."""
    from workspace.boards.models import Board, Card
    from workspace.communities.models import Community, JoinRequest
    from workspace.documents.models import Document
    from workspace.spaces.models import Space

    register_subject("space", Space, title=lambda s: s.title, url=lambda s: f"/spaces/{s.id}",
                     space=lambda s: s)
    register_subject("community", Community, title=lambda c: c.name, url=lambda c: f"/communities/{c.slug}")
    # A join request is named by its community: "Maria asks to join “Social Work”".
    register_subject("join_request", JoinRequest, title=lambda r: r.community.name,
                     url=lambda r: f"/communities/{r.community.slug}", parent=lambda r: r.community)
    register_subject("board", Board, title=lambda b: b.title, url=lambda b: f"/boards/{b.id}",
                     space=lambda b: b.space)
    register_subject("card", Card, title=lambda c: c.title, url=lambda c: f"/cards/{c.id}",
                     space=lambda c: c.board.space, context=lambda c: f" on the board “{c.board.title}”")
    register_subject("document", Document, title=lambda d: d.title, url=lambda d: f"/documents/{d.id}",
                     space=lambda d: d.space)
    _register_comments()


def _register_comments() -> None:
    """Comments are named by what they are on, so "4 new comments on “Joint response…”" groups them."""
    from workspace.comments.models import Comment

    def on(comment):
        return comment.document or comment.card or comment.space

    def url(comment):
        where = (f"/documents/{comment.document_id}" if comment.document_id else
                 f"/cards/{comment.card_id}" if comment.card_id else f"/spaces/{comment.space_id}")
        return f"{where}#comment-{comment.id}"

    register_subject("comment", Comment, title=lambda c: title_of(on(c)), url=url, parent=on,
                     space=lambda c: c.space)
