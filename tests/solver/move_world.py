"""A small in-person world for the move assistant and the refusal wording: two sections of a
two-session program in London (January 2027, GMT so local time = UTC), two facilitators and
two rooms, each with a name, and a hand-made schedule that passes the checker."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from solver.cost import recompute_cost
from tests.solver import tiny

MON, TUE, WED, THU, FRI = 4, 5, 6, 7, 8  # January 2027


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, tzinfo=UTC)


def problem_doc(**top: Any) -> dict[str, Any]:
    return tiny.doc(
        programs=[
            tiny.program(name="Till basics", mode="in_person", sessions=[120, 120], gap_days=[1, 3])
        ],
        cohorts=[tiny.cohort("north", 10), tiny.cohort("south", 8)],
        facilitators=[
            tiny.facilitator("ana", name="Ana Silva", hourly_rate=100.0, buffer_minutes=30),
            tiny.facilitator("ben", name="Ben Okafor", hourly_rate=200.0),
        ],
        rooms=[
            tiny.room("r1", name="Lyon 2", capacity=12, hourly_cost=10.0),
            tiny.room("r2", name="Thames", capacity=20, hourly_cost=50.0),
        ],
        **top,
    )


def session(index: int, start: datetime, facilitator: str, room: str | None) -> dict[str, Any]:
    end = start.replace(hour=start.hour + 2)
    return {
        "index": index,
        "start": start.isoformat().replace("+00:00", "Z"),
        "end": end.isoformat().replace("+00:00", "Z"),
        "facilitator": facilitator,
        "room": room,
    }


def schedule_doc(problem: dict[str, Any], s1=None, s2=None) -> dict[str, Any]:
    """S1 (north, 10 learners) with Ben in Thames, S2 (south, 8) with Ana in Lyon 2."""
    s1 = s1 or [session(0, at(MON, 9), "ben", "r2"), session(1, at(WED, 9), "ben", "r2")]
    s2 = s2 or [session(0, at(MON, 13), "ana", "r1"), session(1, at(WED, 13), "ana", "r1")]
    doc = {
        "format": "cohort-scheduler/schedule/v1",
        "status": "feasible",
        "sections": [
            {"id": "S1", "program": "p", "cohorts": [{"cohort": "north", "learners": 10}],
             "size": 10, "sessions": s1},
            {"id": "S2", "program": "p", "cohorts": [{"cohort": "south", "learners": 8}],
             "size": 8, "sessions": s2},
        ],
        "unscheduled": [],
        "cost": {},
    }  # fmt: skip
    doc["cost"] = recompute_cost(tiny.problem(problem), doc)
    return doc
