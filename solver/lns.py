"""Large-neighbourhood search for problems too big for one CP-SAT model.

Starting from a complete plan (the greedy one), each step sets a few groups free (see
:mod:`solver.neighbourhood`), solves their sub-problem with CP-SAT for a few seconds hinted with
their current sections, and keeps the result only when it is cheaper. Every accepted plan therefore
satisfies every rule, and the cost never goes up. Sections of fixed sessions (and of ``previous``)
are never set free, so they stay exactly as the starting plan has them. The neighbourhood grows
while CP-SAT proves its sub-problems optimal quickly and shrinks when it does not.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.candidates import Candidates
from solver.hint import add_hint
from solver.model import ScheduleModel
from solver.neighbourhood import freeze
from solver.plan import Plan, price

# Cohorts in the first neighbourhood, its limits, and the CP-SAT seconds per step.
START_COHORTS = 30
MIN_COHORTS, MAX_COHORTS = 8, 150
STEP_SECONDS = 2.0
# A step with less time left than this is not started: model building alone would overrun.
MIN_STEP_SECONDS = 1.0


@dataclass
class Outcome:
    """What a search returned: the best plan and how the steps went."""

    plan: Plan
    steps: int = 0
    improved: int = 0


def related_groups(cand: Candidates, plan: Plan) -> dict[str, set[str]]:
    """Groups that compete for something: a qualified facilitator, a site's rooms, or learners."""
    by_resource: dict[str, set[str]] = defaultdict(set)
    for key, g in cand.groups.items():
        for f in cand.qualified[g.program.id]:
            by_resource[f"f:{f}"].add(key)
        if g.program.in_person:
            by_resource[f"site:{g.site}"].add(key)
    for key, members in cand.conflicts.items():
        by_resource[key].update(cand.group_of[c] for c in members)
    for s in plan.sections:
        for x in s.sessions:
            by_resource[f"f:{x.facilitator}"].add(s.group)
    related: dict[str, set[str]] = defaultdict(set)
    for groups in by_resource.values():
        for g in groups:
            related[g].update(groups)
    return related


def choose(
    cand: Candidates, related: dict[str, set[str]], size: int, rng: random.Random
) -> tuple[set[str], set[str]]:
    """A random connected set of groups and about ``size`` of their cohorts (a random part of a
    group that is larger than what is left of the budget)."""
    keys = [k for k, g in cand.groups.items() if g.sections > 0]
    groups: set[str] = set()
    cohorts: set[str] = set()
    frontier: set[str] = set()
    while keys and len(cohorts) < size:
        options = sorted(frontier) or sorted(set(keys) - groups)
        if not options:
            break
        g = rng.choice(options)
        members = cand.groups[g].cohorts
        room = size - len(cohorts)
        groups.add(g)
        cohorts.update(members if len(members) <= room else rng.sample(members, room))
        frontier = (frontier | related[g]) - groups
    return groups, cohorts


def search(
    cand: Candidates,
    plan: Plan,
    deadline: float,
    *,
    workers: int = 2,
    improved: Callable[[Plan, float], None] | None = None,
    stop: threading.Event | None = None,
    seed: int = 0,
    run: Callable[[cp_model.CpSolver, cp_model.CpModel], int] | None = None,
) -> Outcome:
    """Improve ``plan`` until ``deadline`` (a ``time.monotonic()`` value) or ``stop`` is set.

    ``improved(plan, cost)`` is called on each accepted plan; ``run(solver, model)`` solves one
    sub-problem (default ``solver.solve(model)``; the engine passes one that honours cancel).
    """
    rng = random.Random(seed)
    best, cost = plan, price(cand, plan)["total"]
    outcome = Outcome(best)
    size = START_COHORTS
    related = related_groups(cand, plan)
    while not (stop is not None and stop.is_set()):
        left = deadline - time.monotonic()
        if left < MIN_STEP_SECONDS:
            break
        groups, cohorts = choose(cand, related, size, rng)
        if not groups:
            break
        seconds = min(STEP_SECONDS, left)
        result, proven = step(cand, best, groups, seconds, workers, deadline, run, cohorts)
        outcome.steps += 1
        size = (
            min(MAX_COHORTS, int(size * 1.2) + 1) if proven else max(MIN_COHORTS, int(size * 0.8))
        )
        if result is None:
            continue
        new_cost = price(cand, result)["total"]
        if new_cost < cost - 0.005:
            best, cost = result, new_cost
            outcome.improved += 1
            if improved is not None:
                improved(best, cost)
    outcome.plan = best
    return outcome


def step(
    cand: Candidates,
    plan: Plan,
    groups: set[str],
    seconds: float,
    workers: int,
    deadline: float,
    run: Callable[[cp_model.CpSolver, cp_model.CpModel], int] | None = None,
    cohorts: set[str] | None = None,
) -> tuple[Plan | None, bool]:
    """Re-optimise ``groups`` (only ``cohorts`` of them, when given) within ``plan``: the cheaper
    whole plan (or None) and whether CP-SAT proved the sub-problem optimal."""
    hood = freeze(cand, plan, groups, cohorts)
    sm = ScheduleModel(hood.cand, hood.free)
    # Fixed sections stay frozen, so today the sub-problem has no fixed sessions; if a
    # neighbourhood ever carries some, they must hold there as in the full model, not be optional.
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)
    add_hint(sm, hood.free)
    seconds = min(seconds, deadline - time.monotonic())
    if seconds <= 0:
        return None, False
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.cp_model_probing_level = 0
    status = run(solver, sm.model) if run is not None else solver.solve(sm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    current = price(hood.cand, hood.free)["total"]
    if solver.objective_value / 100 >= current - 0.005:
        return None, status == cp_model.OPTIMAL
    return hood.merge(sm.plan(solver.value)), status == cp_model.OPTIMAL
