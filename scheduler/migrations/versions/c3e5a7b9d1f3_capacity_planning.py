"""capacity planning: pools of possible hires and their answers (issue 19)

Revision ID: c3e5a7b9d1f3
Revises: b2d4f6a8c0e1
Create Date: 2026-12-03 16:25:59.353939

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f3'
down_revision = 'b2d4f6a8c0e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('capacity_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'finished', 'failed', 'cancelled', name='jobstatus', native_enum=False, length=9), nullable=False),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['planning_period.id'], name=op.f('fk_capacity_plan_period_id_planning_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_capacity_plan_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_plan'))
    )
    with op.batch_alter_table('capacity_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_plan_period_id'), ['period_id'], unique=False)

    op.create_table('pool_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('weekly_hours', sa.Integer(), nullable=False),
    sa.Column('hourly_rate', sa.Numeric(precision=10, scale=2, asdecimal=False), nullable=False),
    sa.Column('weekly_cost', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
    sa.Column('onboarding_cost', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
    sa.Column('earliest_start', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['capacity_plan.id'], name=op.f('fk_pool_candidate_plan_id_capacity_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_pool_candidate_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_candidate'))
    )
    with op.batch_alter_table('pool_candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_candidate_plan_id'), ['plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pool_candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_candidate_plan_id'))

    op.drop_table('pool_candidate')
    with op.batch_alter_table('capacity_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_plan_period_id'))

    op.drop_table('capacity_plan')
