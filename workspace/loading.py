"""Load an object by id or refuse with 404, so every route starts the same way."""
from workspace.errors import NotFound
from workspace.extensions import db

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
