"""Throwaway databases for a test run: a SQLite file, or a PostgreSQL database created and dropped."""
import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def server_url() -> str | None:
    """The PostgreSQL server to test on (TEST_DATABASE_URL), or None for SQLite."""
    return os.environ.get("TEST_DATABASE_URL") or None


def create_database(tmp_dir, label: str) -> str:
    """Make an empty database for this run and return its URL."""
    base = server_url()
    if base is None:
        return f"sqlite:///{tmp_dir}/{label}.db"
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"convene_{label}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        return
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()
