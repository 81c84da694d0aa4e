"""JSON API v1: the same services as the pages, answered as JSON, errors as RFC 9457 problems."""
from flask import Blueprint, request

from workspace.errors import ValidationError
from workspace.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token clients cannot hold a CSRF token; cookie callers are checked in accounts/auth.py instead.
csrf.exempt(bp)


def json_body() -> dict:
    """The request's JSON object, or a 422 that says what was wrong with it."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser's stack: still only a bad body
        data = None
    if not isinstance(data, dict):
        raise ValidationError({"body": "Send a JSON object with Content-Type: application/json."})
    return data


def int_list(data: dict, field: str) -> list[int]:
    value = data.get(field)
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationError({field: "Give a list of numeric ids."})
    return value


def int_field(data: dict, field: str) -> int:
    value = data.get(field)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError({field: "Give a numeric id."})
    return value


from workspace.api import openapi  # noqa: E402,F401  (routes register on bp)
from workspace.accounts import api as _accounts_api  # noqa: E402,F401
from workspace.communities import api as _communities_api  # noqa: E402,F401
from workspace.spaces import api as _spaces_api  # noqa: E402,F401
from workspace.documents import api as _documents_api  # noqa: E402,F401
from workspace.glossary import api as _glossary_api  # noqa: E402,F401
from workspace.boards import api as _boards_api  # noqa: E402,F401
from workspace.notices import api as _notices_api  # noqa: E402,F401
from workspace.comments import api as _comments_api  # noqa: E402,F401  (comments, issue 9)
from workspace.moderation import api as _moderation_api  # noqa: E402,F401  (moderation, issue 10)
from workspace.activities import api as _activities_api  # noqa: E402,F401  (issue 11)
