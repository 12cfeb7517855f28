"""reports and cost model (issue 7)

Revision ID: f7a1b2c3d4e5
Revises: e6f0a1b2c3d4
Create Date: 2026-11-23 19:05:00

"""
from alembic import op
import sqlalchemy as sa

import scheduler.database


# revision identifiers, used by Alembic.
revision = 'f7a1b2c3d4e5'
down_revision = 'e6f0a1b2c3d4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
