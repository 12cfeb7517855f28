"""scenario progress: a scenario solve's heartbeat, live cost and bound, cancel; a solve job's seed plan (issue 19)

Revision ID: e5a7c9d1f3b5
Revises: d4f6b8c0e2a4
Create Date: 2026-12-03 20:05:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e5a7c9d1f3b5'
down_revision = 'd4f6b8c0e2a4'
branch_labels = None
depends_on = None

OLD_STATUS = sa.Enum('new', 'queued', 'running', 'solved', 'failed', name='scenariostatus', native_enum=False, length=7)
NEW_STATUS = sa.Enum('new', 'queued', 'running', 'solved', 'failed', 'cancelled', name='scenariostatus', native_enum=False, length=9)


def upgrade():
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=OLD_STATUS, type_=NEW_STATUS, existing_nullable=False)
        batch_op.add_column(sa.Column('heartbeat_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('elapsed_seconds', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('progress_cost', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('progress_bound', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('solve_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_json', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('solve_job', schema=None) as batch_op:
        batch_op.drop_column('previous_json')
    # A cancelled solve kept the previous result, as a failed one does.
    op.execute("UPDATE scenario SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.drop_column('cancel_requested')
        batch_op.drop_column('progress_bound')
        batch_op.drop_column('progress_cost')
        batch_op.drop_column('elapsed_seconds')
        batch_op.drop_column('heartbeat_at')
        batch_op.alter_column('status', existing_type=NEW_STATUS, type_=OLD_STATUS, existing_nullable=False)
