"""Writes of the learning-records area: queue statements in the event's own transaction.

Nothing is queued unless an LRS is configured (``XAPI_ENDPOINT``). A statement whose id is
already queued (the same event recorded again: a publish replayed, attendance re-saved) is not
queued twice; the LRS would keep the first one anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.learning_records import statements as xapi
from scheduler.models import (
    FollowUpStep,
    LearningRecord,
    ScheduledSession,
    ScheduleVersion,
    StatementStatus,
)
from scheduler.models import Learner as LearnerRow

CHUNK = 500  # ids looked up at a time, well below every database's parameter limit


def enabled() -> bool:
    return bool(current_app.config.get("XAPI_ENDPOINT"))


def settings() -> xapi.Settings:
    config = current_app.config
    return xapi.Settings(
        activity_base=config["PUBLIC_URL"].rstrip("/") + "/xapi",
        account_homepage=config.get("XAPI_ACCOUNT_HOMEPAGE") or None,
    )


def queue(event: str, learner: LearnerRow, statements: Iterable[dict]) -> int:
    """Add ``statements`` about ``learner`` that are not queued yet; return how many."""
    return queue_many([(event, learner.email, statement) for statement in statements])


def queue_many(items: list[tuple[str, str, dict]]) -> int:
    """Add (event, learner e-mail, statement) items whose statement id is not queued yet."""
    if not items:
        return 0
    ids = [statement["id"] for _, _, statement in items]
    known: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        known |= set(
            db.session.scalars(
                select(LearningRecord.statement_id).where(LearningRecord.statement_id.in_(chunk))
            )
        )
    now, added = utcnow(), 0
    for event, email, statement in items:
        if statement["id"] in known:
            continue
        known.add(statement["id"])
        db.session.add(
            LearningRecord(
                statement_id=statement["id"],
                event=event,
                learner_email=email,
                statement=json.dumps(statement, sort_keys=True),
                status=StatementStatus.PENDING,
                next_attempt_at=now,
                last_error="",
            )
        )
        added += 1
    return added


def learner_facts(learner: LearnerRow) -> xapi.Learner:
    return xapi.Learner(key=learner.key, name=learner.name, email=learner.email)


def session_facts(session: ScheduledSession) -> xapi.SessionFacts:
    section = session.section
    program = section.program
    count = len(section.sessions)
    return xapi.SessionFacts(
        uid=session.uid,
        name=f"{program.name}, session {session.position + 1} of {count}",
        program_key=program.key,
        program_name=program.name,
        start=session.start,
    )


def queue_registrations(version: ScheduleVersion) -> int:
    """A ``registered`` statement for every learner seated in a session of ``version``."""
    if not enabled():
        return 0
    config, when = settings(), utcnow()
    items = []
    for section in version.sections:
        for session in section.sessions:
            facts = session_facts(session)
            for seat in section.seats:
                learner = seat.learner
                statement = xapi.registered(learner_facts(learner), facts, when, config)
                items.append(("registered", learner.email, statement))
    return queue_many(items)


def queue_attendance(session: ScheduledSession, learner: LearnerRow, present: bool) -> int:
    if not enabled():
        return 0
    statement = xapi.attendance(
        learner_facts(learner), session_facts(session), present, utcnow(), settings()
    )
    return queue("attended" if present else "missed", learner, [statement])


def queue_step(step: FollowUpStep) -> int:
    """The statements of a completed follow-up step."""
    if not enabled():
        return 0
    lesson = step.lesson
    program = step.cohort.program
    facts = xapi.StepFacts(
        step_id=step.id,
        kind=step.kind.value,
        lesson_key=lesson.key if lesson is not None else f"review-{step.id}",
        lesson_title=lesson.title if lesson is not None else "Review",
        day_offset=step.day_offset,
        program_key=program.key,
        program_name=program.name,
        score=step.score,
        seconds=step.seconds_spent,
        completed_at=step.completed_at or utcnow(),
    )
    return queue(
        f"step:{step.kind.value}",
        step.learner,
        xapi.step_statements(learner_facts(step.learner), facts, settings()),
    )


def retry_failed() -> int:
    """Put every statement that gave up back in the queue (after the LRS is fixed)."""
    rows = db.session.scalars(
        select(LearningRecord).where(LearningRecord.status == StatementStatus.FAILED)
    ).all()
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = StatementStatus.PENDING, 0, utcnow()
    return len(rows)
