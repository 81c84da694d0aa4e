"""Who has a space open right now, with their communities in that space."""
from workspace.events import publish, room_for
from workspace.extensions import db
from workspace.presence import services as presence
from workspace.spaces.models import Space
from workspace.spaces.services import member_community_names


def enter_space(space: Space, *, sid: str, user) -> list[dict]:
    presence.enter(room_for(space), sid=sid, user=user)
    return present_in(space)


def leave_space(space: Space, *, sid: str) -> None:
    presence.leave(room_for(space), sid=sid)


def present_in(space: Space) -> list[dict]:
    return [{"user_id": u.id, "display_name": u.display_name,
             "communities": [c.name for c in member_community_names(space, u)]}
            for u in presence.users_in(room_for(space))]


def _announce(room: str) -> None:
    space = db.session.get(Space, int(room.split(":", 1)[1]))
    if space is not None:
        publish("presence_changed", {"space_id": space.id, "present": present_in(space)}, room=room)


presence.register_announcer("space", _announce)
