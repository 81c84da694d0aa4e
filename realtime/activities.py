"""Activity rooms: watch an activity live, and tick its steps (policy-checked per event)."""
from flask_socketio import join_room, leave_room

from realtime.registry import current_actor, event
from workspace import policy
from workspace.activities import services
from workspace.activities.models import Activity
from workspace.errors import NotFound, ValidationError
from workspace.events import room_for
from workspace.loading import find_by_id


def _visible_activity(user, data) -> Activity:
    activity_id = data.get("activity_id") if isinstance(data, dict) else None
    if not isinstance(activity_id, int) or isinstance(activity_id, bool):
        raise ValidationError({"activity_id": "Give the numeric activity_id."})
    activity = find_by_id(Activity, activity_id)
    if activity is None or not policy.can_view_activity(user, activity):
        raise NotFound("This activity does not exist or is not shared with you.")
    return activity


@event("join_activity")
def join_activity(data=None):
    """Watch an activity; the ack carries its current state, so nothing ticked before joining is missed."""
    user = current_actor()
    activity = _visible_activity(user, data)
    join_room(room_for(activity))
    return {"ok": True, "activity": services.activity_payload(activity)}


@event("leave_activity")
def leave_activity(data=None):
    activity = _visible_activity(current_actor(), data)
    leave_room(room_for(activity))
    return {"ok": True}


@event("tick_step")
def tick_step(data=None):
    """Tick or untick a step like POST /api/v1/activities/{id}/steps/{n}/done."""
    user = current_actor()
    activity = _visible_activity(user, data)
    policy.require(policy.can_tick_activity_step(user, activity),
                   "Only members of this space can tick steps of an open activity.")
    step = services.set_step_done(activity, number=data.get("number"), done=data.get("done", True), actor=user)
    return {"ok": True, "step": services.step_payload(step)}
