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
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('at', scheduler.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_ip_address'), ['ip_address'], unique=False)

    op.create_table('password_reset_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', scheduler.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', scheduler.database.UTCDateTime(), nullable=False),
    sa.Column('used_at', scheduler.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_password_reset_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_token_hash'))
    )
    with op.batch_alter_table('password_reset_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_token_user_id'), ['user_id'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', scheduler.database.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=True),
    sa.Column('period_name', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['planning_period.id'], name=op.f('fk_audit_entry_period_id_planning_period'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_audit_entry_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_entry_period_at', ['period_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_period_at')
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))

    op.drop_table('audit_entry')
    with op.batch_alter_table('password_reset_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_token_user_id'))

    op.drop_table('password_reset_token')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_ip_address'))
        batch_op.drop_index(batch_op.f('ix_login_failure_email'))
        batch_op.drop_index(batch_op.f('ix_login_failure_at'))

    op.drop_table('login_failure')
