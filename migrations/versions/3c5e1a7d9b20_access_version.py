"""access version: one counter bumped by every commit that can change a socket's access (issue 13)

Revision ID: 3c5e1a7d9b20
Revises: 92f688fb9e0b
Create Date: 2026-12-01 00:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3c5e1a7d9b20'
down_revision = '92f688fb9e0b'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('access_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_version'))
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade():
    op.drop_table('access_version')
