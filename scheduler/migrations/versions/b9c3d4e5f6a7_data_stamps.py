"""data stamps for cached pages (issue 7)

Revision ID: b9c3d4e5f6a7
Revises: a8b2c3d4e5f6
Create Date: 2026-11-23 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b9c3d4e5f6a7'
down_revision = 'a8b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_stamp',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('token', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_data_stamp'))
    )


def downgrade():
    op.drop_table('data_stamp')
