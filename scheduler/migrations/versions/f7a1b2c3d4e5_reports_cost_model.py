"""reports and cost model (issue 7)

Revision ID: f7a1b2c3d4e5
Revises: e6f0a1b2c3d4
Create Date: 2026-11-23 19:05:00

"""
from alembic import op
import sqlalchemy as sa

import scheduler.database


# revision identifiers, used by Alembic.
revision = 'f7a1b2c3d4e5'
down_revision = 'e6f0a1b2c3d4'
branch_labels = None
depends_on = None


def upgrade():
    # The cost model's microlearning figures per program; NULL means the rate card's default.
    # (The manager's team feed, FeedKind "team", fits the existing VARCHAR kind column.)
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('microlearning_fixed_cost', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=True))
        batch_op.add_column(sa.Column('microlearning_learner_cost', sa.Numeric(precision=10, scale=2, asdecimal=False), nullable=True))


def downgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('microlearning_learner_cost')
        batch_op.drop_column('microlearning_fixed_cost')
