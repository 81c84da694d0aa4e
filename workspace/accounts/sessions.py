"""Sessions a person controls (issue 12): list where they are signed in, end one or all, change the password.

Ending a session revokes its row (its cookies are refused from then on) and closes its open sockets
after the commit, through the same mechanism as signing out (services._close_sockets).
"""
import logging
import re
from datetime import timedelta

from flask import g, request
from flask_login import current_user
from sqlalchemy import select, update

from workspace.accounts import services
from workspace.accounts.models import LoginSession, SocketConnection, User
from workspace.accounts.passwords import hash_password, verify_password
from workspace.database import utcnow
from workspace.errors import ValidationError
from workspace.extensions import db
from workspace.validation import FieldErrors

log = logging.getLogger("convene.accounts")
# Debounce: a page with live updates makes many requests a minute, and each must not write a row.
TOUCH_EVERY = timedelta(minutes=1)

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"), ("python-requests", "a script"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_device(user_agent: str) -> str:
    """A person's words for a browser ("Firefox on Linux"), from its User-Agent; never the raw string."""
    user_agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    if browser is None and re.search(r"HeadlessChrome/", user_agent):
        browser = "Chrome"
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "An unknown browser"


def list_login_sessions(user: User) -> list[LoginSession]:
    """The person's live sessions, most recently used first."""
    query = (select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
             .order_by(LoginSession.last_seen_at.desc().nulls_last(), LoginSession.id.desc()))
    return list(db.session.scalars(query))


def current_login_session(user) -> LoginSession | None:
    token = getattr(user, "login_token", None)
    return services.login_session_for(token) if token else None


def touch_login_session(login: LoginSession, *, ip_address: str) -> None:
    """Record when and from where a session was last used (at most once a minute)."""
    now = utcnow()
    ip_address = (ip_address or "")[:45]
    if login.last_seen_at is None or now - login.last_seen_at >= TOUCH_EVERY or login.ip_address != ip_address:
        login.last_seen_at = now
        login.ip_address = ip_address


def end_session(login: LoginSession, *, actor: User) -> None:
    """Sign one session out: its cookies stop working and its open sockets close after commit."""
    if login.revoked_at is not None:
        return
    login.revoked_at = utcnow()
    db.session.flush()
    services._close_sockets(SocketConnection.login_session_id == login.id)
    log.info("session %s of user %s ended by %s", login.id, login.user_id, actor.id)


def end_other_sessions(user: User, *, keep: LoginSession | None, actor: User) -> int:
    """Sign out every session of `user` but `keep`; return how many were ended."""
    condition = [LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)]
    if keep is not None:
        condition.append(LoginSession.id != keep.id)
    ended = list(db.session.scalars(select(LoginSession.id).where(*condition)))
    if not ended:
        return 0
    db.session.execute(update(LoginSession).where(LoginSession.id.in_(ended)).values(revoked_at=utcnow()))
    services._close_sockets(SocketConnection.login_session_id.in_(ended))
    log.info("user %s ended %d other sessions (by %s)", user.id, len(ended), actor.id)
    return len(ended)


def change_password(user: User, *, current_password, new_password, keep: LoginSession | None,
                    actor: User) -> int:
    """Set a new password after checking the current one; every other session is signed out."""
    errors = FieldErrors()
    if not isinstance(current_password, str) or not verify_password(user.password_hash, current_password):
        errors.add("current_password", "That is not your current password.")
    new_password = services._check_password(errors, "new_password", new_password)
    errors.raise_if_any()
    if new_password == current_password:
        raise ValidationError({"new_password": "Choose a password different from the current one."})
    user.password_hash = hash_password(new_password)
    log.info("user %s changed their password", user.id)
    return end_other_sessions(user, keep=keep, actor=actor)


def register(app) -> None:
    """Keep each signed-in session's "last seen" and address fresh, and give templates the list."""

    @app.before_request
    def _touch_session():
        if request.endpoint in (None, "static") or not current_user.is_authenticated:
            return
        token = g.get("api_token")
        if token is not None:
            now = utcnow()
            if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
                token.last_used_at = now
            return
        login = current_login_session(current_user)
        if login is not None and login.revoked_at is None:
            touch_login_session(login, ip_address=request.remote_addr or "")

    app.jinja_env.globals.update(describe_device=describe_device, list_login_sessions=list_login_sessions,
                                 current_login_session=current_login_session)

