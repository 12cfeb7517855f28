"""Follow-up writes: lessons and their quizzes, sequence templates (with the research-based
default), and attendance with what a no-show sets off. Sending is in ``delivery.py``, a
learner's answers in ``learning.py``, attaching steps on publish in ``attaching.py``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from scheduler.audit import operations as audit
from scheduler.extensions import db
from scheduler.followups.attaching import NO_SHOW, attach_seat, withdraw_learners
from scheduler.forms.saving import FieldError, flush_or_refuse
from scheduler.learning_records import operations as learning_records
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message
from scheduler.models import (
    Attendance,
    Audience,
    FollowUpStep,
    MicroLesson,
    QuizQuestion,
    Role,
    ScheduledSession,
    SectionSeat,
    SequenceTemplate,
    StepKind,
    StepStatus,
    TemplateStep,
    User,
    WaitingLearner,
)
from scheduler.templating import localtime

#: The default sequence (docs/followups.md): (day after the last session, kind, lesson number).
#: Lessons with quizzes on days 1, 3, 7, 14, 21; check-in day 30; review day 45 (only if items
#: are due); a booster lesson day 60; check-in day 90.
DEFAULT_STEPS: tuple[tuple[int, StepKind, int | None], ...] = (
    (1, StepKind.LESSON, 0),
    (3, StepKind.LESSON, 1),
    (7, StepKind.LESSON, 2),
    (14, StepKind.LESSON, 3),
    (21, StepKind.LESSON, 4),
    (30, StepKind.CHECK_IN, None),
    (45, StepKind.REVIEW, None),
    (60, StepKind.LESSON, 5),
    (90, StepKind.CHECK_IN, None),
)
DEFAULT_TEMPLATE_NAME = "Default follow-up (spaced, 90 days)"


# --- lessons ------------------------------------------------------------------------------------


def save_lesson(lesson: MicroLesson | None, values: dict, questions: list[dict]) -> MicroLesson:
    """Create (``lesson`` None) or update a lesson and replace its quiz with ``questions``
    (``[{"prompt", "choices": [{"text", "correct"}], "feedback"}]``)."""
    others = select(MicroLesson.id).where(MicroLesson.key == values["key"])
    if lesson is not None:
        others = others.where(MicroLesson.id != lesson.id)
    if db.session.scalar(others) is not None:
        raise FieldError("key", f"Lesson id {values['key']} is already used by another lesson.")
    before = audit.snapshot(lesson)
    if lesson is None:
        lesson = MicroLesson()
        db.session.add(lesson)
    for name, value in values.items():
        setattr(lesson, name, value)
    _replace_questions(lesson, questions)
    flush_or_refuse("Another lesson was just saved with this id.")
    audit.record_changes(lesson, before)
    return lesson


def _replace_questions(lesson: MicroLesson, questions: list[dict]) -> None:
    current = list(lesson.questions)
    # Questions keep their rows (and learners' review items) where the position still exists.
    for position, values in enumerate(questions):
        if position < len(current):
            question = current[position]
        else:
            question = QuizQuestion(position=position)
            lesson.questions.append(question)
        question.prompt = values["prompt"]
        question.choices = values["choices"]
        question.feedback = values.get("feedback", "")
    for question in current[len(questions) :]:
        lesson.questions.remove(question)


# --- templates ----------------------------------------------------------------------------------


def save_template(
    template: SequenceTemplate | None, values: dict, steps: list[tuple[int, StepKind, int | None]]
) -> SequenceTemplate:
    """Create or update a template and replace its steps with ``steps`` (day, kind, lesson id).

    Learners' steps already made from it keep their dates; new publishes use the new steps.
    """
    before = audit.snapshot(template)
    if template is None:
        template = SequenceTemplate()
        db.session.add(template)
    for name, value in values.items():
        setattr(template, name, value)
    existing = {(s.day_offset, s.kind, s.lesson_id): s for s in template.steps}
    kept = []
    for position, key in enumerate(sorted(steps, key=lambda step: step[0])):
        step = existing.pop(key, None) or TemplateStep(
            day_offset=key[0], kind=key[1], lesson_id=key[2]
        )
        step.position = -1 - position  # positions are unique: renumber after the flush
        kept.append(step)
    for step in existing.values():
        template.steps.remove(step)
    template.steps = kept
    db.session.flush()
    for position, step in enumerate(kept):
        step.position = position
    flush_or_refuse("Someone else changed this template at the same moment; try again.")
    audit.record_changes(template, before)
    return template


def create_default_template(
    lessons: list[MicroLesson], program_id: int | None = None, audience=Audience.EVERYONE
) -> SequenceTemplate:
    """The research-based default sequence over six ``lessons`` (the sixth is the booster)."""
    steps = [
        (day, kind, lessons[index].id if index is not None else None)
        for day, kind, index in DEFAULT_STEPS
    ]
    return save_template(
        None,
        {"name": DEFAULT_TEMPLATE_NAME, "program_id": program_id, "audience": audience},
        steps,
    )


def delete_template(template: SequenceTemplate) -> None:
    audit.record_deleted(template)
    db.session.delete(template)
    db.session.flush()


# --- attendance ---------------------------------------------------------------------------------


def mark_attendance(
    session: ScheduledSession, attended: dict[int, bool], user: User, now: datetime
) -> list[SectionSeat]:
    """Record who attended ``session`` (learner id → attended) and return the new no-shows.

    A no-show's pending steps are withdrawn, they go on the cohort's waiting list for the next
    re-plan, and the coordinators and their manager get a message. Marking a no-show present
    again (a correction) undoes that. Refused (``FieldError``) before the session starts: no
    one can have missed it yet, and a no-show sets all of the above off.
    """
    if now < session.start:
        raise FieldError(None, attendance_not_open(session))
    seats = {seat.learner_id: seat for seat in session.section.seats}
    rows = {
        row.learner_id: row
        for row in db.session.scalars(
            select(Attendance).where(Attendance.session_uid == session.uid)
        )
    }
    no_shows, marked = [], []
    for learner_id, present in attended.items():
        seat = seats.get(learner_id)
        if seat is None:
            continue
        row = rows.get(learner_id)
        before = row.attended if row is not None else None
        if row is None:
            row = Attendance(session_uid=session.uid, learner_id=learner_id)
            db.session.add(row)
        if before is not present:
            marked.append(f"{seat.learner.name}: {_presence(before)} → {_presence(present)}")
        row.cohort_id = seat.cohort_id
        row.attended = present
        row.marked_by_id = user.id
        row.marked_at = now
        db.session.flush()
        if before is not present:
            learning_records.queue_attendance(session, seat.learner, present)
        if not present and before is not False:
            _no_show(session, seat, now)
            no_shows.append(seat)
        elif present and before is False:
            _present_after_all(seat)
    if marked:
        section = session.section
        what = f"{section.program.name} section {section.key} session {session.position + 1}"
        audit.record_by_person(
            "attendance",
            f"attendance of {what}: {'; '.join(marked)}",
            section.version.period,
            user,
        )
    return no_shows


def attendance_not_open(session: ScheduledSession) -> str:
    """Why attendance of a session that has not started yet cannot be marked."""
    return (
        "This session has not started yet: attendance can be marked from its start, "
        f"{localtime(session.start)}."
    )


def _presence(attended: bool | None) -> str:
    return "not marked" if attended is None else "present" if attended else "absent"


def _no_show(session: ScheduledSession, seat: SectionSeat, now: datetime) -> None:
    learner = seat.learner
    withdraw_learners(seat.cohort_id, [learner.id], NO_SHOW)
    when = localtime(session.start, learner.timezone)
    reason = f"Did not attend session {session.position + 1} on {when}."
    waiting = db.session.scalar(
        select(WaitingLearner).where(
            WaitingLearner.cohort_id == seat.cohort_id, WaitingLearner.learner_id == learner.id
        )
    )
    if waiting is None:
        waiting = WaitingLearner(cohort_id=seat.cohort_id, learner_id=learner.id, created_at=now)
        db.session.add(waiting)
    waiting.reason = reason
    program = session.section.program.name
    text = (
        f"{learner.name} ({learner.email}, cohort {seat.cohort.key}) did not attend "
        f"{program}, session {session.position + 1}, on {when}.\n\n"
        "Their follow-up sequence is paused and they are on the cohort's waiting list for "
        "the next re-plan.\n"
    )
    for recipient in _flag_recipients(session, learner):
        queue_message(compose(recipient, f"No-show: {learner.name}, {program}", text))


def _flag_recipients(session: ScheduledSession, learner) -> list[str]:
    """The coordinator who published the schedule (else every coordinator), and the manager."""
    publisher = session.section.version.published_by_id
    coordinators = db.session.scalars(
        select(User.email).where(
            User.role == Role.COORDINATOR,
            User.is_enabled.is_(True),
            *([User.id == publisher] if publisher else []),
        )
    ).all()
    if not coordinators and publisher:
        coordinators = db.session.scalars(
            select(User.email).where(User.role == Role.COORDINATOR, User.is_enabled.is_(True))
        ).all()
    recipients = list(coordinators)
    if learner.manager is not None and learner.manager.email not in recipients:
        recipients.append(learner.manager.email)
    return recipients


def _present_after_all(seat: SectionSeat) -> None:
    db.session.execute(
        update(FollowUpStep)
        .where(
            FollowUpStep.learner_id == seat.learner_id,
            FollowUpStep.cohort_id == seat.cohort_id,
            FollowUpStep.status == StepStatus.WITHDRAWN,
            FollowUpStep.withdrawn_reason == NO_SHOW,
        )
        .values(withdrawn_reason="marked present")
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        delete(WaitingLearner).where(
            WaitingLearner.cohort_id == seat.cohort_id,
            WaitingLearner.learner_id == seat.learner_id,
            WaitingLearner.reason.like("Did not attend%"),
        )
    )
    attach_seat(seat)
