"""Space rooms: entering one (policy-checked) shows you in its live presence list."""
from flask import request
from flask_socketio import join_room, leave_room

from realtime.registry import current_actor, event
from workspace import policy
from workspace.errors import NotFound, ValidationError
from workspace.events import room_for
from workspace.loading import find_by_id
from workspace.spaces import presence
from workspace.spaces.models import Space


def _load_space(data) -> Space:
    space_id = data.get("space_id") if isinstance(data, dict) else None
    if not isinstance(space_id, int) or isinstance(space_id, bool):
        raise ValidationError({"space_id": "Give the numeric space_id."})
    space = find_by_id(Space, space_id)
    if space is None:
        raise NotFound("This space does not exist or is not shared with you.")
    return space


@event("join_space")
def join_space(data=None):
    """Join a space's room to see who is here and what changes; anyone who may view it may watch."""
    user = current_actor()
    space = _load_space(data)
    policy.require_visible(policy.can_view_space(user, space), "This space")
    present = presence.enter_space(space, sid=request.sid, user=user)
    join_room(room_for(space))
    return {"ok": True, "present": present}


@event("leave_space")
def leave_space(data=None):
    user = current_actor()
    space = _load_space(data)
    policy.require_visible(policy.can_view_space(user, space), "This space")
    leave_room(room_for(space))
    presence.leave_space(space, sid=request.sid)
    return {"ok": True}
