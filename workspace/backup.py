"""Backups that restore (issue 12): `flask backup PATH` while the app runs, `flask restore PATH` into an empty database.

SQLite: the online backup API copies a consistent snapshot page by page while writers carry on
(WAL mode), into a temporary file renamed into place only when complete. PostgreSQL: `pg_dump` in
its custom format (one consistent transaction), restored with `pg_restore`. Either way the copy is
the whole database: accounts, spaces, boards, glossaries, and each document's Yjs update log and
snapshots, byte for byte.
"""
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A refusal that changed nothing; the message says what to do instead."""


def _check_writable_destination(path: Path) -> None:
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name (a backup never overwrites one).")
    parent = path.parent
    if not parent.is_dir():
        raise BackupError(f"The folder {parent} does not exist: create it first.")
    probe = parent / f".{path.name}.partial"
    try:
        if not os.access(parent, os.W_OK | os.X_OK):
            raise PermissionError("not writable")
        probe.open("xb").close()  # the real test: root passes os.access on a read-only mount
        probe.unlink()
    except OSError:
        raise BackupError(f"Cannot write to {parent}: check its permissions, or choose another folder.") from None


def _pg_environment(url) -> dict:
    """libpq settings through the environment, so the password never shows in the process list."""
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools "
                          f"(Debian: apt-get install postgresql-client), see docs/security.md.")
    return tool


def _sqlite_copy(source_path, target_path) -> None:
    """Copy one SQLite database into another with the online backup API (a consistent snapshot)."""
    source = sqlite3.connect(source_path)
    try:
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def backup_database(database_url: str, path: str | os.PathLike) -> Path:
    """Write a consistent copy of the database to `path` (a new file); return the path."""
    path = Path(path).resolve()
    _check_writable_destination(path)
    url = make_url(database_url)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            source_path = url.database
            if not source_path or source_path == ":memory:" or not Path(source_path).exists():
                raise BackupError(f"There is no SQLite database at {source_path!r} to back up.")
            _sqlite_copy(source_path, partial)
        elif url.get_backend_name() == "postgresql":
            result = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                     f"--file={partial}"], env=_pg_environment(url),
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return path


def _is_empty(database_url: str) -> bool:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def restore_database(database_url: str, path: str | os.PathLike) -> None:
    """Restore a backup into an empty database; a database holding any table is refused untouched."""
    path = Path(path).resolve()
    if not path.is_file() or not os.access(path, os.R_OK):
        raise BackupError(f"Cannot read a backup at {path}.")
    with path.open("rb") as file:
        magic = file.read(16)
    url = make_url(database_url)
    backend = url.get_backend_name()
    expected = SQLITE_MAGIC if backend == "sqlite" else PG_DUMP_MAGIC
    if not magic.startswith(expected):
        raise BackupError(f"{path} is not a {'SQLite' if backend == 'sqlite' else 'pg_dump'} backup "
                          f"for this {backend} database.")
    if not _is_empty(database_url):
        raise BackupError("The database is not empty: restore only into a new, empty database "
                          "(nothing was changed).")
    if backend == "sqlite":
        backup = sqlite3.connect(path)
        try:
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not a readable SQLite backup: {error}.")
        finally:
            backup.close()
        if "alembic_version" not in tables:
            raise BackupError(f"{path} is not a Convene backup (it has no migration version).")
        _sqlite_copy(path, url.database)
    elif backend == "postgresql":
        result = subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                                 "--single-transaction", f"--dbname={url.database}", str(path)],
                                env=_pg_environment(url), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
    else:
        raise BackupError(f"Restoring {backend} databases is not supported.")


def register_commands(app) -> None:
    """`flask backup PATH` and `flask restore PATH` for operators (see README "Backups")."""

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False))
    @with_appcontext
    def backup(path):
        """Write a consistent copy of the database to PATH while the app keeps running."""
        try:
            written = backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
        except BackupError as error:
            raise click.ClickException(str(error))
        click.echo(f"Backup written to {written} ({written.stat().st_size} bytes)")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False))
    @with_appcontext
    def restore(path):
        """Restore the backup at PATH into this (empty) database; stop the app first."""
        try:
            restore_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
        except BackupError as error:
            raise click.ClickException(str(error))
        click.echo(f"Restored {path}. Run `flask db upgrade` if this release has newer migrations.")
