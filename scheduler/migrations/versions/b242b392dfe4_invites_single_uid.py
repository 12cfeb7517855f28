"""invitations one UID each: site address, what each invitation showed, step SEQUENCE, facilitator meeting room (issue 16)

Revision ID: b242b392dfe4
Revises: d5e6f7a8b9c0
Create Date: 2026-12-03 09:40:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b242b392dfe4'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), server_default='', nullable=False))
    with op.batch_alter_table('invite_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_start', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_end', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_location', sa.String(length=600), nullable=True))
        batch_op.add_column(sa.Column('sent_facilitator', sa.String(length=200), nullable=True))
    with op.batch_alter_table('follow_up_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_url', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.drop_column('meeting_url')
    with op.batch_alter_table('follow_up_step', schema=None) as batch_op:
        batch_op.drop_column('sequence')
    with op.batch_alter_table('invite_record', schema=None) as batch_op:
        batch_op.drop_column('sent_facilitator')
        batch_op.drop_column('sent_location')
        batch_op.drop_column('sent_end')
        batch_op.drop_column('sent_start')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('address')
