"""security hardening and audit log (issue 8)

Revision ID: a8b2c3d4e5f6
Revises: f7a1b2c3d4e5
Create Date: 2026-11-23 19:05:00

"""
from alembic import op
import sqlalchemy as sa

import scheduler.database


# revision identifiers, used by Alembic.
revision = 'a8b2c3d4e5f6'
down_revision = 'f7a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
