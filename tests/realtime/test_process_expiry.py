"""The sockets and presence of a process that stopped beating (killed, crashed) expire; a live one's stay."""
from datetime import timedelta

from sqlalchemy import select

from workspace.accounts.models import SocketConnection
from workspace.accounts.services import find_user_by_email
from workspace.database import utcnow
from workspace.events import pending
from workspace.extensions import db
from workspace.presence import services as presence
from workspace.presence.models import Presence, ProcessSocket, ServerProcess
from workspace.spaces.models import Space


def _socket_of(process: str, sid: str, user, room: str, *, beat_ago: float) -> None:
    db.session.merge(ServerProcess(id=process, heartbeat_at=utcnow() - timedelta(seconds=beat_ago)))
    db.session.add(SocketConnection(sid=sid, user_id=user.id))
    db.session.flush()
    db.session.add(ProcessSocket(sid=sid, process_id=process))
    db.session.add(Presence(sid=sid, room=room, user_id=user.id))
    db.session.flush()


def test_a_silent_process_loses_its_sockets_and_presence_and_the_room_hears_it(app):
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        room = f"space:{space.id}"
        lee, sam = find_user_by_email("lee@policing.test"), find_user_by_email("sam@socialwork.test")
        _socket_of("dead" * 8, "sid-of-dead-process", lee, room, beat_ago=30)
        _socket_of("live" * 8, "sid-of-live-process", sam, room, beat_ago=1)
        assert {u.id for u in presence.users_in(room)} == {lee.id, sam.id}

        expired = presence.expire_dead_processes(dead_after=6)

        assert expired == ["sid-of-dead-process"]
        assert {u.id for u in presence.users_in(room)} == {sam.id}
        assert db.session.get(SocketConnection, "sid-of-dead-process") is None
        assert db.session.get(ServerProcess, "dead" * 8) is None
        assert db.session.get(SocketConnection, "sid-of-live-process") is not None
        announced = [e for e in pending() if not callable(e) and e.name == "presence_changed" and e.room == room]
        assert announced and [p["user_id"] for p in announced[-1].payload["present"]] == [sam.id]


def test_this_process_never_expires_itself_and_beats(app):
    with app.app_context():
        db.session.merge(ServerProcess(id=presence.process_id(), heartbeat_at=utcnow() - timedelta(seconds=60)))
        db.session.flush()
        assert presence.expire_dead_processes(dead_after=6) == []
        presence.beat()
        beat = db.session.get(ServerProcess, presence.process_id()).heartbeat_at
        assert utcnow() - beat < timedelta(seconds=5)
