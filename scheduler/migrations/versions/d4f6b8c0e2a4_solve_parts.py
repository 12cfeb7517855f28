"""solve parts: a large solve split over the workers, one row per part, and the whole problem for the merge (issue 18)

Revision ID: d4f6b8c0e2a4
Revises: c3e5a7b9d1f3
Create Date: 2026-12-03 16:23:26.449909

"""
from alembic import op
import sqlalchemy as sa

import scheduler.database


# revision identifiers, used by Alembic.
revision = 'd4f6b8c0e2a4'
down_revision = 'c3e5a7b9d1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('solve_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('cohorts', sa.Integer(), nullable=False),
    sa.Column('split', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'finished', 'failed', 'cancelled', name='jobstatus', native_enum=False), nullable=False),
    sa.Column('problem_json', sa.Text(), nullable=False),
    sa.Column('schedule_json', sa.Text(), nullable=True),
    sa.Column('started_at', scheduler.database.UTCDateTime(), nullable=True),
    sa.Column('finished_at', scheduler.database.UTCDateTime(), nullable=True),
    sa.Column('time_limit_seconds', sa.Float(), nullable=True),
    sa.Column('elapsed_seconds', sa.Float(), nullable=False),
    sa.Column('first_cost', sa.Float(), nullable=True),
    sa.Column('best_cost', sa.Float(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['solve_job.id'], name=op.f('fk_solve_part_job_id_solve_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solve_part')),
    sa.UniqueConstraint('job_id', 'index', name=op.f('uq_solve_part_job_id_index'))
    )
    with op.batch_alter_table('solve_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solve_part_job_id'), ['job_id'], unique=False)

    op.create_table('solve_split',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('problem_json', sa.Text(), nullable=False),
    sa.Column('period_version', sa.Integer(), nullable=False),
    sa.Column('merging', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['solve_job.id'], name=op.f('fk_solve_split_job_id_solve_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_solve_split'))
    )


def downgrade():
    op.drop_table('solve_split')
    with op.batch_alter_table('solve_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solve_part_job_id'))

    op.drop_table('solve_part')
