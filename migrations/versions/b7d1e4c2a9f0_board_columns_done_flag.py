"""board columns: a "done" flag (cards in a done column are finished, never overdue)

Revision ID: b7d1e4c2a9f0
Revises: fcd72143f7a3
Create Date: 2026-11-30 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d1e4c2a9f0'
down_revision = 'fcd72143f7a3'
branch_labels = None
depends_on = None


def upgrade():
    # No column is marked on existing boards: each board's last open column counts as done until one is.
    with op.batch_alter_table('board_columns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_done', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('board_columns', schema=None) as batch_op:
        batch_op.drop_column('is_done')
