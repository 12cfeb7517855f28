"""follow-up microlearning (issue 6)

Revision ID: e6f0a1b2c3d4
Revises: 1b8cbf080e9d
Create Date: 2026-11-23 19:05:00

"""
from alembic import op
import sqlalchemy as sa

import scheduler.database


# revision identifiers, used by Alembic.
revision = 'e6f0a1b2c3d4'
down_revision = '1b8cbf080e9d'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
