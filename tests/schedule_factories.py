"""Stored schedule versions for tests: hand-placed sections, a valid document, no solver run.

The problem is the period's own (``period_problem``), the cost is recomputed by the solver, and
learners that no section seats are listed as unscheduled, so the checker accepts the schedule
whenever the placements themselves are valid.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    Facilitator,
    PlanningPeriod,
    Room,
    ScheduleVersion,
    User,
    VersionOrigin,
)
from scheduler.planning.mapping import period_problem
from scheduler.planning.publishing import publish
from scheduler.planning.versions import store_version
from solver import parse_problem, recompute_cost
from solver.schedule import iso_utc, schedule_document


@dataclass
class Placed:
    """A section to store: its key, its cohorts (with how many learners) and session placements
    ``(UTC start, facilitator, room or None)`` in program order."""

    key: str
    cohorts: list[tuple[Cohort, int]]
    sessions: list[tuple[datetime, Facilitator, Room | None]]


def store_schedule(period: PlanningPeriod, sections: list[Placed]) -> ScheduleVersion:
    """A draft of ``period`` placing ``sections`` (flushed, not committed)."""
    problem = period_problem(period)
    parsed, errors = parse_problem(problem)
    assert errors == [], errors
    seated = Counter()
    entries = []
    for placed in sections:
        program = placed.cohorts[0][0].program
        seated.update({cohort.key: learners for cohort, learners in placed.cohorts})
        entries.append(_entry(placed, program.key, program.session_minutes))
    unscheduled = [
        {"cohort": c["id"], "learners": c["size"] - seated[c["id"]], "reasons": ["not placed"]}
        for c in problem["cohorts"]
        if c["size"] > seated[c["id"]]
    ]
    schedule = schedule_document("feasible", sections=entries, unscheduled=unscheduled)
    schedule["cost"] = recompute_cost(parsed, schedule)
    return store_version(period, problem, schedule, origin=VersionOrigin.SOLVE)


def publish_schedule(period: PlanningPeriod, sections: list[Placed], user: User) -> ScheduleVersion:
    """Store and publish (publishing commits)."""
    version = store_schedule(period, sections)
    publish(version, user)
    db.session.refresh(period)
    return version


def _entry(placed: Placed, program: str, minutes: list[int]) -> dict:
    return {
        "id": placed.key,
        "program": program,
        "cohorts": [{"cohort": c.key, "learners": n} for c, n in placed.cohorts],
        "size": sum(n for _, n in placed.cohorts),
        "sessions": [
            {
                "index": index,
                "start": iso_utc(start),
                "end": iso_utc(start + timedelta(minutes=minutes[index])),
                "facilitator": facilitator.key,
                "room": room.key if room else None,
            }
            for index, (start, facilitator, room) in enumerate(placed.sessions)
        ],
    }
