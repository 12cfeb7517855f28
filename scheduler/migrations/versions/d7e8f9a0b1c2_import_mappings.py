"""import column mappings per kind and header layout (issue 20)

Revision ID: d7e8f9a0b1c2
Revises: c1d2e3f4a5b6
Create Date: 2026-12-03 12:50:00

"""
from alembic import op
import sqlalchemy as sa

from scheduler.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'c1d2e3f4a5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('layout', sa.String(length=64), nullable=False),
        sa.Column('header', sa.Text(), nullable=False),
        sa.Column('columns', sa.Text(), nullable=False),
        sa.Column('date_format', sa.String(length=20), nullable=False),
        sa.Column('name_order', sa.String(length=20), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_import_mapping_updated_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mapping')),
        sa.UniqueConstraint('kind', 'layout', name=op.f('uq_import_mapping_kind_layout')),
    )


def downgrade():
    op.drop_table('import_mapping')
