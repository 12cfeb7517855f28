"""Lower bounds on the cost of any schedule, for large-neighbourhood search (no CP-SAT proof there).

``lower_bound`` is the larger of two valid bounds, so it is valid and never weaker than either:

- ``analytic_bound``, worked out per group without a solver. Dropping every rule that links groups
  (shared facilitators, rooms and learners, time) leaves each group on its own: placing P of its
  learners costs at least P seats, ceil(P / capacity) sections at the cheapest qualified
  facilitator and room per session, and the unscheduled cost of the cheapest N - P learners left
  out. The bound is the sum over groups of the minimum over P. It ignores every conflict.
- ``solver.lp_bound.lp_bound``, a linear program that keeps facilitators' and rooms' capacity and
  who can reach which cohort (its module docstring says why it is valid). It is usually the
  larger; the analytic bound can win where its exact ceiling over every P matters.
"""

from __future__ import annotations

import dataclasses
import math

from solver.candidates import Candidates, Group
from solver.deadline import Deadline
from solver.lp_bound import lp_bound, placeable
from solver.pricing import facilitator_cents, room_cents, seat_cents, unscheduled_cents


def lower_bound(
    cand: Candidates, seconds: float = 5.0, deadline: Deadline | None = None
) -> float | None:
    """A valid lower bound on ``cost.total``, or None when ``cand`` was cut short by its deadline
    (cohorts left unexamined look unplaceable, which would overstate the bound). ``seconds`` caps
    the LP solve; ``deadline`` the whole LP, building included (the analytic bound then stands)."""
    if cand.unexamined:
        return None
    return max(analytic_bound(cand), lp_bound(cand, seconds, deadline))


def group_bounds(
    cand: Candidates, seconds: float = 1.0, deadline: Deadline | None = None
) -> dict[str, float]:
    """Per group, a valid lower bound on its own cost (its sections and its cohorts' unscheduled
    learners) in any schedule: the larger of the analytic and the LP bound of the group alone.

    Taking the other groups away only frees facilitators, rooms and learners, so no schedule can
    give a group less than its bound alone. Search uses the difference to a group's current cost
    as what a step on it could save; a group at its bound is already as cheap as it can be.
    Groups the ``deadline`` leaves no time for get 0, which is valid and claims nothing."""
    out = dict.fromkeys(cand.groups, 0.0)
    for key, group in cand.groups.items():
        if deadline is not None and deadline.passed():
            break
        alone = dataclasses.replace(cand, groups={key: group})
        out[key] = max(_group_bound(cand, group) / 100, lp_bound(alone, seconds, deadline))
    return out


def analytic_bound(cand: Candidates) -> float:
    """A valid lower bound on ``cost.total`` (changes counted as 0), group by group."""
    return sum(_group_bound(cand, g) for g in cand.groups.values()) / 100


def _group_bound(cand: Candidates, group: Group) -> int:
    """Cents: the cheapest way the group alone could place or leave out its learners."""
    problem, program = cand.problem, group.program
    nsessions = len(program.sessions)
    reachable, left_out = [], 0  # unscheduled cost in cents per placeable learner; forced cost
    for c in group.cohorts:
        cohort = problem.cohorts[c]
        per_learner = unscheduled_cents(cohort, 1)
        if placeable(cand, group, c):
            reachable.extend([per_learner] * cohort.size)
        else:
            left_out += per_learner * cohort.size
    section = _section_cost(cand, group)
    if not reachable or section is None:
        return left_out + sum(reachable)
    reachable.sort()  # the cheapest to leave out first
    seat = seat_cents(program, 1) * nsessions  # exact: amounts are whole cents
    best = sum(reachable)  # nobody placed
    out = best
    for placed in range(1, len(reachable) + 1):
        out -= reachable[len(reachable) - placed]  # place the dearest-to-leave-out learner
        sections = math.ceil(placed / group.capacity)
        best = min(best, placed * seat + sections * section + out)
    return left_out + best


def _section_cost(cand: Candidates, group: Group) -> int | None:
    """Cents: the cheapest facilitator (and room) for every session of one section."""
    problem, program = cand.problem, group.program
    total = 0
    rooms = [
        problem.rooms[r] for r in cand.rooms_for(group)
        if problem.rooms[r].capacity >= program.seats[0]
    ]  # fmt: skip
    for minutes in program.sessions:
        prices = []
        for f in cand.qualified[program.id]:
            prices.append(facilitator_cents(problem.facilitators[f], program, group.site, minutes))
        if not prices or (program.in_person and not rooms):
            return None
        total += min(prices)
        if program.in_person:
            total += min(room_cents(r, minutes) for r in rooms)
    return total
