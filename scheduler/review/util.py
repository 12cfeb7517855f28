"""Reads of the review area: a version with its rows, its costs, its calendar and its diff.

A version is loaded once with everything its pages show (sections, cohorts, seats, sessions,
facilitators, rooms and sites) so that a page costs a fixed number of queries however large
the schedule is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import (
    Facilitator,
    PlanningPeriod,
    Room,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionCohort,
    SectionSeat,
    VersionStatus,
)
from scheduler.planning.versions import problem_of
from scheduler.review.diff import Diff, Person, Session, diff
from scheduler.sorting import naturally

#: The cost items of the schedule document, in the order and words the page uses.
COST_ITEMS = (
    ("facilitators", "Facilitators"),
    ("travel", "Travel"),
    ("rooms", "Rooms"),
    ("seats", "Seats"),
    ("preferences", "If-need-be hours"),
    ("unscheduled", "Learners left out"),
    ("changes", "Changes to the published plan"),
)

_ROWS = (
    selectinload(ScheduleVersion.period),
    selectinload(ScheduleVersion.sections).selectinload(ScheduledSection.program),
    selectinload(ScheduleVersion.sections)
    .selectinload(ScheduledSection.cohorts)
    .selectinload(SectionCohort.cohort),
    selectinload(ScheduleVersion.sections)
    .selectinload(ScheduledSection.seats)
    .selectinload(SectionSeat.learner),
    selectinload(ScheduleVersion.sections)
    .selectinload(ScheduledSection.sessions)
    .selectinload(ScheduledSession.facilitator)
    .selectinload(Facilitator.user),
    selectinload(ScheduleVersion.sections)
    .selectinload(ScheduledSection.sessions)
    .selectinload(ScheduledSession.room)
    .selectinload(Room.site),
)


def load_version(version_id: int) -> ScheduleVersion | None:
    """The version with all the rows its pages show, or None."""
    return db.session.get(ScheduleVersion, version_id, options=_ROWS)


def published_with_rows(period: PlanningPeriod) -> ScheduleVersion | None:
    """The period's published version with all its rows, or None."""
    return db.session.scalar(
        select(ScheduleVersion)
        .where(
            ScheduleVersion.period_id == period.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
        )
        .options(*_ROWS)
    )


# --- costs and solver status ---------------------------------------------------------------------


def cost_lines(schedule: dict) -> list[tuple[str, float]]:
    """(label, amount) of each cost item; items that are zero in both meaning and amount drop out."""
    cost = schedule["cost"]
    always = {"facilitators", "travel", "rooms", "seats"}
    return [
        (label, cost.get(key, 0.0))
        for key, label in COST_ITEMS
        if key in always or cost.get(key, 0.0)
    ]


def against_greedy(total: float, greedy: float | None) -> str | None:
    """How the plan compares with the greedy plan of the same problem, in words; None if unknown."""
    if not greedy:
        return None
    change = (greedy - total) / greedy * 100
    if round(change, 1) == 0:
        return "the same cost as the greedy plan"
    side = "below" if change > 0 else "above"
    return f"{abs(change):.1f}% {side} the greedy plan"


def solver_summary(schedule: dict) -> dict:
    """Status, proven bound and gap as the page words them."""
    solver = schedule.get("solver") or {}
    status = schedule["status"]
    return {
        "status": status,
        "meaning": {
            "optimal": "proven optimal: no cheaper schedule exists",
            "feasible": "a valid schedule, not proven to be the cheapest",
        }.get(status, "no schedule"),
        "bound": schedule.get("lower_bound", solver.get("bound")),
        "gap": solver.get("gap"),
        "seconds": solver.get("wall_seconds"),
    }


# --- sections and learners left out --------------------------------------------------------------


def unscheduled(version: ScheduleVersion, schedule: dict) -> list[dict]:
    """Each cohort with learners left out: its name, how many, and the solver's reasons."""
    names = {c["id"]: c.get("name") or c["id"] for c in problem_of(version)["cohorts"]}
    return [
        {
            "cohort": names.get(entry["cohort"], entry["cohort"]),
            "learners": entry["learners"],
            "reasons": entry.get("reasons", []),
        }
        for entry in schedule.get("unscheduled", [])
    ]


@dataclass(frozen=True)
class SectionPage:
    """One page of a version's sections table: its sections (rows loaded), which page of how
    many, the place of its first section and how many sections there are in all."""

    sections: list[ScheduledSection]
    shown: int
    pages: int
    first: int
    count: int


def section_page(version_id: int, shown: int, per_page: int) -> SectionPage:
    """Page ``shown`` (from 1; past the end: the last) of the version's sections in natural
    order of their keys (S2 before S10). Only that page's rows are loaded."""
    keys = db.session.execute(
        select(ScheduledSection.id, ScheduledSection.key).where(
            ScheduledSection.version_id == version_id
        )
    ).all()
    ordered = naturally(keys, key=lambda row: row.key)
    pages = max(1, -(-len(ordered) // per_page))
    shown = min(shown, pages)
    first = (shown - 1) * per_page
    ids = [row.id for row in ordered[first : first + per_page]]
    rows = db.session.scalars(
        select(ScheduledSection)
        .where(ScheduledSection.id.in_(ids))
        .options(
            selectinload(ScheduledSection.program),
            selectinload(ScheduledSection.cohorts).selectinload(SectionCohort.cohort),
            selectinload(ScheduledSection.sessions),
        )
    )
    by_id = {section.id: section for section in rows}
    return SectionPage([by_id[i] for i in ids], shown, pages, first, len(ordered))


def learners_seated(version_id: int) -> int:
    """How many learners the version seats (a sum in the database, no rows loaded)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(SectionCohort.learners), 0))
        .join(SectionCohort.section)
        .where(ScheduledSection.version_id == version_id)
    )


# --- the diff ------------------------------------------------------------------------------------


def sessions_of(version: ScheduleVersion | None) -> list[Session]:
    """The version's sessions as the diff compares them (no version: none)."""
    if version is None:
        return []
    out = []
    for section in version.sections:
        learners = frozenset(Person(seat.learner_id, seat.learner.name) for seat in section.seats)
        for session in section.sessions:
            facilitator = session.facilitator
            out.append(
                Session(
                    section=section.key,
                    position=session.position,
                    program=section.program.name,
                    start=session.start,
                    end=session.end,
                    facilitator=Person(facilitator.id, facilitator.name) if facilitator else None,
                    room=session.room.name if session.room else None,
                    learners=learners,
                )
            )
    return out


def diff_against_published(version: ScheduleVersion) -> tuple[ScheduleVersion | None, Diff]:
    """(the period's published version or None, what publishing ``version`` would change)."""
    published = published_with_rows(version.period)
    return published, diff(sessions_of(published), sessions_of(version))
