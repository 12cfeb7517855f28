"""solve job and scenario stage: what the worker does before its first schedule, and how far (issue 18)

Revision ID: f6b8d0e2a4c6
Revises: e5a7c9d1f3b5
Create Date: 2026-12-06 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6b8d0e2a4c6'
down_revision = 'e5a7c9d1f3b5'
branch_labels = None
depends_on = None


TABLES = ('solve_job', 'scenario')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('stage', sa.String(length=16), nullable=True))
            batch_op.add_column(sa.Column('stage_done', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('stage_total', sa.Integer(), nullable=True))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('stage_total')
            batch_op.drop_column('stage_done')
            batch_op.drop_column('stage')
