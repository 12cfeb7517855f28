"""Follow-up reads: lessons, templates, a learner's step by token, a cohort's progress, and the
sessions a facilitator marks attendance for."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import (
    Attendance,
    Cohort,
    FollowUpStep,
    MicroLesson,
    QuizQuestion,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SequenceTemplate,
    StepKind,
    StepStatus,
    VersionStatus,
)

KIND_LABELS = {
    StepKind.LESSON: "Lesson and quiz",
    StepKind.QUIZ: "Quiz",
    StepKind.REVIEW: "Review",
    StepKind.CHECK_IN: "Check-in",
}
#: Minutes a review or check-in takes (a lesson says its own).
SHORT_STEP_MINUTES = 3


def lessons() -> list[MicroLesson]:
    return list(
        db.session.scalars(
            select(MicroLesson)
            .options(selectinload(MicroLesson.questions))
            .order_by(MicroLesson.title)
        )
    )


def templates() -> list[SequenceTemplate]:
    return list(
        db.session.scalars(
            select(SequenceTemplate)
            .options(selectinload(SequenceTemplate.steps), selectinload(SequenceTemplate.program))
            .order_by(SequenceTemplate.program_id.is_not(None), SequenceTemplate.name)
        )
    )


def step_counts() -> dict[str, int]:
    """How many learners' steps are in each status."""
    rows = db.session.execute(
        select(FollowUpStep.status, func.count()).group_by(FollowUpStep.status)
    )
    return {str(status): count for status, count in rows}


def cohorts_with_steps() -> list[tuple[Cohort, Counter]]:
    """Each cohort that has follow-up steps, with its steps counted by status."""
    rows = db.session.execute(
        select(FollowUpStep.cohort_id, FollowUpStep.status, func.count()).group_by(
            FollowUpStep.cohort_id, FollowUpStep.status
        )
    ).all()
    counts: dict[int, Counter] = {}
    for cohort_id, status, count in rows:
        counts.setdefault(cohort_id, Counter())[str(status)] = count
    cohorts = db.session.scalars(select(Cohort).where(Cohort.id.in_(counts))).all()
    return [(cohort, counts[cohort.id]) for cohort in sorted(cohorts, key=lambda c: c.key)]


def cohort_steps(cohort_id: int) -> list[FollowUpStep]:
    return list(
        db.session.scalars(
            select(FollowUpStep)
            .where(FollowUpStep.cohort_id == cohort_id)
            .options(selectinload(FollowUpStep.learner), selectinload(FollowUpStep.lesson))
            .order_by(FollowUpStep.learner_id, FollowUpStep.due_at)
        )
    )


def step_by_token_hash(token_hash: str) -> FollowUpStep | None:
    """The sent (or done) step whose link carries this token; pending and withdrawn steps have
    no live link."""
    return db.session.scalar(
        select(FollowUpStep).where(
            FollowUpStep.token_hash == token_hash,
            FollowUpStep.status.in_([StepStatus.SENT, StepStatus.DONE]),
        )
    )


def step_questions(step: FollowUpStep) -> list[QuizQuestion]:
    """The questions of a step: its lesson's quiz, then the review items appended to it."""
    own = list(step.lesson.questions) if step.lesson is not None else []
    if step.kind == StepKind.LESSON and step.lesson is None:
        own = []
    extra_ids = [id_ for id_ in step.review_question_ids or [] if id_ not in {q.id for q in own}]
    if not extra_ids:
        return own
    extra = db.session.scalars(select(QuizQuestion).where(QuizQuestion.id.in_(extra_ids))).all()
    order = {id_: index for index, id_ in enumerate(extra_ids)}
    return own + sorted(extra, key=lambda question: order[question.id])


def step_title(step: FollowUpStep) -> str:
    if step.lesson is not None and step.kind in (StepKind.LESSON, StepKind.QUIZ):
        return step.lesson.title
    if step.kind == StepKind.CHECK_IN:
        return f"{step.day_offset}-day check-in"
    return "Quick review"


def step_minutes(step: FollowUpStep) -> int:
    if step.lesson is not None and step.kind == StepKind.LESSON:
        return step.lesson.minutes
    return SHORT_STEP_MINUTES


def facilitator_sessions(facilitator_id: int, now: datetime) -> list[ScheduledSession]:
    """The facilitator's published sessions that started in the last 60 days, newest first."""
    return list(
        db.session.scalars(
            select(ScheduledSession)
            .join(ScheduledSession.section)
            .join(ScheduledSection.version)
            .where(
                ScheduleVersion.status == VersionStatus.PUBLISHED,
                ScheduledSession.facilitator_id == facilitator_id,
                ScheduledSession.start <= now,
                ScheduledSession.start >= now - timedelta(days=60),
            )
            .options(selectinload(ScheduledSession.section).selectinload(ScheduledSection.program))
            .order_by(ScheduledSession.start.desc())
        )
    )


def attendance_of(session: ScheduledSession) -> dict[int, bool]:
    """learner id → attended, for the learners already marked in this session."""
    rows = db.session.execute(
        select(Attendance.learner_id, Attendance.attended).where(
            Attendance.session_uid == session.uid
        )
    )
    return {learner_id: attended for learner_id, attended in rows}
