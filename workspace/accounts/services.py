"""Accounts: registration, sign-in sessions, deactivation, API tokens and password resets.

Services take the actor explicitly, validate, mutate and flush; the request wrapper commits.
"""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from workspace.accounts.models import (ApiToken, LoginSession, PasswordReset, SocketConnection,
                                       User)
from workspace.accounts.passwords import hash_password, verify_password
from workspace.accounts.tokens import digest, new_secret
from workspace.database import utcnow
from workspace.errors import ValidationError
from workspace.events import run_after_commit
from workspace.extensions import db, socketio
from workspace.mail import send_mail
from workspace.validation import NAME_MAX, FieldErrors, normalise_name

log = logging.getLogger("convene.accounts")
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
API_TOKEN_PREFIX = "cvn_"


def find_user_by_email(email: str) -> User | None:
    email = (email or "").strip().lower()
    if "\x00" in email:  # PostgreSQL refuses NUL in text, even in a query; no address holds one
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def _check_password(errors: FieldErrors, field: str, password) -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        errors.add(field, f"Password must be at least {PASSWORD_MIN} characters.")
    elif len(password) > PASSWORD_MAX:
        errors.add(field, f"Password must be at most {PASSWORD_MAX} characters.")
    return password if isinstance(password, str) else ""


def register_user(*, email, display_name, password, is_admin: bool = False) -> User | None:
    """Create an account; an address already registered answers the same and warns its owner.

    Returns the new user, or None when the address was taken (the caller must not reveal which).
    """
    errors = FieldErrors()
    email = errors.email("email", email)
    display_name = normalise_name(errors.text("display_name", display_name, label="Display name",
                                              max_length=NAME_MAX))
    password = _check_password(errors, "password", password)
    errors.raise_if_any()

    existing = find_user_by_email(email)
    if existing is not None:
        send_mail(existing.email, "Someone tried to register with your address",
                  "Someone tried to create a Convene account with this email address. You already "
                  "have one: sign in, or reset your password if you forgot it. If this was not you, "
                  "you can ignore this message.")
        log.info("registration attempt for an existing address")
        return None
    user = User(email=email, display_name=display_name, password_hash=hash_password(password),
                is_admin=is_admin)
    db.session.add(user)
    db.session.flush()
    log.info("user %s registered", user.id)
    return user


def authenticate(email, password) -> User | None:
    """Return the active user for these credentials, or None with no hint of which part was wrong."""
    user = find_user_by_email(email) if isinstance(email, str) else None
    if not isinstance(password, str):
        password = ""
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    return user


def start_login_session(user: User, *, user_agent: str = "") -> str:
    """Record a signed-in browser and return the token Flask-Login keeps in its cookies."""
    token = new_secret()
    db.session.add(LoginSession(user_id=user.id, token_hash=digest(token), user_agent=user_agent[:255]))
    db.session.flush()
    user.login_token = token
    return token


def user_for_login_token(token: str | None) -> User | None:
    """Load the user behind a session cookie, refusing revoked sessions and deactivated users."""
    if not token:
        return None
    login = db.session.scalar(select(LoginSession).where(LoginSession.token_hash == digest(token)))
    if login is None or login.revoked_at is not None or not login.user.is_active:
        return None
    user = login.user
    user.login_token = token
    return user


def login_session_for(token: str | None) -> LoginSession | None:
    if not token:
        return None
    return db.session.scalar(select(LoginSession).where(LoginSession.token_hash == digest(token)))


def end_login_session(token: str | None) -> None:
    """Revoke one session: its cookies are refused from now on and its sockets are closed."""
    login = login_session_for(token)
    if login is None or login.revoked_at is not None:
        return
    login.revoked_at = utcnow()
    _close_sockets(SocketConnection.login_session_id == login.id)


def deactivate_user(user: User, *, actor: User | None) -> None:
    """Deactivate an account: every session, token and open socket stops working."""
    now = utcnow()
    user.deactivated_at = now
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.revoked_at.is_(None)).values(revoked_at=now))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    _close_sockets(SocketConnection.user_id == user.id)
    log.info("user %s deactivated by %s", user.id, actor.id if actor else "operator")


def reactivate_user(user: User, *, actor: User) -> None:
    user.deactivated_at = None
    log.info("user %s reactivated by %s", user.id, actor.id)


def _close_sockets(condition) -> None:
    """Disconnect matching sockets after commit, on whichever process holds them."""
    sids = list(db.session.scalars(select(SocketConnection.sid).where(condition)))
    if not sids:
        return

    app = current_app._get_current_object()

    def close():
        # A fresh app context, so a fresh session: the disconnect handler runs right here and must
        # write (presence, socket rows), while the session that called us has just committed.
        with app.app_context():
            for sid in sids:
                socketio.server.disconnect(sid, namespace="/")

    run_after_commit(close)


def revoked_socket_sids() -> list[str]:
    """Sockets still recorded as open whose account, session or token has since been revoked."""
    query = (select(SocketConnection.sid).join(User, User.id == SocketConnection.user_id)
             .outerjoin(LoginSession, LoginSession.id == SocketConnection.login_session_id)
             .outerjoin(ApiToken, ApiToken.id == SocketConnection.api_token_id)
             .where(or_(User.deactivated_at.is_not(None), LoginSession.revoked_at.is_not(None),
                        ApiToken.revoked_at.is_not(None))))
    return list(db.session.scalars(query))


def create_api_token(user: User, *, name) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and only its hash is kept."""
    errors = FieldErrors()
    name = errors.text("name", name, label="Token name", max_length=NAME_MAX)
    errors.raise_if_any()
    secret = new_secret(API_TOKEN_PREFIX)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=digest(secret))
    db.session.add(token)
    db.session.flush()
    log.info("user %s created API token %s", user.id, token.id)
    return token, secret


def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        _close_sockets(SocketConnection.api_token_id == token.id)
        log.info("API token %s revoked by %s", token.id, actor.id)


def api_token_for(secret: str | None) -> ApiToken | None:
    """The live token for a presented secret, or None when unknown, revoked or its owner inactive."""
    if not secret or not isinstance(secret, str):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token


def list_api_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def request_password_reset(email, *, reset_url) -> None:
    """Mail a reset link when the address has an account; answer the same either way."""
    user = find_user_by_email(email) if isinstance(email, str) else None
    if user is None or not user.is_active:
        return
    secret = new_secret()
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(PasswordReset(user_id=user.id, token_hash=digest(secret),
                                 expires_at=utcnow() + timedelta(minutes=minutes)))
    send_mail(user.email, "Reset your Convene password",
              f"Open this link within {minutes} minutes to choose a new password:\n\n"
              f"{reset_url(secret)}\n\nIf you did not ask for this, ignore this message.")


def reset_password(secret, *, password) -> User:
    """Set a new password from a reset link; every existing session is signed out."""
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest(secret or "")))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        raise ValidationError({"token": "This reset link has expired or was already used. Ask for a new one."})
    errors = FieldErrors()
    password = _check_password(errors, "password", password)
    errors.raise_if_any()
    user = db.session.get(User, reset.user_id)
    user.password_hash = hash_password(password)
    reset.used_at = utcnow()
    now = utcnow()
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.revoked_at.is_(None)).values(revoked_at=now))
    _close_sockets(SocketConnection.user_id == user.id)
    return user


def update_profile(user: User, *, display_name) -> None:
    errors = FieldErrors()
    display_name = normalise_name(errors.text("display_name", display_name, label="Display name",
                                              max_length=NAME_MAX))
    errors.raise_if_any()
    user.display_name = display_name
