"""Reads of the adjustments area: a version's sessions, the choices of a move, pins, waiting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from scheduler.adjustments.moves import Move, check_move, moved_documents
from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    PlanningPeriod,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SessionPin,
    VersionStatus,
    WaitingLearner,
)
from scheduler.planning.versions import problem_of, published_version, schedule_of
from scheduler.sorting import naturally
from solver.alternatives import (
    Alternative,
    alternatives,
    people_affected,
    total_cost,
    what_changes,
)

#: The value of the room select meaning "no room" (virtual programs).
NO_ROOM = ""


def sections_of(version: ScheduleVersion) -> list[ScheduledSection]:
    """The version's sections with program, cohorts, sessions, facilitators and rooms loaded,
    in natural order of their keys (S2 before S10)."""
    return naturally(
        db.session.scalars(
            select(ScheduledSection)
            .where(ScheduledSection.version_id == version.id)
            .options(
                joinedload(ScheduledSection.program),
                selectinload(ScheduledSection.cohorts),
                selectinload(ScheduledSection.sessions).options(
                    joinedload(ScheduledSession.facilitator),
                    joinedload(ScheduledSession.room),
                ),
            )
        ),
        key=lambda section: section.key,
    )


def pins_of(period: PlanningPeriod) -> list[SessionPin]:
    """The period's pinned and locked sessions, by section and session."""
    return list(
        db.session.scalars(
            select(SessionPin)
            .where(SessionPin.period_id == period.id)
            .options(joinedload(SessionPin.facilitator), joinedload(SessionPin.room))
            .order_by(SessionPin.section_key, SessionPin.position)
        )
    )


def pin_of(period: PlanningPeriod, section_key: str, position: int) -> SessionPin | None:
    return db.session.scalar(
        select(SessionPin).where(
            SessionPin.period_id == period.id,
            SessionPin.section_key == section_key,
            SessionPin.position == position,
        )
    )


def drafts_of(period: PlanningPeriod) -> list[ScheduleVersion]:
    """The period's drafts, newest first."""
    return list(
        db.session.scalars(
            select(ScheduleVersion)
            .where(
                ScheduleVersion.period_id == period.id,
                ScheduleVersion.status == VersionStatus.DRAFT,
            )
            .order_by(ScheduleVersion.number.desc())
        )
    )


def waiting_learners(period: PlanningPeriod) -> list[WaitingLearner]:
    """Learners waiting for a seat in a cohort of the period's programs (all programs if none)."""
    query = (
        select(WaitingLearner)
        .join(WaitingLearner.cohort)
        .options(
            contains_eager(WaitingLearner.cohort).joinedload(Cohort.program),
            joinedload(WaitingLearner.learner),
        )
        .order_by(Cohort.key, WaitingLearner.created_at)
    )
    program_ids = [p.id for p in period.programs]
    if program_ids:
        query = query.where(Cohort.program_id.in_(program_ids))
    return list(db.session.scalars(query))


# --- the move form's choices, from the version's own problem ------------------------------------


def section_entry(session: ScheduledSession) -> dict:
    """The schedule document's entry of the session's section."""
    schedule = schedule_of(session.section.version)
    return next(s for s in schedule["sections"] if s["id"] == session.section.key)


def facilitator_choices(version: ScheduleVersion, session: ScheduledSession) -> list[tuple]:
    """(key, name) of the facilitators of the version's problem who have the program's skill
    (anyone when the program needs none), the session's own facilitator always included."""
    problem = problem_of(version)
    program = _program(problem, session.section.program.key)
    current = session.facilitator.key if session.facilitator else None
    return [
        (entry["id"], entry.get("name") or entry["id"])
        for entry in problem["facilitators"]
        if not program.get("skill")
        or program["skill"] in entry.get("skills", [])
        or entry["id"] == current
    ]


def room_choices(version: ScheduleVersion, session: ScheduledSession) -> list[tuple]:
    """(key, label) of the rooms at the section's sites; only "no room" for a virtual program."""
    problem = problem_of(version)
    program = _program(problem, session.section.program.key)
    if program["mode"] == "virtual":
        return [(NO_ROOM, "No room (virtual)")]
    cohort_sites = {c["id"]: c.get("site") for c in problem["cohorts"]}
    sites = {cohort_sites.get(part["cohort"]) for part in section_entry(session)["cohorts"]}
    return [
        (
            entry["id"],
            f"{entry.get('name') or entry['id']} ({entry['site']}, {entry['capacity']} seats)",
        )
        for entry in problem["rooms"]
        if entry["site"] in sites
    ]


def database_id(version: ScheduleVersion, kind: str, key: str | None) -> int | None:
    """The database id of a facilitator or room key of the version's problem (its ``x-id``)."""
    if key is None:
        return None
    for entry in problem_of(version)[kind]:
        if entry["id"] == key:
            return entry["x-id"]
    return None


def _program(problem: dict, key: str) -> dict:
    return next(p for p in problem["programs"] if p["id"] == key)


# --- the move assistant -------------------------------------------------------------------------


def published_document(version: ScheduleVersion) -> dict | None:
    """The period's published schedule: a move's ``changes`` cost counts against it."""
    published = published_version(version.period)
    return schedule_of(published) if published is not None else None


def move_alternatives(session: ScheduledSession) -> list[Alternative]:
    """The session's valid alternatives (time, facilitator, room), best first; see
    ``solver.alternatives``."""
    version = session.section.version
    return alternatives(
        problem_of(version),
        schedule_of(version),
        session.section.key,
        session.position,
        published=published_document(version),
    )


@dataclass(frozen=True)
class MovePreview:
    """What one move would do, before it is made: the refusal, or the cost change and who is
    affected."""

    refusals: list[str]
    cost_change: float | None
    people: int
    changes: tuple[str, ...]


def preview_move(session: ScheduledSession, move: Move) -> MovePreview:
    """Check ``move`` of ``session`` as the move operation will, without saving anything."""
    version = session.section.version
    published = published_document(version)
    problem, schedule = problem_of(version), schedule_of(version)
    moved_problem, moved = moved_documents(problem, schedule, move, published)
    found = check_move(moved_problem, moved, move)
    changes = what_changes(
        (session.start, key_of(session.facilitator), key_of(session.room)),
        (move.start, move.facilitator, move.room),
    )
    learners = sum(part["learners"] for part in section_entry(session)["cohorts"])
    people = people_affected(learners, changes)
    if found:
        return MovePreview(found, None, people, changes)
    change = moved["cost"]["total"] - total_cost(problem, schedule, published)
    return MovePreview([], round(change, 2), people, changes)


def key_of(row) -> str | None:
    """A facilitator's or room's key (None for none)."""
    return row.key if row is not None else None


def names_of(version: ScheduleVersion, kind: str) -> dict[str, str]:
    """Facilitators' or rooms' names by key, from the version's problem."""
    return {e["id"]: e.get("name") or e["id"] for e in problem_of(version)[kind]}
