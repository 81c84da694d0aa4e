"""Password hashing with argon2id; parameters come from config so tests can make it cheap."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# A real hash, verified against when the email is unknown, so both answers take as long.
_DUMMY = {}


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["PASSWORD_HASH"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, burn the same time so timing reveals no account."""
    hasher = _hasher()
    if password_hash is None:
        key = tuple(sorted(current_app.config["PASSWORD_HASH"].items()))
        password_hash = _DUMMY.setdefault(key, hasher.hash("not-a-real-password"))
        try:
            hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
