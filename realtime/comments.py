"""Comments over a socket: post a comment or a reply (policy-checked per event, like the page and API).

Server→client events (`comment_created`, `comment_updated`, `comment_resolved`, `comment_deleted`) are
published by the services after commit to the space's room and the card's board or the document's room.
"""
from realtime.registry import current_actor, event
from workspace import policy
from workspace.boards.models import Card
from workspace.comments import services
from workspace.comments.models import Comment
from workspace.comments.schemas import comment_payload
from workspace.errors import NotFound, ValidationError
from workspace.loading import find_by_id
from workspace.spaces.models import Space

TARGETS = ("space_id", "card_id", "parent_id")


@event("create_comment")
def create_comment(data=None):
    """Start a thread (`space_id` or `card_id`) or reply (`parent_id`); `body` is the Markdown."""
    user = current_actor()
    data = data or {}
    given = [k for k in TARGETS if data.get(k) is not None]
    if len(given) != 1:
        raise ValidationError({"target": "Give exactly one of space_id, card_id or parent_id."})
    field = given[0]
    value = data[field]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError({field: f"Give the numeric {field}."})
    body = data.get("body")
    if field == "parent_id":
        parent = find_by_id(Comment, value)
        if parent is None or not policy.can_view_comment(user, parent):
            raise NotFound("This comment does not exist or is not shared with you.")
        _require_comment(user, parent.space)
        comment = services.reply_to(parent, actor=user, body=body)
    elif field == "card_id":
        card = find_by_id(Card, value)
        if card is None or not policy.can_view_board(user, card.board):
            raise NotFound("This card does not exist or is not shared with you.")
        _require_comment(user, card.board.space)
        comment = services.create_comment(space=card.board.space, actor=user, body=body, card=card)
    else:
        space = find_by_id(Space, value)
        if space is None or not policy.can_view_space(user, space):
            raise NotFound("This space does not exist or is not shared with you.")
        _require_comment(user, space)
        comment = services.create_comment(space=space, actor=user, body=body)
    return {"ok": True, "comment": comment_payload(comment)}


def _require_comment(user, space) -> None:
    policy.require(policy.can_comment(user, space), "Only members of this space can comment while it is active.")
