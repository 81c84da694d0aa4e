"""The board columns' done flag migrates a database that already holds boards and cards, both ways."""
import os
import subprocess

from sqlalchemy import create_engine, text

from tests import databases
from tests.live_server import BIN, ROOT


def _revision_before_done_flag() -> str:
    """The done flag's down_revision, read from its script (the chain moves as branches merge)."""
    script = next((ROOT / "migrations" / "versions").glob("b7d1e4c2a9f0_*.py")).read_text()
    return next(line.split("'")[1] for line in script.splitlines() if line.startswith("down_revision"))


BEFORE = _revision_before_done_flag()


def flask(env: dict, *args: str) -> None:
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


def test_done_flag_migrates_a_database_with_boards_down_and_up_again(tmp_path):
    url = databases.create_database(tmp_path, "done_flag")
    try:
        env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")},
               "DATABASE_URL": url, "CONVENE_INSTANCE_PATH": str(tmp_path / "instance")}
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")  # boards whose columns are referenced by cards (foreign keys)
        flask(env, "db", "downgrade", BEFORE)
        flask(env, "db", "upgrade")
        engine = create_engine(url)
        with engine.connect() as conn:
            columns, marked = conn.execute(text(
                "SELECT COUNT(*), SUM(CASE WHEN is_done THEN 1 ELSE 0 END) FROM board_columns")).one()
            cards = conn.execute(text("SELECT COUNT(*) FROM cards")).scalar()
        engine.dispose()
        assert columns > 0 and marked == 0 and cards > 0  # nothing marked: each board's last column is done
    finally:
        databases.drop_database(url)
