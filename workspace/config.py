"""Configuration: defaults that just run (SQLite, in-process Socket.IO), overridden by the environment."""
import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: Path) -> str:
    """Return the development secret key, generating it once into instance/."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the configuration mapping from defaults, the environment and explicit overrides."""
    overrides = dict(overrides or {})
    env = os.environ
    instance = Path(instance_path)
    production = env.get("CONVENE_ENV", "development") == "production"

    secret = env.get("SECRET_KEY")
    if not secret and "SECRET_KEY" not in overrides:
        if production:
            raise RuntimeError("SECRET_KEY must be set when CONVENE_ENV=production")
        secret = _instance_secret(instance)

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'convene.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    config = {
        "CONVENE_ENV": "production" if production else "development",
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # Redis pub/sub channels ignore the database number: deployments sharing a Redis need their own.
        "SOCKETIO_CHANNEL": env.get("SOCKETIO_CHANNEL") or "flask-socketio",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Sign-in counts failures only: per address generous (a team behind one outgoing address),
        # per account strict, with a longer second tier as the backoff.
        "SIGN_IN_FAILURES_PER_ADDRESS": env.get("SIGN_IN_FAILURES_PER_ADDRESS", "60 per 10 minutes"),
        "SIGN_IN_FAILURES_PER_ACCOUNT": env.get("SIGN_IN_FAILURES_PER_ACCOUNT", "5 per minute;20 per hour"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "DEBUG": False,
        "TESTING": False,
        # argon2id parameters; tests lower them so a suite of hundreds of log-ins stays fast.
        "PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
        "MAIL_SMTP_HOST": env.get("MAIL_SMTP_HOST") or None,
        "MAIL_SMTP_PORT": int(env.get("MAIL_SMTP_PORT", "25")),
        "MAIL_FROM": env.get("MAIL_FROM", "Convene <no-reply@convene.test>"),
        "INVITATION_DAYS": 7,
        "PASSWORD_RESET_MINUTES": 60,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # issue 12: how many reverse proxies sit in front (their X-Forwarded-* headers are trusted).
        "TRUSTED_PROXY_COUNT": int(env.get("TRUSTED_PROXY_COUNT", "0")),
        # issue 13: how often the relay sends each room its merged updates, and its merged cursors
        "DOCUMENT_RELAY_TICK_SECONDS": float(env.get("DOCUMENT_RELAY_TICK_SECONDS", "0.025")),
        "DOCUMENT_RELAY_CURSOR_TICK_SECONDS": float(env.get("DOCUMENT_RELAY_CURSOR_TICK_SECONDS", "0.05")),
    }
    if env.get("DOCUMENT_COMPACT_AFTER"):
        config["DOCUMENT_COMPACT_AFTER"] = int(env["DOCUMENT_COMPACT_AFTER"])
    config.update(overrides)
    return config
