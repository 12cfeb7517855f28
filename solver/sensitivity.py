"""Sensitivity: what one week of deadline, or one facilitator more or fewer, is worth.

Each question is answered by re-solving a changed copy of the problem with a short time limit and
comparing it with the base schedule: the change in total cost and in learners placed. These are
re-solves, not dual values: CP-SAT has none, and a deadline or a person is a discrete change whose
effect a linear relaxation would misstate. With a short limit a re-solve may stop before its
optimum, so each row carries the re-solve's status ("optimal" when proven).

The changes:

- every cohort's deadline one week later (capped at the horizon's end) and one week earlier (never
  before the cohort's earliest date);
- the same for one *deadline group* at a time: the cohorts of one program sharing one deadline
  date, the others left as they are. That is the marginal cost of each deadline week. Each group
  costs two re-solves, so only the ``group_limit`` groups that matter most are examined (most
  learners left out by the base schedule, then most learners); the table still lists every other
  group, marked "not examined". A problem with a single group gets no group rows (they would
  repeat the every-deadline rows);
- each facilitator removed (skipped, with the reason, when a published session names them);
- one more facilitator exactly like each one ("the same kind": skills, site, availability, rates).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from solver.problem import Problem

DEFAULT_SECONDS = 2.0
WEEK = timedelta(days=7)


@dataclasses.dataclass(frozen=True)
class Change:
    """One what-if: a label in the users' words and the changed problem (None: not applicable)."""

    kind: str  # "deadline" | "deadline_group" | "without" | "one_more"
    subject: str | None  # the facilitator, for facilitator changes
    label: str
    problem: Problem | None
    note: str = ""
    group: DeadlineGroup | None = None
    days: int = 0  # how far a deadline change moves the deadlines (0: not moved)


def deadlines_moved(problem: Problem, days: int, only: Iterable[str] | None = None) -> Problem:
    """Every cohort's deadline (with ``only``, those cohorts' deadlines) moved by ``days``, kept
    between the cohort's earliest date and the horizon's end."""
    step = timedelta(days=days)
    chosen = set(problem.cohorts if only is None else only)
    cohorts = {
        cid: dataclasses.replace(
            c, deadline=min(problem.horizon_end, max(c.earliest, c.deadline + step))
        )
        if cid in chosen
        else c
        for cid, c in problem.cohorts.items()
    }
    return dataclasses.replace(problem, cohorts=cohorts)


@dataclasses.dataclass(frozen=True)
class DeadlineGroup:
    """The cohorts of one program that share one deadline date."""

    deadline: date
    program: str
    program_name: str
    cohorts: tuple[str, ...]
    learners: int
    left_out: int  # learners of these cohorts the base schedule leaves out

    @property
    def label(self) -> str:
        """The group in the users' words: "Workshop, due 2027-01-08 (2 cohorts, 20 learners)"."""
        n = len(self.cohorts)
        return (
            f"{self.program_name}, due {self.deadline.isoformat()} "
            f"({n} cohort{'s' if n != 1 else ''}, {self.learners} learners)"
        )

    def as_dict(self) -> dict[str, Any]:
        """The group as the table stores it (JSON)."""
        return {
            "deadline": self.deadline.isoformat(),
            "program": self.program,
            "program_name": self.program_name,
            "cohorts": list(self.cohorts),
            "learners": self.learners,
            "left_out": self.left_out,
        }


def deadline_groups(problem: Problem, base: dict[str, Any] | None = None) -> list[DeadlineGroup]:
    """The problem's deadline groups, those that matter most first: most learners left out by
    ``base`` (a schedule document), then most learners, then by date and program."""
    left: dict[str, int] = {}
    for entry in (base or {}).get("unscheduled") or []:
        left[entry["cohort"]] = left.get(entry["cohort"], 0) + entry.get("learners", 0)
    members: dict[tuple[date, str], list[str]] = {}
    for c in problem.cohorts.values():
        members.setdefault((c.deadline, c.program), []).append(c.id)
    groups = []
    for (deadline, pid), ids in members.items():
        program = problem.programs.get(pid)
        groups.append(
            DeadlineGroup(
                deadline=deadline,
                program=pid,
                program_name=program.name if program and program.name else pid,
                cohorts=tuple(sorted(ids)),
                learners=sum(problem.cohorts[c].size for c in ids),
                left_out=sum(left.get(c, 0) for c in ids),
            )
        )
    return sorted(groups, key=lambda g: (-g.left_out, -g.learners, g.deadline, g.program))


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


def changes(
    problem: Problem,
    facilitators: list[str] | None = None,
    *,
    base: dict[str, Any] | None = None,
    groups: int | None = None,
) -> Iterator[Change]:
    """Every what-if of the sensitivity table, in the order it is shown; ``facilitators`` limits
    the facilitator rows to those ids (default: every facilitator), ``groups`` the deadline
    groups examined (default: all), ranked by :func:`deadline_groups` with ``base``."""
    later, earlier = deadlines_moved(problem, 7), deadlines_moved(problem, -7)
    yield Change("deadline", None, "every deadline one week later", later, days=7)
    yield Change("deadline", None, "every deadline one week earlier", earlier, days=-7)
    yield from _group_changes(problem, base, groups)
    published = {fx.facilitator for fx in problem.fixed}
    chosen = sorted(problem.facilitators) if facilitators is None else facilitators
    for fid in (f for f in chosen if f in problem.facilitators):
        if fid in published:
            note = "teaches published sessions, which stay as they are"
            yield Change("without", fid, f"without {fid}", None, note)
        else:
            yield Change("without", fid, f"without {fid}", without_facilitator(problem, fid))
        yield Change("one_more", fid, f"one more like {fid}", one_more_like(problem, fid))


def _group_changes(
    problem: Problem, base: dict[str, Any] | None, limit: int | None
) -> Iterator[Change]:
    ranked = deadline_groups(problem, base)
    if len(ranked) < 2:  # one group: its rows would be the every-deadline rows again
        return
    examined = ranked if limit is None else ranked[: max(limit, 0)]
    for g in examined:
        for days, when in ((7, "one week later"), (-7, "one week earlier")):
            label = f"deadline of {g.label} {when}"
            moved = deadlines_moved(problem, days, g.cohorts)
            if all(moved.cohorts[c].deadline == problem.cohorts[c].deadline for c in g.cohorts):
                edge = "horizon's end" if days > 0 else "cohorts' earliest date"
                note = f"the deadline is already at the {edge}: nothing to re-solve"
                yield Change("deadline_group", None, label, None, note, g, days)
            else:
                yield Change("deadline_group", None, label, moved, group=g, days=days)
    for g in ranked[len(examined) :]:
        note = (
            f"not examined: only the {len(examined)} groups with the most learners left out, "
            "then the most learners, are re-solved"
        )
        yield Change("deadline_group", None, f"deadline of {g.label}", None, note, g)


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
    group_limit: int | None = None,
) -> dict[str, Any]:
    """The sensitivity table of ``problem``: the base schedule's summary and one row per change.

    ``base`` is the schedule to compare with (solved with ``seconds`` when not given); each row
    says the change, the re-solve's cost, placed learners and status, and their differences from
    the base. ``solve(problem, seconds)`` runs a re-solve (default: the engine, one worker);
    ``facilitators`` limits the facilitator rows and ``group_limit`` the number of deadline
    groups examined (each costs two re-solves)."""
    run = solve or _default_solve
    if base is None:
        base = run(problem, seconds)
    base_summary = summary(base)
    rows = []
    for change in changes(problem, facilitators, base=base, groups=group_limit):
        row: dict[str, Any] = {"kind": change.kind, "subject": change.subject,
                               "change": change.label, "note": change.note}  # fmt: skip
        if change.days:
            row["days"] = change.days
        if change.group is not None:
            row["group"] = change.group.as_dict()
        if change.problem is not None:
            outcome = summary(run(change.problem, seconds))
            row.update(outcome)
            if outcome["cost"] is not None and base_summary["cost"] is not None:
                row["cost_change"] = round(outcome["cost"] - base_summary["cost"], 2)
            row["placed_change"] = outcome["placed"] - base_summary["placed"]
        rows.append(row)
    return {"base": base_summary, "seconds": seconds, "rows": rows}
