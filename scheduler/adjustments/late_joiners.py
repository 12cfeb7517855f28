"""Late joiners: a learner added to a cohort after its program's schedule was published.

The published schedule is not re-planned for one person: the learner takes a free seat in a
published section that fits the cohort (its own sections first, then others at its site, or
any for a virtual program), or waits for the next re-plan with the reason written down.
Sections that have started are not offered: the learner would miss a session.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from blinker import Namespace
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import selectinload

from scheduler.audit import operations as audit
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    Learner,
    ProgramMode,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionCohort,
    SectionSeat,
    VersionStatus,
    WaitingLearner,
)
from scheduler.planning.publishing import schedule_published
from solver.problem import WEEKDAYS

signals = Namespace()
#: Sent as ``learner_seated.send(seat)`` when a late joiner gets a seat (calendar invites).
learner_seated = signals.signal("learner-seated")
#: Sent as ``seats_freed.send(version)`` when learners leaving a cohort free seats of a published
#: version (calendar cancellations).
seats_freed = signals.signal("seats-freed")

MINUTES_PER_DAY = 24 * 60
REASON_LENGTH = 400


def place_late_joiners(cohort: Cohort, learner_ids: list[int]) -> None:
    """Seat (or put on the waiting list) each of these learners just added to ``cohort``."""
    if not learner_ids or not _published_sections(cohort):
        return  # nothing published for the program: the next plan includes them
    learners = db.session.scalars(select(Learner).where(Learner.id.in_(learner_ids)))
    for learner in sorted(learners, key=lambda learner: learner.key):
        _record(cohort, learner, place_late_joiner(cohort, learner))


def _record(cohort: Cohort, learner: Learner, placed: SectionSeat | WaitingLearner | None) -> None:
    who = f"late joiner {learner.name} (cohort {cohort.key})"
    if isinstance(placed, SectionSeat):
        section = placed.section
        where = f"{section.program.name} section {section.key}"
        audit.record_by_person("late joiner", f"{who}: seated in {where}", section.version.period)
    elif isinstance(placed, WaitingLearner):
        audit.record_by_person("late joiner", f"{who}: on the waiting list ({placed.reason})")


def place_late_joiner(
    cohort: Cohort, learner: Learner, now: datetime | None = None
) -> SectionSeat | WaitingLearner | None:
    """Give ``learner``, new in ``cohort``, a free seat in a fitting published section, or a
    place on the waiting list with the reason; None when there is nothing to do (no published
    section of the program, or the learner already has a seat in one)."""
    sections = _published_sections(cohort)
    if not sections or any(s.learner_id == learner.id for x in sections for s in x.seats):
        return None
    now = now or utcnow()
    busy = _busy_times(learner)
    reasons = []
    for section in _candidates(cohort, sections):
        why = unfit_reason(cohort, section, busy, now)
        if why is None:
            return _seat(cohort, learner, section)
        reasons.append(f"section {section.key} {why}")
    if not reasons:
        where = f" at {cohort.site.name}" if _in_person(cohort) and cohort.site else ""
        reasons.append(f"no published section of {cohort.program.name}{where}")
    return _wait(cohort, learner, "; ".join(reasons))


def free_seats_of_leavers(
    cohort: Cohort, learner_ids: list[int], now: datetime | None = None
) -> int:
    """Learners taken out of ``cohort`` give up their seats in its published sections that have
    not started (the next late joiner may take them; their calendars get a cancellation) and
    leave its waiting list. A section under way keeps its seats: the learner may have attended
    part of it. Returns the number of seats freed."""
    if not learner_ids:
        return 0
    now = now or utcnow()
    seats = db.session.scalars(
        select(SectionSeat)
        .join(SectionSeat.section)
        .join(ScheduledSection.version)
        .where(
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            SectionSeat.cohort_id == cohort.id,
            SectionSeat.learner_id.in_(learner_ids),
        )
        .options(selectinload(SectionSeat.section).selectinload(ScheduledSection.sessions))
    ).all()
    freed = [seat for seat in seats if _first_start(seat.section) > now]
    versions = {seat.section.version for seat in freed}
    for seat in freed:
        seat.section.seats.remove(seat)  # delete-orphan: the row goes at the flush
    db.session.execute(
        delete(WaitingLearner).where(
            WaitingLearner.cohort_id == cohort.id, WaitingLearner.learner_id.in_(learner_ids)
        )
    )
    db.session.flush()
    for version in versions:
        seats_freed.send(version)
    return len(freed)


def other_sections(seat: SectionSeat, now: datetime | None = None) -> list[ScheduledSection]:
    """The published sections ``seat``'s learner could move to instead of theirs: the same
    program, a free seat, inside the cohort's days, hours, dates and blocks, and no clash with
    the learner's other sessions (the rules a late joiner's seat meets)."""
    now = now or utcnow()
    cohort = seat.cohort
    busy = _busy_times(seat.learner, besides=seat.section_id)
    return [
        section
        for section in _candidates(cohort, _published_sections(cohort))
        if section.id != seat.section_id and unfit_reason(cohort, section, busy, now) is None
    ]


class SeatRefused(ValueError):
    """The section can no longer take the learner (filled meanwhile, or never fitted)."""


def move_learner(
    seat: SectionSeat, section: ScheduledSection, now: datetime | None = None
) -> SectionSeat:
    """Move ``seat``'s learner to ``section``, a fitting one of ``other_sections``: the old
    seat goes, and the new one is taken as a late joiner's is, so the same hooks send the
    CANCEL of the old sessions and the REQUEST of the new, and re-date the follow-ups."""
    # Two learners clicking for the last seat: the first to lock the section takes it, the
    # second counts its seats after that commit (SQLite serialises writers anyway).
    db.session.execute(
        select(ScheduledSection.id).where(ScheduledSection.id == section.id).with_for_update()
    )
    db.session.expire(section, ["seats"])
    if section not in other_sections(seat, now):
        raise SeatRefused(f"Section {section.key} has no fitting free seat any more.")
    cohort, learner, late = seat.cohort, seat.learner, seat.late_joiner
    seat.section.seats.remove(seat)  # delete-orphan: the row goes at the flush
    db.session.flush()
    moved = _seat(cohort, learner, section)
    moved.late_joiner = late
    return moved


def wait_instead(seat: SectionSeat, reason: str, now: datetime | None = None) -> WaitingLearner:
    """The learner gives up ``seat`` (before its section starts) for the waiting list: their
    invitations are cancelled (``seats_freed``) and the next re-plan seats them."""
    cohort, learner, version = seat.cohort, seat.learner, seat.section.version
    if _first_start(seat.section) <= (now or utcnow()):
        raise SeatRefused("The section has already started.")
    seat.section.seats.remove(seat)
    db.session.flush()
    seats_freed.send(version)
    return _wait(cohort, learner, reason)


def unfit_reason(
    cohort: Cohort, section: ScheduledSection, busy: list[tuple[datetime, datetime]], now
) -> str | None:
    """Why ``section`` cannot take one more learner of ``cohort``, or None when it can."""
    for check in (_full, _started, _outside_dates, _outside_hours, _blocked):
        why = check(cohort, section, now)
        if why:
            return why
    if any(s.start < end and start < s.end for s in section.sessions for start, end in busy):
        return "clashes with another session of the learner"
    return None


# --- the rules a section must meet --------------------------------------------------------------


def _full(cohort: Cohort, section: ScheduledSection, now) -> str | None:
    taken = len(section.seats)
    if taken >= section.seats_max:
        return f"is full ({taken} of {section.seats_max} seats)"
    rooms = [s.room for s in section.sessions if s.room is not None]
    small = min(rooms, key=lambda room: room.capacity, default=None)
    if small is not None and taken >= small.capacity:
        return f"is full (room {small.name} seats {small.capacity})"
    return None


def _started(cohort: Cohort, section: ScheduledSection, now) -> str | None:
    if any(session.start <= now for session in section.sessions):
        return "has already started"
    return None


def _outside_dates(cohort: Cohort, section: ScheduledSection, now) -> str | None:
    zone = ZoneInfo(cohort.timezone)
    first = min(s.start for s in section.sessions).astimezone(zone).date()
    last = max(s.end for s in section.sessions).astimezone(zone).date()
    if cohort.deadline is not None and last > cohort.deadline:
        return f"ends after the cohort's deadline {cohort.deadline.isoformat()}"
    if cohort.earliest is not None and first < cohort.earliest:
        return f"starts before the cohort's earliest start {cohort.earliest.isoformat()}"
    return None


def _outside_hours(cohort: Cohort, section: ScheduledSection, now) -> str | None:
    zone = ZoneInfo(cohort.timezone)
    for session in section.sessions:
        start, end = session.start.astimezone(zone), session.end.astimezone(zone)
        if not _within_hours(cohort, start, end):
            return f"is outside the cohort's hours ({start:%a %d %b %H:%M} {start.tzname()})"
    return None


def _within_hours(cohort: Cohort, start: datetime, end: datetime) -> bool:
    """Whether local ``start``–``end`` lies in one of the cohort's attendance days and hours."""
    if WEEKDAYS[start.weekday()] not in cohort.weekdays:
        return False
    opens = cohort.hours_from.hour * 60 + cohort.hours_from.minute
    closes = cohort.hours_to.hour * 60 + cohort.hours_to.minute or MINUTES_PER_DAY
    begins = start.hour * 60 + start.minute
    ends = (end.date() - start.date()).days * MINUTES_PER_DAY + end.hour * 60 + end.minute
    return opens <= begins and ends <= closes


def _blocked(cohort: Cohort, section: ScheduledSection, now) -> str | None:
    for block in cohort.blocks:
        if any(s.start < block.end and block.start < s.end for s in section.sessions):
            return "falls in a blocked period of the cohort" + (
                f" ({block.reason})" if block.reason else ""
            )
    return None


# --- queries and writes -------------------------------------------------------------------------


def _published_sections(cohort: Cohort) -> list[ScheduledSection]:
    """Published sections of the cohort's program, with seats, cohorts and sessions loaded."""
    return list(
        db.session.scalars(
            select(ScheduledSection)
            .join(ScheduledSection.version)
            .where(
                ScheduleVersion.status == VersionStatus.PUBLISHED,
                ScheduledSection.program_id == cohort.program_id,
            )
            .options(
                selectinload(ScheduledSection.seats),
                selectinload(ScheduledSection.cohorts).joinedload(SectionCohort.cohort),
                selectinload(ScheduledSection.sessions).joinedload(ScheduledSession.room),
            )
            .order_by(ScheduledSection.id)
        )
    )


def _candidates(cohort: Cohort, sections: list[ScheduledSection]) -> list[ScheduledSection]:
    """The cohort's own sections first, then (if it may share) others at its site, or any
    section for a virtual program; each group by first session."""
    own = [s for s in sections if any(part.cohort_id == cohort.id for part in s.cohorts)]
    others = []
    if cohort.mergeable:
        others = [
            s
            for s in sections
            if s not in own
            and (
                not _in_person(cohort) or any(p.cohort.site_id == cohort.site_id for p in s.cohorts)
            )
        ]
    return sorted(own, key=_first_start) + sorted(others, key=_first_start)


def _first_start(section: ScheduledSection) -> datetime:
    return min(session.start for session in section.sessions)


def _in_person(cohort: Cohort) -> bool:
    return cohort.program.mode == ProgramMode.IN_PERSON


def _busy_times(learner: Learner, besides: int | None = None) -> list[tuple[datetime, datetime]]:
    """When the learner already sits in a published session (of any program; not counting
    the section ``besides``, the one they leave)."""
    query = (
        select(ScheduledSession.start, ScheduledSession.end)
        .join(ScheduledSession.section)
        .join(ScheduledSection.version)
        .join(SectionSeat, SectionSeat.section_id == ScheduledSection.id)
        .where(
            SectionSeat.learner_id == learner.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
        )
    )
    if besides is not None:
        query = query.where(ScheduledSection.id != besides)
    return [(start, end) for start, end in db.session.execute(query)]


def _seat(cohort: Cohort, learner: Learner, section: ScheduledSection) -> SectionSeat:
    seat = SectionSeat(learner_id=learner.id, cohort_id=cohort.id, late_joiner=True)
    section.seats.append(seat)
    db.session.execute(
        delete(WaitingLearner).where(
            WaitingLearner.cohort_id == cohort.id, WaitingLearner.learner_id == learner.id
        )
    )
    db.session.flush()
    learner_seated.send(seat)
    return seat


def _wait(cohort: Cohort, learner: Learner, reason: str) -> WaitingLearner:
    waiting = db.session.scalar(
        select(WaitingLearner).where(
            WaitingLearner.cohort_id == cohort.id, WaitingLearner.learner_id == learner.id
        )
    )
    if waiting is None:
        waiting = WaitingLearner(cohort_id=cohort.id, learner_id=learner.id)
        db.session.add(waiting)
    waiting.reason = _shorten(reason)
    db.session.flush()
    return waiting


def _shorten(text: str) -> str:
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


@schedule_published.connect
def clear_seated_waiting(period, version: ScheduleVersion, **_) -> None:
    """A newly published version seats waiting learners of its cohorts: they wait no more."""
    seated = exists().where(
        SectionSeat.learner_id == WaitingLearner.learner_id,
        SectionSeat.cohort_id == WaitingLearner.cohort_id,
        SectionSeat.section_id == ScheduledSection.id,
        ScheduledSection.version_id == version.id,
    )
    db.session.execute(
        delete(WaitingLearner).where(seated), execution_options={"synchronize_session": False}
    )
