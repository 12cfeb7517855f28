"""publish jobs: a confirmed Publish runs as a background job (issue 17)

Revision ID: f9a0b1c2d3e4
Revises: e8f9a0b1c2d3
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'f9a0b1c2d3e4'
down_revision = 'e8f9a0b1c2d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publish_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'finished', 'failed', 'cancelled', name='jobstatus', native_enum=False, length=9), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('replaced_number', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['planning_period.id'], name=op.f('fk_publish_job_period_id_planning_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_publish_job_requested_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['schedule_version.id'], name=op.f('fk_publish_job_version_id_schedule_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publish_job'))
    )
    with op.batch_alter_table('publish_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publish_job_period_id'), ['period_id'], unique=False)


def downgrade():
    with op.batch_alter_table('publish_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publish_job_period_id'))
    op.drop_table('publish_job')
