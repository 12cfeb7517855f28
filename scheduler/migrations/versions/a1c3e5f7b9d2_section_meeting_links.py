"""section meeting links (per period and section key) and the joining link an invitation carried (issue 16)

Revision ID: a1c3e5f7b9d2
Revises: a7b8c9d0e1f2
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('section_meeting_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('section_key', sa.String(length=64), nullable=False),
    sa.Column('meeting_url', sa.String(length=500), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['planning_period.id'], name=op.f('fk_section_meeting_link_period_id_planning_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_section_meeting_link_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section_meeting_link')),
    sa.UniqueConstraint('period_id', 'section_key', name=op.f('uq_section_meeting_link_period_id_section_key'))
    )
    with op.batch_alter_table('section_meeting_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section_meeting_link_period_id'), ['period_id'], unique=False)

    with op.batch_alter_table('invite_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_url', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('invite_record', schema=None) as batch_op:
        batch_op.drop_column('sent_url')

    with op.batch_alter_table('section_meeting_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section_meeting_link_period_id'))

    op.drop_table('section_meeting_link')
