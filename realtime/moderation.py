"""The live moderation queue: moderators of a space join its queue room (policy-checked) and receive
`moderation_item_changed` after each flag or action commits. Readers get `comment_hidden` /
`comment_restored` in the rooms they already joined for comments."""
from flask_socketio import join_room

from realtime.registry import current_actor, event
from workspace import policy
from workspace.errors import NotFound, ValidationError
from workspace.loading import find_by_id
from workspace.moderation.services import moderation_room
from workspace.spaces.models import Space


@event("join_moderation")
def join_moderation(data=None):
    """Watch a space's queue: its moderators only."""
    user = current_actor()
    space_id = (data or {}).get("space_id")
    if not isinstance(space_id, int) or isinstance(space_id, bool):
        raise ValidationError({"space_id": "Give the numeric space_id."})
    space = find_by_id(Space, space_id)
    if space is None or not policy.can_view_space(user, space):
        raise NotFound("This space does not exist or is not shared with you.")
    policy.require(policy.can_moderate(user, space), "Only this space's moderators watch its queue.")
    join_room(moderation_room(space))
    return {"ok": True}
