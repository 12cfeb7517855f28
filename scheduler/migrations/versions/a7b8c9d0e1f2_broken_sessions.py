"""broken sessions: published sessions a change saved after publishing made impossible (issue 17)

Revision ID: a7b8c9d0e1f2
Revises: f9a0b1c2d3e4
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a7b8c9d0e1f2'
down_revision = 'f9a0b1c2d3e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'broken_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('section_key', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('start', UTCDateTime(), nullable=False),
        sa.Column('facilitator_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('change', sa.Text(), nullable=False),
        sa.Column('recorded_at', UTCDateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], name=op.f('fk_broken_session_facilitator_id_facilitator'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['period_id'], ['planning_period.id'], name=op.f('fk_broken_session_period_id_planning_period'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_broken_session_recorded_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['version_id'], ['schedule_version.id'], name=op.f('fk_broken_session_version_id_schedule_version'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broken_session')),
    )
    with op.batch_alter_table('broken_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broken_session_facilitator_id'), ['facilitator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_broken_session_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_broken_session_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('broken_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broken_session_version_id'))
        batch_op.drop_index(batch_op.f('ix_broken_session_period_id'))
        batch_op.drop_index(batch_op.f('ix_broken_session_facilitator_id'))
    op.drop_table('broken_session')
