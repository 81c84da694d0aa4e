"""Load an object by id or refuse with 404, so every route starts the same way.

The `load_*` helpers also check that the current user may see the object: routes, the API and
the pages all load through them, so a hidden object gets the same 404 as a missing one everywhere.
"""
from flask_login import current_user

from workspace import policy
from workspace.boards.models import Board, Card
from workspace.documents.models import Document
from workspace.errors import NotFound
from workspace.extensions import db
from workspace.glossary.models import Term
from workspace.spaces.models import Space

# The largest id a database integer column holds; a client may send any number (10**30 is valid
# JSON and a valid URL), and one beyond this cannot exist, so it must be "not found", not a crash.
ID_MAX = 2**63 - 1


def find_by_id(model, object_id):
    """Return the object with this id, or None for any id that names nothing, however absurd."""
    if not isinstance(object_id, int) or isinstance(object_id, bool) or not 0 < object_id <= ID_MAX:
        return None
    return db.session.get(model, object_id)


def load_or_404(model, object_id, what: str | None = None):
    obj = find_by_id(model, object_id)
    if obj is None:
        raise NotFound(f"{what or model.__name__} {object_id} does not exist.")
    return obj


def load_visible(model, object_id, can_view, what: str):
    """Load an object `can_view(current_user, obj)` allows; otherwise the same 404 as a missing one."""
    obj = find_by_id(model, object_id)
    policy.require_visible(obj is not None and can_view(current_user, obj), what)
    return obj


def load_space(space_id):
    return load_visible(Space, space_id, policy.can_view_space, "This space")


def load_document(document_id):
    return load_visible(Document, document_id, policy.can_view_document, "This document")


def load_board(board_id):
    return load_visible(Board, board_id, policy.can_view_board, "This board")


def load_card(card_id):
    return load_visible(Card, card_id, lambda user, card: policy.can_view_board(user, card.board), "This card")


def load_term(term_id):
    return load_visible(Term, term_id, policy.can_view_term, "This term")


# --- activities (issue 11) ------------------------------------------------------------------

def load_activity(activity_id):
    from workspace.activities.models import Activity
    return load_visible(Activity, activity_id, policy.can_view_activity, "This activity")
