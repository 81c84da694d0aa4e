"""Every client→server event, each wrapped in the same load → check → act → commit shape.

Handlers are collected here first and bound when the app's SocketIO exists, so the permission
table test can enumerate exactly what a client may send.
"""
import functools
import logging

from flask import request
from sqlalchemy import select

from workspace.accounts.models import ApiToken, LoginSession, SocketConnection, User
from workspace.errors import DomainError, NotAuthenticated, ValidationError, socket_refusal
from workspace.extensions import db

log = logging.getLogger("convene.realtime")
EVENTS: dict[str, callable] = {}
_LIFECYCLE: dict[str, callable] = {}


def current_actor():
    """The user behind this socket, re-checked on every event so revocation takes effect at once."""
    connection = db.session.get(SocketConnection, request.sid)
    if connection is None:
        raise NotAuthenticated("This connection is not signed in; reconnect.")
    user = db.session.get(User, connection.user_id)
    revoked = False
    if connection.login_session_id is not None:
        revoked = db.session.scalar(select(LoginSession.revoked_at).where(
            LoginSession.id == connection.login_session_id)) is not None
    if connection.api_token_id is not None:
        revoked = db.session.scalar(select(ApiToken.revoked_at).where(
            ApiToken.id == connection.api_token_id)) is not None
    if user is None or not user.is_active or revoked:
        raise NotAuthenticated("Your session has ended; sign in again.")
    return user


def event(name: str, *, raw: bool = False):
    """Register a client→server event; the handler returns a dict ack, or raises a DomainError.

    Events take one JSON object unless `raw` (e.g. `document_message`, which carries an id and bytes).
    """

    def decorate(handler):
        @functools.wraps(handler)
        def wrapper(*args):
            try:
                data = args[0] if args else None
                if not raw and (len(args) > 1 or (data is not None and not isinstance(data, dict))):
                    raise ValidationError({"data": "Send a JSON object."})
                ack = handler(*args)
                db.session.commit()
                return ack if ack is not None else {"ok": True}
            except DomainError as error:
                db.session.rollback()
                return socket_refusal(error)
            except Exception:
                db.session.rollback()
                log.exception("socket event %s failed", name)
                return {"ok": False, "error": "Something went wrong on the server; nothing was changed."}

        EVENTS[name] = wrapper
        return wrapper

    return decorate


def lifecycle(name: str):
    """Register connect/disconnect, which Socket.IO calls with its own signatures."""

    def decorate(handler):
        _LIFECYCLE[name] = handler
        return handler

    return decorate


_DISCONNECT_HOOKS: list[callable] = []


def on_disconnect(hook):
    """Run `hook(sid)` when a socket closes (inside the disconnect handler's transaction)."""
    _DISCONNECT_HOOKS.append(hook)
    return hook


def run_disconnect_hooks(sid: str) -> None:
    for hook in _DISCONNECT_HOOKS:
        try:
            hook(sid)
        except Exception:
            log.exception("disconnect hook %s failed for %s", hook.__name__, sid)


def bind(socketio) -> None:
    for name, handler in {**_LIFECYCLE, **EVENTS}.items():
        socketio.on_event(name, handler)
