"""board columns: a "done" flag (cards in a done column are finished, never overdue)

Revision ID: b7d1e4c2a9f0
Revises: 98a1f337c5c6
Create Date: 2026-11-30 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d1e4c2a9f0'
down_revision = '98a1f337c5c6'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch: on SQLite a batch copies and drops board_columns, which the
    # foreign keys of existing cards refuse. No column is marked on existing boards: each board's
    # last open column counts as done until one is.
    op.add_column('board_columns', sa.Column('is_done', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('board_columns', 'is_done')
