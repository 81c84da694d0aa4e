"""Authenticate once at connect (session cookie or API token); anonymous sockets are refused."""
import logging
import threading

from flask import current_app, request
from flask_login import current_user
# Not the builtin: python-socketio only sends the reason of its own ConnectionRefusedError to the client.
from flask_socketio import ConnectionRefusedError, join_room

from realtime.registry import lifecycle, run_disconnect_hooks
from workspace.accounts import services
from workspace.extensions import db, socketio
from workspace.notices.services import user_room
from workspace.presence import services as presence

log = logging.getLogger("convene.realtime")
SWEEP_SECONDS = 2.0
_sweeper_started = threading.Event()


def _ensure_revocation_sweeper(app) -> None:
    """Start, once per process, the loop that closes sockets whose access was revoked elsewhere.

    A log-out or deactivation in this process closes its sockets at once (accounts.services); this
    catches the rest: the command line, or another process with no message queue to reach us.
    """
    if _sweeper_started.is_set() or app.testing:
        # Not under the test client: its handlers share the test's database connection, which a
        # second thread must never touch (live-server tests run a real server, and the sweeper).
        return
    _sweeper_started.set()
    socketio.start_background_task(_sweep_forever, app)


def _sweep_forever(app) -> None:
    while True:
        socketio.sleep(SWEEP_SECONDS)
        try:
            with app.app_context():
                # This process is alive; the sockets and presence of one that stopped beating are not.
                presence.beat()
                expired = presence.expire_dead_processes(
                    dead_after=app.config.get("PROCESS_DEAD_AFTER_SECONDS", 3 * SWEEP_SECONDS))
                db.session.commit()
                if expired:
                    log.info("expired %s socket(s) of a process that stopped beating", len(expired))
                sids = services.revoked_socket_sids()
                db.session.rollback()
            for sid in sids:
                with app.app_context():
                    socketio.server.disconnect(sid, namespace="/")
                    _forget_if_stale(sid)
        except Exception:
            log.exception("revocation sweep failed; retrying")


def _forget_if_stale(sid: str) -> None:
    """A revoked socket that no process holds (it died with its server) must not be swept forever."""
    if socketio.server.manager.is_connected(sid, "/") or current_app.config["SOCKETIO_MESSAGE_QUEUE"]:
        return
    presence.forget_connection(sid)
    db.session.commit()


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
    join_room(user_room(user.id))  # notices: `notice_count_changed` reaches every socket of this person
    log.info("socket %s connected as user %s", request.sid, user.id)
    _ensure_revocation_sweeper(current_app._get_current_object())


@lifecycle("disconnect")
def on_disconnect(reason=None):
    run_disconnect_hooks(request.sid)
    try:
        presence.forget_connection(request.sid)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not clean up socket %s", request.sid)
