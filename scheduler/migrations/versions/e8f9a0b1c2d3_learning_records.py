"""learning-record outbox: xAPI statements for the company's LRS (issue 20)

Revision ID: e8f9a0b1c2d3
Revises: d7e8f9a0b1c2
Create Date: 2026-12-03 13:10:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e8f9a0b1c2d3'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'learning_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.String(length=36), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('learner_email', sa.String(length=254), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='statementstatus', native_enum=False, length=7), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_until', UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_record')),
        sa.UniqueConstraint('statement_id', name=op.f('uq_learning_record_statement_id')),
    )
    with op.batch_alter_table('learning_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_record_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_record_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    op.drop_table('learning_record')
