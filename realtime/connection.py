"""Authenticate once at connect (session cookie or API token); anonymous sockets are refused."""
import logging

from flask import request
from flask_login import current_user
# Not the builtin: python-socketio only sends the reason of its own ConnectionRefusedError to the client.
from flask_socketio import ConnectionRefusedError

from realtime.registry import lifecycle, run_disconnect_hooks
from workspace.accounts import services
from workspace.extensions import db
from workspace.presence import services as presence

log = logging.getLogger("convene.realtime")


@lifecycle("connect")
def on_connect(auth=None):
    token = auth.get("token") if isinstance(auth, dict) else None
    login_session_id = api_token_id = None
    if token:
        api_token = services.api_token_for(token)
        if api_token is None:
            raise ConnectionRefusedError("The API token is unknown or revoked.")
        user, api_token_id = api_token.user, api_token.id
    elif current_user.is_authenticated and current_user.is_active:
        user = current_user._get_current_object()
        login = services.login_session_for(user.login_token)
        login_session_id = login.id
    else:
        raise ConnectionRefusedError("Sign in first: Convene does not accept anonymous connections.")
    presence.record_connection(request.sid, user, login_session_id=login_session_id, api_token_id=api_token_id)
    db.session.commit()
    log.info("socket %s connected as user %s", request.sid, user.id)


@lifecycle("disconnect")
def on_disconnect(reason=None):
    run_disconnect_hooks(request.sid)
    try:
        presence.forget_connection(request.sid)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not clean up socket %s", request.sid)
