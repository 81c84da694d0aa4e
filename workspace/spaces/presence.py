"""Live presence: who has a space open right now, kept in the database so every process agrees."""
from sqlalchemy import delete, select

from workspace.accounts.models import SocketConnection, User
from workspace.events import publish, room_for
from workspace.extensions import db
from workspace.spaces.models import Space, SpacePresence
from workspace.spaces.services import member_community_names


def record_connection(sid: str, user: User, *, login_session_id=None, api_token_id=None) -> None:
    db.session.merge(SocketConnection(sid=sid, user_id=user.id, login_session_id=login_session_id,
                                      api_token_id=api_token_id))
    db.session.flush()


def forget_connection(sid: str) -> None:
    """Drop a closed socket and tell each space it was in who remains."""
    space_ids = list(db.session.scalars(select(SpacePresence.space_id).where(SpacePresence.sid == sid)))
    db.session.execute(delete(SpacePresence).where(SpacePresence.sid == sid))
    db.session.execute(delete(SocketConnection).where(SocketConnection.sid == sid))
    for space_id in space_ids:
        space = db.session.get(Space, space_id)
        if space is not None:
            _announce(space)


def enter_space(space: Space, *, sid: str, user: User) -> list[dict]:
    if db.session.get(SpacePresence, (sid, space.id)) is None:
        db.session.add(SpacePresence(sid=sid, space_id=space.id, user_id=user.id))
        db.session.flush()
        _announce(space)
    return present_in(space)


def leave_space(space: Space, *, sid: str) -> None:
    result = db.session.execute(delete(SpacePresence).where(SpacePresence.sid == sid,
                                                            SpacePresence.space_id == space.id))
    if result.rowcount:
        _announce(space)


def present_in(space: Space) -> list[dict]:
    """One entry per person (several tabs count once), with their communities in this space."""
    users = db.session.scalars(select(User).where(User.id.in_(
        select(SpacePresence.user_id).where(SpacePresence.space_id == space.id))).order_by(User.display_name))
    return [{"user_id": u.id, "display_name": u.display_name,
             "communities": [c.name for c in member_community_names(space, u)]} for u in users]


def _announce(space: Space) -> None:
    db.session.flush()
    publish("presence_changed", {"space_id": space.id, "present": present_in(space)}, room=room_for(space))
