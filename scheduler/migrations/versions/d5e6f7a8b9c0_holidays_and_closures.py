"""public holidays per site, organisation closures (issue 17)

Revision ID: d5e6f7a8b9c0
Revises: c4d5e6f7a8b9
Create Date: 2026-12-03 09:00:00

"""
from importlib import resources

from alembic import op
import sqlalchemy as sa

import scheduler.database


# revision identifiers, used by Alembic.
revision = 'd5e6f7a8b9c0'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None


def _zone_countries():
    # The tz database's own zone-to-country table, as the app reads it for new sites.
    text = resources.files('tzdata').joinpath('zoneinfo', 'zone.tab').read_text(encoding='utf-8')
    rows = [line.split('\t') for line in text.splitlines() if line and not line.startswith('#')]
    return {row[2]: row[0] for row in rows}


def upgrade():
    op.add_column('site', sa.Column('country', sa.String(length=2), server_default='', nullable=False))
    op.add_column('site', sa.Column('subdivision', sa.String(length=40), server_default='', nullable=False))
    # Existing sites keep the public holidays of the country their time zone lies in.
    site = sa.table('site', sa.column('id', sa.Integer), sa.column('timezone', sa.String),
                    sa.column('country', sa.String))
    bind = op.get_bind()
    countries = _zone_countries()
    for row in bind.execute(sa.select(site.c.id, site.c.timezone)).all():
        code = countries.get(row.timezone, '')
        if code:
            bind.execute(site.update().where(site.c.id == row.id).values(country=code))
    op.create_table('closure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('"end" >= start', name=op.f('ck_closure_end_not_before_start')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_closure_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure'))
    )
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_site_id'), ['site_id'], unique=False)


def downgrade():
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closure_site_id'))
    op.drop_table('closure')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('subdivision')
        batch_op.drop_column('country')
