"""Migrations: one head, and the models match what the migrations build."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from workspace.extensions import db


def test_migrations_have_a_single_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_and_migrations_agree(transaction):
    diff = compare_metadata(MigrationContext.configure(transaction), db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"
