"""Writes of broken sessions: record what a change saved anyway broke, and tell coordinators.

Everything is written in the caller's transaction (the caller commits once), the mail through
the outbox, so a change that fails to commit neither records breaks nor sends anything.
"""

from __future__ import annotations

from collections import defaultdict

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.adjustments.late_joiners import seats_freed
from scheduler.audit import operations as audit
from scheduler.breaks.util import Break
from scheduler.extensions import db
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message
from scheduler.models import (
    BrokenSession,
    Cohort,
    Facilitator,
    PlanningPeriod,
    Program,
    Role,
    ScheduledSection,
    ScheduleVersion,
    SectionSeat,
    User,
    VersionStatus,
)
from scheduler.planning.staleness import mark_drafts_stale

#: Say at most this many sessions in one mail; the period page lists them all.
LISTED_IN_MAIL = 20


def record_breaks(breaks: list[Break], change: str, user: User | None) -> list[BrokenSession]:
    """Record ``breaks`` (found by ``find_breaks`` for ``change``, described in words), mark the
    drafts of their periods stale and queue one mail per period to every coordinator."""
    rows = [
        BrokenSession(
            period_id=item.period_id,
            version_id=item.version_id,
            section_key=item.section_key,
            position=item.position,
            start=item.start,
            facilitator_id=_existing(Facilitator, item.facilitator_id),
            reason=" ".join(item.reasons),
            change=change,
            recorded_by_id=user.id if user else None,
        )
        for item in breaks
    ]
    db.session.add_all(rows)
    by_period: dict[int, list[Break]] = defaultdict(list)
    for item in breaks:
        by_period[item.period_id].append(item)
    mark_drafts_stale(list(by_period))
    for period_id, items in by_period.items():
        period = db.session.get(PlanningPeriod, period_id)
        summary = f"{change} breaks {_sessions(len(items))}: saved anyway"
        audit.record_by_person("broken sessions", summary, period, user)
        _tell_coordinators(period, items, change)
    db.session.flush()
    return rows


def _existing(model, row_id: int | None) -> int | None:
    """``row_id`` if that row still exists (a facilitator deleted since keeps the record)."""
    return row_id if row_id is not None and db.session.get(model, row_id) else None


def _tell_coordinators(period: PlanningPeriod, items: list[Break], change: str) -> None:
    """One mail to each enabled coordinator: what changed, which sessions, where to repair."""
    recipients = db.session.scalars(
        select(User.email).where(
            User.role == Role.COORDINATOR,
            User.is_enabled.is_(True),
        )
    ).all()
    link = url_for("planning.show", period_id=period.id, _external=True)
    lines = [f"- {item.session_name}: {' '.join(item.reasons)}" for item in items[:LISTED_IN_MAIL]]
    if len(items) > LISTED_IN_MAIL:
        lines.append(f"- and {len(items) - LISTED_IN_MAIL} more")
    text = "\n".join(
        [
            f"A change was saved that breaks {_sessions(len(items))} of the published plan "
            f"{period.name}:",
            "",
            change,
            "",
            *lines,
            "",
            f"Repair the plan from the period's page: {link}",
        ]
    )
    subject = f"{period.name}: {_sessions(len(items))} broken"
    for recipient in recipients:
        queue_message(compose(recipient, subject, text))


def _sessions(count: int) -> str:
    return "1 published session" if count == 1 else f"{count} published sessions"


def withdraw_from_published_plans(
    *, cohort: Cohort | None = None, program: Program | None = None
) -> set[ScheduleVersion]:
    """Before ``cohort`` or ``program`` is deleted, take its people out of the published plans
    and queue their cancellations (``seats_freed``, the path of learners leaving a cohort).

    The deletion's foreign-key cascade removes the cohort's seats (a program's whole sections)
    from the published version, and with them the rows that say what each person was sent;
    cancelling first is what keeps their calendars true. A deleted cohort's learners lose every
    seat, even in a section under way: the cohort is gone, not one learner. A deleted program's
    sessions lose their facilitator as well, so the facilitator's invitations are cancelled too.

    A cohort's sessions outlive it, so its learners' cancellations can wait for the change to be
    confirmed: for a cohort nothing is queued here, the caller passes the versions returned to
    ``cancel_withdrawn`` once the deletion stands (building them costs seconds on a large plan,
    wasted on a deletion only previewed). A program's sessions go with it: they are queued now.
    """
    query = (
        select(ScheduledSection)
        .join(ScheduledSection.version)
        .where(ScheduleVersion.status == VersionStatus.PUBLISHED)
        .options(
            selectinload(ScheduledSection.seats),
            selectinload(ScheduledSection.sessions),
            selectinload(ScheduledSection.version),
        )
    )
    if cohort is not None:
        query = query.join(ScheduledSection.seats).where(SectionSeat.cohort_id == cohort.id)
    else:
        query = query.where(ScheduledSection.program_id == program.id)
    sections = db.session.scalars(query.distinct()).all()
    for section in sections:
        for seat in list(section.seats):
            if cohort is None or seat.cohort_id == cohort.id:
                section.seats.remove(seat)  # delete-orphan: the row goes at the flush
        if cohort is None:
            for session in section.sessions:
                session.facilitator_id = None
    db.session.flush()
    versions = {section.version for section in sections}
    if cohort is None:
        cancel_withdrawn(versions)
    return versions


def cancel_withdrawn(versions: set[ScheduleVersion]) -> None:
    """Queue the cancellations of the people ``withdraw_from_published_plans`` took out."""
    for version in versions:
        seats_freed.send(version)
