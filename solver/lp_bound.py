"""A lower bound that keeps facilitators' and rooms' capacity: a linear program solved with GLOP.

Why it is valid. Every schedule that keeps the rules maps to a feasible point of this LP whose
objective is at most the schedule's cost, so the LP minimum is at most the optimum:

- Cohorts are split into *components*: two cohorts are linked when both are mergeable and share an
  allowed start for every session. A section's cohorts are pairwise linked, so it lies in one
  component. Per component the LP has the number of sections and the learners of each cohort
  placed in them; only cohorts the analytic bound calls placeable can be placed.
- Each section takes one qualified facilitator per session (one for all its sessions when the
  program keeps the same facilitator) who is bookable at an allowed start of each cohort it holds,
  and, in person, one room of the site likewise. Per (component, facilitator) the LP counts those
  sections and, per cohort, the learners in them: at most the section capacity per section
  (the room's seats, for rooms). Fractional sections are allowed; that is the relaxation.
- A facilitator's sessions, buffers included, are disjoint and start where the facilitator is
  bookable and some cohort of the group may be in session, so their minutes are at most the
  measure of that usable time; with a daily maximum, at most the sum over local days of the
  maximum or the usable minutes of sessions starting that day (the day the model counts them on).
  Rooms' sessions are disjoint within their usable time in the same way.
- A day's sessions are whole: under a daily maximum a facilitator teaches at most
  ``maximum // shortest session`` sessions on each local day where one could start
  (``sessions_a_day``).
- Section counts are integers at least placed / capacity, so the rounding cut
  ``sections >= k - (T - placed) / r`` (k = ceil(T / capacity), r = T - (k - 1) * capacity, T the
  component's learners) holds for all of them; it keeps the ceiling when everyone is placed.
- Costs are priced per item by :mod:`solver.pricing`, like the schedule's; preferences
  (if_need_be) and changes at 0, at most their real cost.

Left out: integral sections, when sessions happen (so learners' conflicts, gap days, and which
facilitator is free at which hour beyond the totals), and the cohorts' hours beyond "some allowed
start". The LP's value is not trusted as a float: the bound is re-derived from GLOP's duals by weak
duality (every variable has a finite upper bound), so an inexact or stopped solve still gives a
valid, if weaker, bound.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from solver.candidates import Candidates, Group, common_starts
from solver.deadline import Deadline, TimeUp
from solver.pricing import facilitator_cents, room_cents, seat_cents, unscheduled_cents
from solver.timegrid import normalise

_INF = math.inf


class _LP:
    """A minimisation LP over variables in ``[0, upper]``, kept as rows to re-derive its bound."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []  # (coefficients, low, high)

    def var(self, cost: float, upper: float) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        return len(self.cost) - 1

    def row(self, coefficients: dict[int, float], low: float = -_INF, high: float = _INF) -> None:
        self.rows.append((coefficients, low, high))

    def minimum(self, seconds: float) -> float:
        """A valid lower bound on the LP minimum (the minimum itself when GLOP solves it)."""
        if seconds <= 0:  # no time for GLOP: zero multipliers still give a valid bound
            return self.dual_bound([0.0] * len(self.rows))
        solver = pywraplp.Solver.CreateSolver("GLOP")
        xs = [solver.NumVar(0.0, u, "") for u in self.upper]
        constraints = []
        for coefficients, low, high in self.rows:
            ct = solver.Constraint(-solver.infinity() if low == -_INF else low,
                                   solver.infinity() if high == _INF else high)  # fmt: skip
            for j, a in coefficients.items():
                ct.SetCoefficient(xs[j], a)
            constraints.append(ct)
        objective = solver.Objective()
        for x, c in zip(xs, self.cost, strict=True):
            objective.SetCoefficient(x, c)
        objective.SetMinimization()
        solver.SetTimeLimit(max(1, int(seconds * 1000)))
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            return self.dual_bound([0.0] * len(constraints))
        return self.dual_bound([ct.dual_value() for ct in constraints])

    def dual_bound(self, duals: list[float]) -> float:
        """Weak duality: for row multipliers of the right sign, sum(dual · bound side) plus the
        least each variable's reduced cost can add over its box is below every feasible cost."""
        reduced = list(self.cost)
        total = 0.0
        for (coefficients, low, high), y in zip(self.rows, duals, strict=True):
            side = low if y > 0 else high
            if y == 0 or side in (-_INF, _INF):
                continue  # a multiplier of the wrong sign for this row is not a valid one
            total += y * side
            for j, a in coefficients.items():
                reduced[j] -= y * a
        return total + sum(min(0.0, d) * u for d, u in zip(reduced, self.upper, strict=True))


def placeable(cand: Candidates, group: Group, cohort: str) -> bool:
    """Whether any section could hold learners of the cohort, from the data alone."""
    program, size = group.program, cand.problem.cohorts[cohort].size
    return (
        # The masks, not the lists of starts: those are made only when asked for, and this
        # asks only whether any start is left.
        all(cand.start_mask(cohort, i) for i in range(len(program.sessions)))
        and group.capacity >= max(program.seats[0], 1)
        and (cand.problem.cohorts[cohort].splittable or size <= group.capacity)
    )


def lp_bound(cand: Candidates, seconds: float = 5.0, deadline: Deadline | None = None) -> float:
    """A valid lower bound on ``cost.total``, in money (see the module docstring); 0 when
    ``deadline`` passes before the LP is built, its dual bound so far when it passes in GLOP."""
    lp = _LP()
    constant = 0
    usage: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)  # (kind, id) -> var: minutes
    try:
        for group in cand.groups.values():
            if deadline is not None:
                deadline.check()
            out = [c for c in group.cohorts if not placeable(cand, group, c)]
            for c in out:
                cohort = cand.problem.cohorts[c]
                constant += unscheduled_cents(cohort, cohort.size)
            placeable_cohorts = [c for c in group.cohorts if c not in out]
            for component in _components(cand, group, placeable_cohorts, deadline):
                if deadline is not None:
                    deadline.check()
                constant += _component(lp, cand, group, component, usage, deadline)
        _capacities(lp, cand, usage, deadline)
    except TimeUp:
        return 0.0
    if deadline is not None:
        seconds = min(seconds, deadline.left())
    return math.floor(constant + lp.minimum(seconds)) / 100


def _components(
    cand: Candidates, group: Group, cohorts: list[str], deadline: Deadline | None = None
) -> list[list[str]]:
    """Cohorts that could end up in one section, transitively."""
    parent = {c: c for c in cohorts}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    mergeable = [c for c in cohorts if cand.problem.cohorts[c].mergeable]
    for k, a in enumerate(mergeable):
        if deadline is not None:  # pairs of a large group's cohorts: seconds on 2,000 cohorts
            deadline.check()
        for b in mergeable[k + 1 :]:
            if root(a) != root(b) and common_starts(cand, [a, b]):
                parent[root(b)] = root(a)
    found: dict[str, list[str]] = defaultdict(list)
    for c in cohorts:
        found[root(c)].append(c)
    return list(found.values())


@dataclass
class _Component:
    """The LP variables of one component: its section count and each cohort's placed learners."""

    sections: int
    placed: dict[str, int]
    sizes: dict[str, int]
    most: int  # most sections it could hold (each seats at least the minimum)


def _component(
    lp: _LP, cand: Candidates, group: Group, cohorts: list[str], usage, deadline=None
) -> int:
    """The variables and rows of one component; returns its constant cost in cents."""
    problem, program = cand.problem, group.program
    sizes = {c: problem.cohorts[c].size for c in cohorts}
    total, cap, low = sum(sizes.values()), group.capacity, program.seats[0]
    seat = seat_cents(program, 1) * len(program.sessions)
    placed, constant = {}, 0
    for c in cohorts:
        unscheduled = unscheduled_cents(problem.cohorts[c], 1)
        constant += unscheduled * sizes[c]
        placed[c] = lp.var(seat - unscheduled, sizes[c])
    comp = _Component(lp.var(0.0, total // low), placed, sizes, total // low)
    learners = dict.fromkeys(placed.values(), 1.0)
    lp.row({comp.sections: -low, **learners}, low=0)
    lp.row({comp.sections: cap, **{j: -1.0 for j in learners}}, low=0)
    k = math.ceil(total / cap)
    r = total - (k - 1) * cap
    lp.row({comp.sections: 1.0, **{j: -1 / r for j in learners}}, low=k - total / r)
    # One facilitator per section when the program keeps one for all sessions, else per session.
    indices = range(len(program.sessions))
    parts = [list(indices)] if program.same_facilitator else [[i] for i in indices]
    for part in parts:
        minutes = [program.sessions[i] for i in part]
        options = {}
        for f in cand.qualified[program.id]:
            if deadline is not None:  # one component of 10,000 cohorts: minutes, not seconds
                deadline.check()
            fits = [c for c in cohorts if all(_teaches(cand, f, c, i, program) for i in part)]
            if fits:
                fac = problem.facilitators[f]
                price = sum(facilitator_cents(fac, program, group.site, m) for m in minutes)
                options[("f", f)] = (fits, price, cap, minutes)
        _assign(lp, comp, options, usage)
    for i, minutes in enumerate(program.sessions if program.in_person else ()):
        options = {}
        for rid in cand.rooms_for(group):
            room = problem.rooms[rid]
            fits = [c for c in cohorts if _hosts(cand, rid, c, i, minutes)]
            if room.capacity >= low and fits:
                price = room_cents(room, minutes)
                options[("r", rid)] = (fits, price, min(cap, room.capacity), [minutes])
        _assign(lp, comp, options, usage)
    return constant


def _assign(lp: _LP, comp: _Component, options, usage) -> None:
    """Every section takes one of ``options`` ((kind, id) -> (cohorts it may hold, price, seats,
    minutes it takes)); each placed learner sits with one, at most ``seats`` per section."""
    picks = {}
    held: dict[str, dict[int, float]] = defaultdict(dict)  # cohort -> learner variables
    for who, (fits, price, seats, minutes) in options.items():
        picks[who] = lp.var(float(price), comp.most)
        usage[who][picks[who]] = minutes
        learners = {lp.var(0.0, comp.sizes[c]): c for c in fits}
        for j, c in learners.items():
            held[c][j] = 1.0
        lp.row({picks[who]: float(seats), **dict.fromkeys(learners, -1.0)}, low=0)
    lp.row({comp.sections: -1.0, **dict.fromkeys(picks.values(), 1.0)}, low=0, high=0)
    for c, j in comp.placed.items():
        lp.row({j: -1.0, **held[c]}, low=0, high=0)


def _teaches(cand: Candidates, f: str, cohort: str, index: int, program) -> bool:
    free = cand.facilitator_starts(f, program.sessions[index])
    return not free.isdisjoint(cand.cohort_starts[(cohort, index)])


def _hosts(cand: Candidates, room: str, cohort: str, index: int, minutes: int) -> bool:
    return not cand.room_starts(room, minutes).isdisjoint(cand.cohort_starts[(cohort, index)])


def _capacities(lp: _LP, cand: Candidates, usage, deadline: Deadline | None) -> None:
    """Each facilitator's and room's sessions fit, disjoint, in the time they could be used."""
    problem, grid = cand.problem, cand.grid
    starts: dict[tuple[str, int], set[int]] = {}  # (group, session) -> starts of any cohort
    for group in cand.groups.values():
        for i in range(len(group.program.sessions)):
            starts[(group.key, i)] = set().union(
                *(cand.cohort_starts[(c, i)] for c in group.cohorts)
            )
    for (kind, who), terms in usage.items():
        if deadline is not None:
            deadline.check()
        fac = problem.facilitators[who] if kind == "f" else None
        buffer = fac.buffer_minutes if fac else 0
        daily = fac.max_minutes_per_day if fac else None
        extended, by_day = [], defaultdict(list)
        for group in cand.groups.values():
            if who not in (cand.qualified[group.program.id] if fac else cand.rooms_for(group)):
                continue
            for i, minutes in enumerate(group.program.sessions):
                free = (
                    cand.facilitator_starts(who, minutes) if fac else cand.room_starts(who, minutes)
                )
                for t in free.intersection(starts[(group.key, i)]):
                    extended.append((t, t + minutes + buffer))
                    if daily is not None:  # the daily rule counts a session on its start's date
                        by_day[grid.local_date(t, fac.timezone)].append((t, t + minutes))
        usable = sum(b - a for a, b in normalise(extended))
        lp.row({j: sum(m) + buffer * len(m) for j, m in terms.items()}, high=usable)
        if by_day:
            most = sum(min(daily, sum(b - a for a, b in normalise(s))) for s in by_day.values())
            lp.row({j: sum(m) for j, m in terms.items()}, high=most)
            shortest = min(x for m in terms.values() for x in m)
            lp.row(
                {j: float(len(m)) for j, m in terms.items()},
                high=sessions_a_day(len(by_day), shortest, daily),
            )


def sessions_a_day(days: int, shortest: int, daily: int) -> int:
    """Most sessions a facilitator with a daily maximum can teach on ``days`` local days when
    none is shorter than ``shortest`` minutes: sessions are whole, so ``daily // shortest`` a day.
    The minutes row lets 300 minutes a day hold two and a half 120-minute sessions; this, two."""
    return days * (daily // shortest)
