"""Writes of the adjustments area: move, pin, lock and release sessions of a period.

Each write advances the period's version from the one the coordinator's page was rendered
with (``bump_period_version``), so a change made on a stale page is refused, and a draft
solved before a pin or move cannot be published over it. The caller commits.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from scheduler.adjustments.moves import Move, check_move, moved_documents
from scheduler.adjustments.util import database_id, pin_of, section_entry
from scheduler.audit.operations import record as audit
from scheduler.audit.wording import changes, name_of, shown
from scheduler.extensions import db
from scheduler.models import (
    Facilitator,
    PlanningPeriod,
    Room,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionSeat,
    SessionPin,
    User,
    VersionOrigin,
    VersionStatus,
)
from scheduler.planning.locking import lock_period
from scheduler.planning.publishing import bump_period_version
from scheduler.planning.versions import (
    problem_of,
    published_version,
    schedule_of,
    store_version,
)


class AdjustmentRefused(Exception):
    """A change that cannot be made; ``problems`` say why, in the coordinator's words."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def move_session(
    session: ScheduledSession,
    *,
    start: datetime,
    facilitator: str | None,
    room: str | None,
    expected_version: int,
    user: User | None,
) -> ScheduleVersion:
    """Store a new draft with ``session`` at ``start`` (UTC) with this facilitator and room
    (keys), and pin it there; refused with the broken rules when the checker finds any.

    Nothing is written when the move is refused or the period changed since ``expected_version``.
    """
    version = session.section.version
    period = version.period
    lock_period(period.id)
    if version.status == VersionStatus.SUPERSEDED:
        raise AdjustmentRefused(
            [f"Version {version.number} was replaced; move the session in a newer version."]
        )
    _refuse_if_locked(period, session)
    move = Move(session.section.key, session.position, start, facilitator, room)
    published = published_version(period)
    problem, schedule = moved_documents(
        problem_of(version),
        schedule_of(version),
        move,
        schedule_of(published) if published is not None else None,
    )
    problems = check_move(problem, schedule, move)
    if problems:
        raise AdjustmentRefused(problems)
    note = move_note(session)
    facilitator_id = database_id(version, "facilitators", facilitator)
    room_id = database_id(version, "rooms", room)
    lines = changes(
        _placement(session.start, session.facilitator_id, session.room_id, period.timezone),
        _placement(start, facilitator_id, room_id, period.timezone),
    )
    bump_period_version(period, expected_version)  # first: the draft is made at the new version
    draft = store_version(
        period,
        problem,
        schedule,
        origin=VersionOrigin.ADJUSTMENT,
        created_by=user,
        based_on=version,
        note=note,
    )
    _carry_late_joiners(version, draft)
    fixed = problem["fixed"][-1]
    _save_pin(period, fixed, facilitator_id=facilitator_id, room_id=room_id, locked=False)
    # A new facilitator or room at the same time is a swap, worded as one.
    moved = start != session.start
    summary = note if moved else note.replace("moved", "changed", 1)
    audit("move" if moved else "swap", period, f"{summary}: {'; '.join(lines)}", user)
    return draft


def _placement(start: datetime, facilitator_id, room_id, zone: str) -> dict:
    """A session's time, facilitator and room as the audit log shows them."""
    facilitator = db.session.get(Facilitator, facilitator_id) if facilitator_id else None
    room = db.session.get(Room, room_id) if room_id else None
    return {
        "time": shown(start, zone),
        "facilitator": shown(name_of(facilitator) if facilitator else None),
        "room": shown(room.name if room else None),
    }


def move_note(session: ScheduledSession) -> str:
    """How the versions list names a move: "moved Till basics section S3 session 2"."""
    section = session.section
    return f"moved {section.program.name} section {section.key} session {session.position + 1}"


def pin_session(session: ScheduledSession, expected_version: int, *, locked: bool = False) -> None:
    """Keep ``session`` as it is in every re-plan (``locked``: a published session locked)."""
    version = session.section.version
    if locked and version.status != VersionStatus.PUBLISHED:
        raise AdjustmentRefused(["Only sessions of the published schedule can be locked."])
    period = version.period
    fixed = {
        "section": session.section.key,
        "cohorts": section_entry(session)["cohorts"],
        "session": session.position,
        "start": session.start,
    }
    facilitator_id, room_id = session.facilitator_id, session.room_id
    lock_period(period.id)
    bump_period_version(period, expected_version)
    _save_pin(period, fixed, facilitator_id=facilitator_id, room_id=room_id, locked=locked)
    what = move_note(session).removeprefix("moved ")
    audit("lock" if locked else "pin", period, f"{'locked' if locked else 'pinned'} {what}")


def release_pin(pin: SessionPin, expected_version: int) -> None:
    """Unpin or unlock: the next re-plan may move the session again."""
    period = db.session.get(PlanningPeriod, pin.period_id)
    lock_period(period.id)
    bump_period_version(period, expected_version)
    what = f"section {pin.section_key} session {pin.position + 1}"
    action = "unlock" if pin.locked else "unpin"
    audit(action, period, f"{action}ed {what}")
    db.session.delete(pin)
    db.session.flush()


def _refuse_if_locked(period: PlanningPeriod, session: ScheduledSession) -> None:
    pin = pin_of(period, session.section.key, session.position)
    if pin is not None and pin.locked:
        raise AdjustmentRefused(["This session is locked; unlock it before moving it."])


def _save_pin(
    period: PlanningPeriod, fixed: dict, *, facilitator_id, room_id, locked: bool
) -> SessionPin:
    """Add or replace the period's pin of one section's session."""
    pin = pin_of(period, fixed["section"], fixed["session"])
    if pin is None:
        pin = SessionPin(
            period_id=period.id, section_key=fixed["section"], position=fixed["session"]
        )
        db.session.add(pin)
    start = fixed["start"]
    pin.start = datetime.fromisoformat(start) if isinstance(start, str) else start
    pin.facilitator_id = facilitator_id
    pin.room_id = room_id
    pin.cohorts_json = json.dumps(fixed["cohorts"], sort_keys=True)
    pin.locked = locked
    db.session.flush()
    return pin


def _carry_late_joiners(based_on: ScheduleVersion, draft: ScheduleVersion) -> None:
    """Late joiners seated in ``based_on`` keep their seat in a hand-made draft of it (the
    solver's counts do not include them, so ``store_version`` alone would drop them)."""
    late = db.session.execute(
        select(ScheduledSection.key, SectionSeat.learner_id, SectionSeat.cohort_id)
        .join(SectionSeat.section)
        .where(ScheduledSection.version_id == based_on.id, SectionSeat.late_joiner.is_(True))
    ).all()
    if not late:
        return
    sections = {section.key: section for section in draft.sections}
    seated = {seat.learner_id for section in draft.sections for seat in section.seats}
    for key, learner_id, cohort_id in late:
        if key in sections and learner_id not in seated:
            sections[key].seats.append(
                SectionSeat(learner_id=learner_id, cohort_id=cohort_id, late_joiner=True)
            )
    db.session.flush()
