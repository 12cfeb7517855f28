"""Lower bounds on the cost of any schedule, computed before any search (under both strategies).

``lower_bound`` is the larger of two valid bounds, so it is valid and never weaker than either:

- ``analytic_bound``, worked out per group without a solver. Dropping every rule that links groups
  (shared facilitators, rooms and learners, time) leaves each group on its own: placing P of its
  learners costs at least P seats, ceil(P / capacity) sections at the cheapest qualified
  facilitator and room per session, and the unscheduled cost of the cheapest N - P learners left
  out. The bound is the sum over groups of the minimum over P. It ignores every conflict.
- ``solver.lp_bound.lp_bound``, a linear program that keeps facilitators' and rooms' capacity and
  who can reach which cohort (its module docstring says why it is valid). It is usually the
  larger; the analytic bound can win where its exact ceiling over every P matters.

``lower_bound_parts`` returns both with the analytic bound split by cost item (``bound_parts``),
which the schedule reports as ``solver.bound_parts``: what the bound is made of. Each ingredient
of the analytic bound is its own function (``seat_floor``, ``section_floor``, ``left_out_floor``)
and has its own test against brute-forced optima (tests/solver/test_bound_ingredients.py).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

from solver.candidates import Candidates, Group
from solver.deadline import Deadline
from solver.lp_bound import lp_bound, placeable
from solver.pricing import facilitator_items, room_cents, seat_cents, unscheduled_cents


def lower_bound(
    cand: Candidates, seconds: float = 5.0, deadline: Deadline | None = None
) -> float | None:
    """A valid lower bound on ``cost.total``, or None when ``cand`` was cut short by its deadline
    (cohorts left unexamined look unplaceable, which would overstate the bound). ``seconds`` caps
    the LP solve; ``deadline`` the whole LP, building included (the analytic bound then stands)."""
    parts = lower_bound_parts(cand, seconds, deadline)
    return None if parts is None else parts[parts["used"]]


def lower_bound_parts(
    cand: Candidates, seconds: float = 5.0, deadline: Deadline | None = None
) -> dict | None:
    """``lower_bound`` with what it is made of (``bound_parts``); None when it has no bound."""
    if cand.unexamined:
        return None
    return bound_parts(cand, lp_bound(cand, seconds, deadline))


def group_bounds(
    cand: Candidates, seconds: float = 1.0, deadline: Deadline | None = None
) -> dict[str, float]:
    """Per group, a valid lower bound on its own cost (its sections and its cohorts' unscheduled
    learners) in any schedule: the larger of the analytic and the LP bound of the group alone.

    Taking the other groups away only frees facilitators, rooms and learners, so no schedule can
    give a group less than its bound alone. Search uses the difference to a group's current cost
    as what a step on it could save; a group at its bound is already as cheap as it can be.
    Every group gets the analytic bound (0.3 s for all 10,000 cohorts of bench size XXL); the LP
    is added group by group until ``deadline``, and groups it leaves no time for keep the
    analytic bound alone (one LP of a group of hundreds of cohorts takes seconds)."""
    out = {key: _group_bound(cand, group) / 100 for key, group in cand.groups.items()}
    for key, group in cand.groups.items():
        if deadline is not None and deadline.passed():
            break
        alone = dataclasses.replace(cand, groups={key: group})
        out[key] = max(out[key], lp_bound(alone, seconds, deadline))
    return out


def analytic_bound(cand: Candidates) -> float:
    """A valid lower bound on ``cost.total`` (changes counted as 0), group by group."""
    return sum(_group_bound(cand, g) for g in cand.groups.values()) / 100


@dataclass
class BoundItems:
    """What the analytic bound is made of, in cents, by cost item (at each group's cheapest
    number of placed learners)."""

    seats: int = 0
    facilitators: int = 0
    travel: int = 0
    rooms: int = 0
    unscheduled: int = 0

    @property
    def total(self) -> int:
        return self.seats + self.facilitators + self.travel + self.rooms + self.unscheduled

    def add(self, other: BoundItems) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def money(self) -> dict[str, float]:
        """The items in money, for the schedule's ``solver.bound_parts``."""
        return {f.name: getattr(self, f.name) / 100 for f in dataclasses.fields(self)}


def analytic_items(cand: Candidates) -> BoundItems:
    """The analytic bound split by cost item (its total is ``analytic_bound`` in cents)."""
    out = BoundItems()
    for g in cand.groups.values():
        out.add(group_items(cand, g))
    return out


def bound_parts(cand: Candidates, lp: float, search: float | None = None) -> dict:
    """What a reported bound is made of: each bound's value, which one is used, and the analytic
    bound's items (seats, facilitators, travel, rooms, unscheduled)."""
    items = analytic_items(cand)
    parts = {"analytic": items.total / 100, "lp": lp, "analytic_items": items.money()}
    return with_search_bound(parts, search)


def with_search_bound(parts: dict, search: float | None) -> dict:
    """``parts`` with the search's own bound (CP-SAT's) added, and ``used`` naming the largest:
    every one of them is valid, so the largest is."""
    values = {k: parts[k] for k in ("analytic", "lp")}
    if search is not None:
        values["search"] = search
    return {**parts, **values, "used": max(values, key=values.get)}


def _group_bound(cand: Candidates, group: Group) -> int:
    """Cents: the cheapest way the group alone could place or leave out its learners."""
    return group_items(cand, group).total


def group_items(cand: Candidates, group: Group) -> BoundItems:
    """The cheapest way the group alone could place P of its learners or leave them out, over
    every P: the sum of ``seat_floor``, ``section_floor`` and ``left_out_floor`` at P."""
    reachable, forced = reachable_learners(cand, group)
    section = section_items(cand, group)
    if not reachable or section is None:
        return BoundItems(unscheduled=forced + sum(reachable))
    cheapest_out = list(itertools.accumulate(reachable, initial=0))
    best, best_placed = None, 0
    for placed in range(len(reachable) + 1):
        total = (
            seat_floor(group, placed)
            + sum(section_floor(group, placed, section))
            + left_out_floor(cheapest_out, placed)
        )
        if best is None or total < best:
            best, best_placed = total, placed
    pay, travel, rooms = section_floor(group, best_placed, section)
    return BoundItems(
        seats=seat_floor(group, best_placed), facilitators=pay, travel=travel, rooms=rooms,
        unscheduled=forced + left_out_floor(cheapest_out, best_placed),
    )  # fmt: skip


def seat_floor(group: Group, placed: int) -> int:
    """Cents: every placed learner pays the program's seat cost in every session."""
    return placed * seat_cents(group.program, 1) * len(group.program.sessions)


def section_floor(group: Group, placed: int, section: tuple[int, int, int]) -> tuple[int, int, int]:
    """Cents ``(facilitators, travel, rooms)``: placed learners need ceil(placed / capacity)
    sections, each paying per session at least the cheapest qualified facilitator (hours, fee and
    travel to the group's site) and the cheapest room of the site that seats the minimum."""
    sections = math.ceil(placed / group.capacity)
    return tuple(sections * part for part in section)  # type: ignore[return-value]


def left_out_floor(cheapest_out: list[int], placed: int) -> int:
    """Cents: learners not placed pay their unscheduled cost; at best the cheapest ones are left
    out (``cheapest_out[k]``: the k cheapest together; one entry more than placeable learners)."""
    return cheapest_out[len(cheapest_out) - 1 - placed]


def reachable_learners(cand: Candidates, group: Group) -> tuple[list[int], int]:
    """Per placeable learner their unscheduled cost in cents, cheapest first; and the forced
    unscheduled cost of the cohorts no section can hold."""
    problem = cand.problem
    reachable, forced = [], 0
    for c in group.cohorts:
        cohort = problem.cohorts[c]
        per_learner = unscheduled_cents(cohort, 1)
        if placeable(cand, group, c):
            reachable.extend([per_learner] * cohort.size)
        else:
            forced += per_learner * cohort.size
    reachable.sort()
    return reachable, forced


def section_items(cand: Candidates, group: Group) -> tuple[int, int, int] | None:
    """Cents ``(facilitators, travel, rooms)`` of the cheapest facilitator (and room) for every
    session of one section; None when some session has none."""
    problem, program = cand.problem, group.program
    pay_total = travel_total = room_total = 0
    rooms = [
        problem.rooms[r] for r in cand.rooms_for(group)
        if problem.rooms[r].capacity >= program.seats[0]
    ]  # fmt: skip
    for minutes in program.sessions:
        prices = [
            facilitator_items(problem.facilitators[f], program, group.site, minutes)
            for f in cand.qualified[program.id]
        ]
        if not prices or (program.in_person and not rooms):
            return None
        pay, travel = min(prices, key=sum)
        pay_total += pay
        travel_total += travel
        if program.in_person:
            room_total += min(room_cents(r, minutes) for r in rooms)
    return pay_total, travel_total, room_total
