"""password reset requests, limited per account and per address (issue 15)

Revision ID: c4d5e6f7a8b9
Revises: b9c3d4e5f6a7
Create Date: 2026-12-03 09:40:00

"""
from alembic import op
import sqlalchemy as sa

import scheduler.database


# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = 'b9c3d4e5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('at', scheduler.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_request'))
    )
    with op.batch_alter_table('password_reset_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_request_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_reset_request_ip_address'), ['ip_address'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_request_ip_address'))
        batch_op.drop_index(batch_op.f('ix_password_reset_request_at'))

    op.drop_table('password_reset_request')
