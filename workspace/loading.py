"""Load an object by id or refuse with 404, so every route starts the same way."""
from workspace.errors import NotFound
from workspace.extensions import db


def load_or_404(model, object_id, what: str | None = None):
    obj = db.session.get(model, object_id) if isinstance(object_id, int) else None
    if obj is None:
        raise NotFound(f"{what or model.__name__} {object_id} does not exist.")
    return obj
