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
    op.create_table('micro_lesson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('lms_url', sa.String(length=500), nullable=False),
    sa.CheckConstraint('minutes >= 3 AND minutes <= 7', name=op.f('ck_micro_lesson_minutes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_micro_lesson')),
    sa.UniqueConstraint('key', name=op.f('uq_micro_lesson_key'))
    )
    op.create_table('quiz_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['micro_lesson.id'], name=op.f('fk_quiz_question_lesson_id_micro_lesson'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_question')),
    sa.UniqueConstraint('lesson_id', 'position', name=op.f('uq_quiz_question_lesson_id_position'))
    )
    op.create_table('sequence_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.Enum('everyone', 'managers', 'staff', name='audience', native_enum=False), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_sequence_template_program_id_program'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sequence_template'))
    )
    with op.batch_alter_table('sequence_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sequence_template_program_id'), ['program_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_uid', sa.String(length=120), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', scheduler.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_attendance_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_attendance_learner_id_learner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user.id'], name=op.f('fk_attendance_marked_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_uid', 'learner_id', name=op.f('uq_attendance_session_uid_learner_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_session_uid'), ['session_uid'], unique=False)

    op.create_table('review_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('card_json', sa.Text(), nullable=False),
    sa.Column('due_at', scheduler.database.UTCDateTime(), nullable=False),
    sa.Column('retire_after', scheduler.database.UTCDateTime(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('last_rating', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_review_item_learner_id_learner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_question.id'], name=op.f('fk_review_item_question_id_quiz_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_item')),
    sa.UniqueConstraint('learner_id', 'question_id', name=op.f('uq_review_item_learner_id_question_id'))
    )
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_item_learner_id'), ['learner_id'], unique=False)

    op.create_table('template_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('lesson', 'quiz', 'review', 'check_in', name='stepkind', native_enum=False), nullable=False),
    sa.Column('day_offset', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('day_offset >= 0', name=op.f('ck_template_step_day_offset')),
    sa.ForeignKeyConstraint(['lesson_id'], ['micro_lesson.id'], name=op.f('fk_template_step_lesson_id_micro_lesson'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['sequence_template.id'], name=op.f('fk_template_step_template_id_sequence_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_step')),
    sa.UniqueConstraint('template_id', 'position', name=op.f('uq_template_step_template_id_position'))
    )
    op.create_table('follow_up_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('template_step_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('lesson', 'quiz', 'review', 'check_in', name='stepkind', native_enum=False), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('day_offset', sa.Integer(), nullable=False),
    sa.Column('extra', sa.Boolean(), nullable=False),
    sa.Column('anchor_at', scheduler.database.UTCDateTime(), nullable=False),
    sa.Column('due_at', scheduler.database.UTCDateTime(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'done', 'skipped', 'withdrawn', name='stepstatus', native_enum=False), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('review_question_ids', sa.JSON(), nullable=False),
    sa.Column('sent_at', scheduler.database.UTCDateTime(), nullable=True),
    sa.Column('opened_at', scheduler.database.UTCDateTime(), nullable=True),
    sa.Column('completed_at', scheduler.database.UTCDateTime(), nullable=True),
    sa.Column('seconds_spent', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('self_report', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_follow_up_step_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_follow_up_step_learner_id_learner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['micro_lesson.id'], name=op.f('fk_follow_up_step_lesson_id_micro_lesson'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_step_id'], ['template_step.id'], name=op.f('fk_follow_up_step_template_step_id_template_step'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_step')),
    sa.UniqueConstraint('learner_id', 'cohort_id', 'template_step_id', name=op.f('uq_follow_up_step_learner_id_cohort_id_template_step_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_follow_up_step_token_hash'))
    )
    with op.batch_alter_table('follow_up_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_step_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_step_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_step_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_step_status'), ['status'], unique=False)

    op.create_table('step_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('chosen', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('confident', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('answered_at', scheduler.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_question.id'], name=op.f('fk_step_answer_question_id_quiz_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['follow_up_step.id'], name=op.f('fk_step_answer_step_id_follow_up_step'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_answer')),
    sa.UniqueConstraint('step_id', 'question_id', name=op.f('uq_step_answer_step_id_question_id'))
    )


def downgrade():
    op.drop_table('step_answer')
    with op.batch_alter_table('follow_up_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_step_status'))
        batch_op.drop_index(batch_op.f('ix_follow_up_step_learner_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_step_due_at'))
        batch_op.drop_index(batch_op.f('ix_follow_up_step_cohort_id'))

    op.drop_table('follow_up_step')
    op.drop_table('template_step')
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_item_learner_id'))

    op.drop_table('review_item')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_session_uid'))

    op.drop_table('attendance')
    with op.batch_alter_table('sequence_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sequence_template_program_id'))

    op.drop_table('sequence_template')
    op.drop_table('quiz_question')
    op.drop_table('micro_lesson')
