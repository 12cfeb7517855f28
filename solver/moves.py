"""A manual move as documents: a schedule with one session changed, checked by the independent
checker against the problem with that session fixed.

Fixing the moved session makes the check run the real rule set, pins included (a pinned session
moved by hand must be pinned where it now is), and keeps the problem stored with the new draft
consistent with its schedule. The app's move and the move assistant's alternatives both go
through ``moved_documents`` and ``move_violations``: one code path decides what a move breaks.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from solver.check import check
from solver.cost import recompute_cost
from solver.schedule import FEASIBLE, OPTIMAL, iso_utc
from solver.scheduled import Violation
from solver.validate import parse_problem


@dataclass(frozen=True)
class Move:
    """Where one session of a section goes: a UTC start, a facilitator and a room (keys).

    ``index`` counts sessions from 0, as the documents do; people see it plus one."""

    section: str
    index: int
    start: datetime
    facilitator: str | None
    room: str | None


def moved_documents(
    problem: dict, schedule: dict, move: Move, published: dict | None = None
) -> tuple[dict, dict]:
    """(the problem with the moved session fixed, the schedule with it moved); inputs untouched
    (the results share their unchanged parts with them: do not modify those in place).

    ``published``, the period's published schedule, becomes the problem's ``previous``: the
    draft's ``changes`` cost then counts the published sessions it moves, as a re-plan's would.
    """
    # Only the moved section and the problem's ``fixed`` and ``previous`` change: the rest is
    # shared with the inputs, read-only (the move assistant makes a dozen of these per session).
    problem, schedule = dict(problem), dict(schedule)
    if published is not None:
        problem["previous"] = published
    schedule["sections"] = [
        copy.deepcopy(s) if s["id"] == move.section else s for s in schedule["sections"]
    ]
    section = next(s for s in schedule["sections"] if s["id"] == move.section)
    session = next(s for s in section["sessions"] if s["index"] == move.index)
    program = next(p for p in problem["programs"] if p["id"] == section["program"])
    end = move.start + timedelta(minutes=program["sessions"][move.index])
    session.update(
        start=iso_utc(move.start), end=iso_utc(end), facilitator=move.facilitator, room=move.room
    )
    # A section's session is fixed at most once: the move replaces an older pin of it.
    fixed = [
        entry
        for entry in problem.get("fixed", [])
        if (entry["section"], entry["session"]) != (move.section, move.index)
    ]
    fixed.append(
        {
            "section": move.section,
            "cohorts": copy.deepcopy(section["cohorts"]),
            "session": move.index,
            "start": iso_utc(move.start),
            "facilitator": move.facilitator,
            "room": move.room,
        }
    )
    problem["fixed"] = fixed
    if schedule["status"] == OPTIMAL:
        schedule["status"] = FEASIBLE  # a hand-made change is no longer proven best
    return problem, schedule


def move_violations(problem: dict, schedule: dict) -> tuple[list[dict], list[Violation]]:
    """(the problem's errors, the checker's violations) of moved documents; both empty when the
    move is valid. The schedule's cost is recomputed in place first (a move changes fees, rooms
    and changes) and its lower bound dropped (the solver's bound was for its own search)."""
    parsed, errors = parse_problem(problem)
    if errors:
        return errors, []
    schedule["cost"] = recompute_cost(parsed, schedule)
    schedule["lower_bound"] = None
    return [], check(parsed, schedule)
