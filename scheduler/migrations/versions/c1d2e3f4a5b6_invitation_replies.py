"""invitation replies: each attendee's answer (PARTSTAT), how it came, and the answer link's hash (issue 16)

Revision ID: c1d2e3f4a5b6
Revises: b242b392dfe4
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'c1d2e3f4a5b6'
down_revision = 'b242b392dfe4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invite_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'reply',
            sa.Enum('NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', name='reply', native_enum=False, length=12),
            server_default='NEEDS-ACTION', nullable=False,
        ))
        batch_op.add_column(sa.Column('replied_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column(
            'reply_channel',
            sa.Enum('mail', 'link', 'coordinator', name='replychannel', native_enum=False, length=11),
            nullable=True,
        ))
        batch_op.add_column(sa.Column('answer_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_invite_record_answer_token_hash', ['answer_token_hash'])


def downgrade():
    with op.batch_alter_table('invite_record', schema=None) as batch_op:
        batch_op.drop_constraint('uq_invite_record_answer_token_hash', type_='unique')
        batch_op.drop_column('answer_token_hash')
        batch_op.drop_column('reply_channel')
        batch_op.drop_column('replied_at')
        batch_op.drop_column('reply')
