"""Services publish here; events reach Socket.IO rooms only after their transaction commits.

A client must never see state that was rolled back, so `publish` queues the event on the
database session and the session's after_commit hook delivers it; a rollback discards it.
"""
import logging
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

from workspace.extensions import db, socketio

log = logging.getLogger(__name__)
_KEY = "convene_pending_events"


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict
    room: str
    skip_sid: str | None = None


def publish(name: str, payload: dict, *, room: str, skip_sid: str | None = None) -> None:
    """Queue a server→client event for delivery after the current transaction commits."""
    db.session.info.setdefault(_KEY, []).append(Event(name, payload, room, skip_sid))


def pending() -> list[Event]:
    """Events queued in the current transaction (for tests and diagnostics)."""
    return list(db.session.info.get(_KEY, []))


def run_after_commit(callback) -> None:
    """Run a side effect (mail, socket disconnects) only once the transaction has committed."""
    db.session.info.setdefault(_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    queued = session.info.pop(_KEY, [])
    for item in queued:
        try:
            if callable(item):
                item()
            else:
                socketio.emit(item.name, item.payload, to=item.room, skip_sid=item.skip_sid)
        except Exception:  # delivery must never undo a commit that already happened
            log.exception("could not deliver %r after commit", item)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_KEY, None)


def room_for(obj) -> str:
    """The Socket.IO room that everyone looking at `obj` joins."""
    return f"{type(obj).__name__.lower()}:{obj.id}"
