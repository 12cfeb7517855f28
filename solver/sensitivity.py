"""Sensitivity: what one week of deadline, or one facilitator more or fewer, is worth.

Each question is answered by re-solving a changed copy of the problem with a short time limit and
comparing it with the base schedule: the change in total cost and in learners placed. These are
re-solves, not dual values: CP-SAT has none, and a deadline or a person is a discrete change whose
effect a linear relaxation would misstate. With a short limit a re-solve may stop before its
optimum, so each row carries the re-solve's status ("optimal" when proven).

The changes:

- every cohort's deadline one week later (capped at the horizon's end) and one week earlier (never
  before the cohort's earliest date);
- each facilitator removed (skipped, with the reason, when a published session names them);
- one more facilitator exactly like each one ("the same kind": skills, site, availability, rates).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from solver.problem import Problem

DEFAULT_SECONDS = 2.0
WEEK = timedelta(days=7)


@dataclasses.dataclass(frozen=True)
class Change:
    """One what-if: a label in the users' words and the changed problem (None: not applicable)."""

    kind: str  # "deadline" | "without" | "one_more"
    subject: str | None  # the facilitator, for facilitator changes
    label: str
    problem: Problem | None
    note: str = ""


def deadlines_moved(problem: Problem, days: int) -> Problem:
    """Every cohort's deadline moved by ``days``, kept between its earliest date and the horizon."""
    step = timedelta(days=days)
    cohorts = {
        cid: dataclasses.replace(
            c, deadline=min(problem.horizon_end, max(c.earliest, c.deadline + step))
        )
        for cid, c in problem.cohorts.items()
    }
    return dataclasses.replace(problem, cohorts=cohorts)


def without_facilitator(problem: Problem, fid: str) -> Problem:
    """The problem without facilitator ``fid``."""
    rest = {f: v for f, v in problem.facilitators.items() if f != fid}
    return dataclasses.replace(problem, facilitators=rest)


def one_more_like(problem: Problem, fid: str) -> Problem:
    """The problem with a copy of facilitator ``fid`` under a new id."""
    taken = set(problem.facilitators) | set(problem.hiring_pool)
    n = 2
    while f"{fid} #{n}" in taken:
        n += 1
    twin = dataclasses.replace(problem.facilitators[fid], id=f"{fid} #{n}")
    return dataclasses.replace(problem, facilitators={**problem.facilitators, twin.id: twin})


def changes(problem: Problem, facilitators: list[str] | None = None) -> Iterator[Change]:
    """Every what-if of the sensitivity table, in the order it is shown; ``facilitators`` limits
    the facilitator rows to those ids (default: every facilitator)."""
    yield Change("deadline", None, "every deadline one week later", deadlines_moved(problem, 7))
    yield Change("deadline", None, "every deadline one week earlier", deadlines_moved(problem, -7))
    published = {fx.facilitator for fx in problem.fixed}
    chosen = sorted(problem.facilitators) if facilitators is None else facilitators
    for fid in (f for f in chosen if f in problem.facilitators):
        if fid in published:
            note = "teaches published sessions, which stay as they are"
            yield Change("without", fid, f"without {fid}", None, note)
        else:
            yield Change("without", fid, f"without {fid}", without_facilitator(problem, fid))
        yield Change("one_more", fid, f"one more like {fid}", one_more_like(problem, fid))


def busiest_facilitators(
    schedule: dict[str, Any], limit: int, among: list[str] | None = None
) -> list[str]:
    """The ``limit`` facilitators teaching the most sessions of a schedule (ties by id); with
    ``among``, only those ids are ranked, those teaching nothing included."""
    taught: dict[str, int] = dict.fromkeys(among or [], 0)
    for section in schedule.get("sections") or []:
        for session in section.get("sessions") or []:
            fid = session.get("facilitator")
            if fid and (among is None or fid in taught):
                taught[fid] = taught.get(fid, 0) + 1
    return sorted(taught, key=lambda f: (-taught[f], f))[:limit]


def placed_learners(schedule: dict[str, Any]) -> int:
    """Learners placed in the sections of a schedule document."""
    return sum(
        part.get("learners", 0)
        for section in schedule.get("sections") or []
        for part in section.get("cohorts") or []
    )


def summary(schedule: dict[str, Any]) -> dict[str, Any]:
    """Cost, learners placed and status of a schedule, as the table shows them."""
    return {
        "status": schedule.get("status"),
        "cost": schedule.get("cost", {}).get("total"),
        "placed": placed_learners(schedule),
    }


Solve = Callable[[Problem, float], dict[str, Any]]


def _default_solve(problem: Problem, seconds: float) -> dict[str, Any]:
    from solver.solve import solve

    return solve(problem, time_limit=seconds, workers=1)


def sensitivity(
    problem: Problem,
    base: dict[str, Any] | None = None,
    *,
    seconds: float = DEFAULT_SECONDS,
    solve: Solve | None = None,
    facilitators: list[str] | None = None,
) -> dict[str, Any]:
    """The sensitivity table of ``problem``: the base schedule's summary and one row per change.

    ``base`` is the schedule to compare with (solved with ``seconds`` when not given); each row
    says the change, the re-solve's cost, placed learners and status, and their differences from
    the base. ``solve(problem, seconds)`` runs a re-solve (default: the engine, one worker);
    ``facilitators`` limits the facilitator rows (each costs two re-solves)."""
    run = solve or _default_solve
    base_summary = summary(base if base is not None else run(problem, seconds))
    rows = []
    for change in changes(problem, facilitators):
        row: dict[str, Any] = {"kind": change.kind, "subject": change.subject,
                               "change": change.label, "note": change.note}  # fmt: skip
        if change.problem is not None:
            outcome = summary(run(change.problem, seconds))
            row.update(outcome)
            if outcome["cost"] is not None and base_summary["cost"] is not None:
                row["cost_change"] = round(outcome["cost"] - base_summary["cost"], 2)
            row["placed_change"] = outcome["placed"] - base_summary["placed"]
        rows.append(row)
    return {"base": base_summary, "seconds": seconds, "rows": rows}
