"""Tiny problem documents for the solver tests: one program, cohorts, facilitators and rooms.

``doc(...)`` returns a valid v1 problem document with small defaults (Monday 2027-01-04 to Friday
2027-01-08 in Europe/London, 60-minute slots, one 60-minute virtual session, seats 1–20, no costs);
tests override only what their rule needs and parse it with ``problem(doc)``.
"""

from __future__ import annotations

import copy
from typing import Any

from solver.check import check
from solver.problem import Problem
from solver.validate import parse_problem


def program(**over: Any) -> dict[str, Any]:
    base = {
        "id": "p", "name": "Workshop", "sessions": [60], "gap_days": [0, 7], "mode": "virtual",
        "skill": "s", "seats": [1, 20], "seat_cost": 0.0,
    }  # fmt: skip
    return {**base, **over}


def cohort(cid: str, size: int = 10, **over: Any) -> dict[str, Any]:
    return {"id": cid, "program": "p", "size": size, "site": "london", **over}


def facilitator(fid: str, **over: Any) -> dict[str, Any]:
    return {"id": fid, "skills": ["s"], "site": "london", "hourly_rate": 100.0, **over}


def room(rid: str, capacity: int = 20, **over: Any) -> dict[str, Any]:
    return {"id": rid, "site": "london", "capacity": capacity, "hourly_cost": 10.0, **over}


def doc(
    *,
    programs: list[dict[str, Any]] | None = None,
    cohorts: list[dict[str, Any]] | None = None,
    facilitators: list[dict[str, Any]] | None = None,
    rooms: list[dict[str, Any]] | None = None,
    **top: Any,
) -> dict[str, Any]:
    return {
        "format": "cohort-scheduler/problem/v1",
        "timezone": "Europe/London",
        "horizon": {"start": "2027-01-04", "end": "2027-01-08"},
        "slot_minutes": 60,
        "programs": copy.deepcopy(programs or [program()]),
        "cohorts": copy.deepcopy(cohorts or [cohort("c1")]),
        "facilitators": copy.deepcopy(facilitators or [facilitator("ana")]),
        "rooms": copy.deepcopy(rooms or []),
        **top,
    }


def problem(document: dict[str, Any]) -> Problem:
    parsed, errors = parse_problem(document)
    assert errors == [], errors
    assert parsed is not None
    return parsed


def solved(document: dict[str, Any], time_limit: float = 5.0, **kwargs: Any) -> dict[str, Any]:
    """Solve a document and assert the schedule passes the independent checker."""
    from solver.solve import solve

    p = problem(document)
    schedule = solve(p, time_limit=time_limit, **kwargs)
    assert check(p, schedule) == [], check(p, schedule)
    return schedule


def sessions(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    """Every session of a schedule with its section id, ordered by start."""
    out = [
        {**x, "section": s["id"], "cohorts": {c["cohort"]: c["learners"] for c in s["cohorts"]}}
        for s in schedule["sections"]
        for x in s["sessions"]
    ]
    return sorted(out, key=lambda x: (x["start"], x["section"]))


def unscheduled(schedule: dict[str, Any]) -> dict[str, int]:
    return {u["cohort"]: u["learners"] for u in schedule["unscheduled"]}
