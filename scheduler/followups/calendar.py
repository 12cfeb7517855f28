"""A learner's follow-up steps as short calendar events, for their calendar feed and download.

Each step is one event, named ``follow-up-step-<id>@cohort-scheduler`` in every feed, at the
instant it is due (written in the learner's zone, like their sessions) and as long as it takes,
shown as free time, with no alarm (the step's e-mail is the reminder); its SEQUENCE rises each
time the step is re-dated.
Withdrawn and skipped steps are left out, and so is a review not yet sent: it is sent only if
items are due, so it may never happen. The event carries no link: the link is made when the
step is sent, and comes by e-mail.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.calendars.ics import CalendarEvent
from scheduler.extensions import db
from scheduler.followups import util
from scheduler.models import Cohort, FollowUpStep, StepKind, StepStatus

SHOWN = (StepStatus.PENDING, StepStatus.SENT, StepStatus.DONE)


def step_uid(step: FollowUpStep) -> str:
    return f"follow-up-step-{step.id}@cohort-scheduler"


def follow_up_events(learner_id: int) -> list[CalendarEvent]:
    """The learner's follow-up steps worth a place in their calendar, in time order."""
    steps = db.session.scalars(
        select(FollowUpStep)
        .where(FollowUpStep.learner_id == learner_id, FollowUpStep.status.in_(SHOWN))
        .options(
            selectinload(FollowUpStep.lesson),
            selectinload(FollowUpStep.cohort).selectinload(Cohort.program),
        )
        .order_by(FollowUpStep.due_at, FollowUpStep.id)
    )
    return [
        event_of_step(step)
        for step in steps
        if not (step.kind == StepKind.REVIEW and step.status == StepStatus.PENDING)
    ]


def event_of_step(step: FollowUpStep) -> CalendarEvent:
    """The calendar event of one step: a few minutes at its due time."""
    minutes = util.step_minutes(step)
    title = util.step_title(step)
    program = step.cohort.program.name
    done = step.status == StepStatus.DONE
    lines = [
        f"Follow-up to {program}, day {step.day_offset}: {title} ({minutes} minutes).",
        "Done, thank you." if done else "Your personal link comes by e-mail on the day.",
    ]
    return CalendarEvent(
        uid=step_uid(step),
        sequence=step.sequence,
        start=step.due_at,
        end=step.due_at + timedelta(minutes=minutes),
        summary=f"Follow-up: {title} ({minutes} min)",
        location="Online",
        description="\n".join(lines),
        last_modified=step.completed_at or step.sent_at or step.anchor_at,
        transparent=True,  # a few minutes of self-study: it should not block the day
    )
