"""scenarios: what-if copies of a planning period (issue 19)

Revision ID: b2d4f6a8c0e1
Revises: a1c3e5f7b9d2
Create Date: 2026-12-03 16:30:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b2d4f6a8c0e1'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('base_json', sa.Text(), nullable=False),
    sa.Column('changes_json', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('new', 'queued', 'running', 'solved', 'failed', name='scenariostatus', native_enum=False, length=7), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('schedule_json', sa.Text(), nullable=False),
    sa.Column('solved_problem_json', sa.Text(), nullable=False),
    sa.Column('best_cost', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('queued_at', UTCDateTime(), nullable=True),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('solved_at', UTCDateTime(), nullable=True),
    sa.Column('promoted_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_scenario_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['period_id'], ['planning_period.id'], name=op.f('fk_scenario_period_id_planning_period'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario'))
    )
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenario_period_id'), ['period_id'], unique=False)


def downgrade():
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_period_id'))
    op.drop_table('scenario')
