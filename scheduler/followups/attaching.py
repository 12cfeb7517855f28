"""Attaching follow-up steps to learners, and shifting or withdrawing them as the plan changes.

- On publish (``schedule_published``, in the publish transaction) every seated learner gets
  their program template's steps, dated from their section's last session; pending steps of a
  re-planned workshop move with it, steps already sent or done stay as they are; learners who
  lost their seat have their pending steps withdrawn.
- A late joiner who gets a seat (``learner_seated``) gets the steps of that seat.
- A learner taken out of a cohort, or marked absent, has their pending steps withdrawn.
- Steps attached late (the plan published after the workshop, a learner seated in a past
  section) are re-dated from now, keeping their order and spacing (``dating.catch_up_anchor``);
  a re-publish keeps that re-dating instead of starting it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.orm import aliased, selectinload

from scheduler.adjustments.late_joiners import learner_seated
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.followups.dating import catch_up_anchor, is_stale, step_due
from scheduler.models import (
    Attendance,
    Audience,
    FollowUpStep,
    Learner,
    PlanningPeriod,
    ScheduledSection,
    ScheduleVersion,
    SectionCohort,
    SectionSeat,
    SequenceTemplate,
    StepStatus,
    User,
    VersionStatus,
)
from scheduler.planning.publishing import schedule_published

NO_LONGER_SEATED = "no longer seated in a published section"
LEFT_COHORT = "left the cohort"
NO_SHOW = "did not attend"
TEMPLATE_CHANGED = "no longer in the template"


@schedule_published.connect
def on_schedule_published(
    period: PlanningPeriod, version: ScheduleVersion, previous: ScheduleVersion | None = None
) -> None:
    """The publish hook: bring every learner's steps in line with ``version``."""
    attach_version(version, previous)


@learner_seated.connect
def on_learner_seated(seat: SectionSeat) -> None:
    """A late joiner got a seat in a published section: give them the sequence."""
    if seat.section.version.status == VersionStatus.PUBLISHED:
        attach_seat(seat)


def attach_version(
    version: ScheduleVersion, previous: ScheduleVersion | None = None, now: datetime | None = None
) -> None:
    """Attach, shift and withdraw steps so that they match the seats of ``version``."""
    now = now or utcnow()
    seats = db.session.scalars(
        select(SectionSeat)
        .join(SectionSeat.section)
        .where(ScheduledSection.version_id == version.id)
        .options(
            selectinload(SectionSeat.section).selectinload(ScheduledSection.sessions),
            selectinload(SectionSeat.section).selectinload(ScheduledSection.program),
            selectinload(SectionSeat.learner),
        )
    ).all()
    known = _Known.of([seat.learner for seat in seats])
    seated = set()
    for seat in seats:
        attach_seat(seat, now, known)
        seated.add((seat.learner_id, seat.cohort_id))
    db.session.flush()
    versions = [version.id] + ([previous.id] if previous is not None else [])
    cohort_ids = set(
        db.session.scalars(
            select(SectionCohort.cohort_id)
            .join(SectionCohort.section)
            .where(ScheduledSection.version_id.in_(versions))
        )
    )
    if not cohort_ids:
        return
    pending = db.session.scalars(
        select(FollowUpStep).where(
            FollowUpStep.cohort_id.in_(cohort_ids), FollowUpStep.status == StepStatus.PENDING
        )
    )
    for step in pending:
        if (step.learner_id, step.cohort_id) not in seated:
            _withdraw(step, NO_LONGER_SEATED)


@dataclass
class _Known:
    """What attaching needs to know about many learners, read in a few queries: a publish
    attaches the steps of every seat of the plan (thousands in the demo) in one request."""

    steps: dict[tuple[int, int], list[FollowUpStep]]  # (learner, cohort) → template steps
    absent: set[tuple[int, int]]  # (learner, cohort) marked absent
    managers: set[int]  # learners who manage someone
    templates: dict[tuple[int, Audience], SequenceTemplate | None] = field(default_factory=dict)

    @classmethod
    def of(cls, learners: list[Learner]) -> _Known:
        ids = list({learner.id for learner in learners})
        steps: dict[tuple[int, int], list[FollowUpStep]] = {}
        absent: set[tuple[int, int]] = set()
        managers: set[int] = set()
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for step in db.session.scalars(
                select(FollowUpStep).where(
                    FollowUpStep.learner_id.in_(chunk), FollowUpStep.extra.is_(False)
                )
            ):
                steps.setdefault((step.learner_id, step.cohort_id), []).append(step)
            absent.update(
                db.session.execute(
                    select(Attendance.learner_id, Attendance.cohort_id).where(
                        Attendance.learner_id.in_(chunk), Attendance.attended.is_(False)
                    )
                ).tuples()
            )
            report = aliased(Learner)
            managers.update(
                db.session.scalars(
                    select(Learner.id)
                    .join(User, User.email == Learner.email)
                    .where(
                        Learner.id.in_(chunk),
                        exists().where(report.manager_id == User.id),
                    )
                )
            )
        return cls(steps, absent, managers)

    def template(self, program_id: int, learner: Learner) -> SequenceTemplate | None:
        audience = Audience.MANAGERS if learner.id in self.managers else Audience.STAFF
        key = (program_id, audience)
        if key not in self.templates:
            self.templates[key] = _template(program_id, audience)
        return self.templates[key]


def attach_seat(
    seat: SectionSeat, now: datetime | None = None, known: _Known | None = None
) -> None:
    """Give the learner of ``seat`` the steps of their template, or move their pending ones."""
    sessions = seat.section.sessions
    learner = seat.learner
    alone = known is None  # a late joiner or a correction: flush now; a publish flushes once
    known = known or _Known.of([learner])
    if not sessions or (learner.id, seat.cohort_id) in known.absent:
        return
    anchor = max(session.end for session in sessions)
    existing = known.steps.setdefault((learner.id, seat.cohort_id), [])
    by_template_step = {step.template_step_id: step for step in existing}
    template = known.template(seat.section.program_id, learner)
    pending, added = [], []
    for template_step in template.steps if template is not None else []:
        step = by_template_step.get(template_step.id)
        if step is None:
            step = FollowUpStep(
                learner_id=learner.id,
                cohort_id=seat.cohort_id,
                template_step_id=template_step.id,
                kind=template_step.kind,
                lesson_id=template_step.lesson_id,
                day_offset=template_step.day_offset,
                review_question_ids=[],
            )
            db.session.add(step)
            step.status = StepStatus.PENDING
            added.append(step)
        elif step.status == StepStatus.WITHDRAWN and step.withdrawn_reason != NO_SHOW:
            step.status = StepStatus.PENDING  # back in the cohort, or seated again
            step.withdrawn_reason = ""
        if step.status == StepStatus.PENDING:
            pending.append(step)
    if pending:
        anchor = _anchor_for(anchor, pending, existing, learner.timezone, now or utcnow())
    for step in pending:
        due = step_due(anchor, step.day_offset, learner.timezone)
        if step.due_at is not None and step.due_at != due:
            step.sequence = (step.sequence or 0) + 1  # calendars move the event, not add one
        step.anchor_at = anchor
        step.due_at = due
    current = {template_step.id for template_step in template.steps} if template else set()
    for step in existing:  # made from a step the template no longer has, or another variant
        if step.status == StepStatus.PENDING and step.template_step_id not in current:
            _withdraw(step, TEMPLATE_CHANGED)
    existing.extend(added)  # a second seat of the same learner and cohort sees them
    if alone:
        db.session.flush()


def _anchor_for(
    anchor: datetime,
    pending: list[FollowUpStep],
    existing: list[FollowUpStep],
    zone: str,
    now: datetime,
) -> datetime:
    """The instant to date ``pending`` steps from: the section's last session end, unless the
    first of them fell due long ago; then the re-dated anchor they already have (a re-publish),
    else a new one from ``now``."""
    first = min(step.day_offset for step in pending)
    if not is_stale(anchor, first, zone, now):
        return anchor
    before = [
        step.anchor_at
        for step in existing
        if step.status != StepStatus.WITHDRAWN and step.anchor_at is not None
    ]
    if before and max(before) > anchor and not is_stale(max(before), first, zone, now):
        return max(before)
    return catch_up_anchor(anchor, first, zone, now)


def template_for(program_id: int, learner: Learner) -> SequenceTemplate | None:
    """The template for ``learner`` in this program: the program's own before the default,
    the learner's variant (managers or staff) before the one for everyone."""
    audience = Audience.MANAGERS if manages_anyone(learner) else Audience.STAFF
    return _template(program_id, audience)


def _template(program_id: int, audience: Audience) -> SequenceTemplate | None:
    templates = db.session.scalars(
        select(SequenceTemplate)
        .where(
            (SequenceTemplate.program_id == program_id) | SequenceTemplate.program_id.is_(None),
            SequenceTemplate.audience.in_([audience, Audience.EVERYONE]),
        )
        .options(selectinload(SequenceTemplate.steps))
        .order_by(SequenceTemplate.id)
    ).all()

    def preference(template: SequenceTemplate) -> tuple[int, int]:
        return (template.program_id is None, template.audience == Audience.EVERYONE)

    return min(templates, key=preference, default=None)


def manages_anyone(learner: Learner) -> bool:
    """Whether the learner is a manager: their address is a user some learner reports to."""
    return bool(
        db.session.scalar(
            select(exists().where(User.email == learner.email, Learner.manager_id == User.id))
        )
    )


def withdraw_learners(cohort_id: int, learner_ids: list[int], reason: str = LEFT_COHORT) -> int:
    """Withdraw the pending steps of these learners in this cohort; returns how many."""
    if not learner_ids:
        return 0
    result = db.session.execute(
        update(FollowUpStep)
        .where(
            FollowUpStep.cohort_id == cohort_id,
            FollowUpStep.learner_id.in_(learner_ids),
            FollowUpStep.status == StepStatus.PENDING,
        )
        .values(status=StepStatus.WITHDRAWN, withdrawn_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def _withdraw(step: FollowUpStep, reason: str) -> None:
    step.status = StepStatus.WITHDRAWN
    step.withdrawn_reason = reason
