"""Large-neighbourhood search for problems too big for one CP-SAT model.

Starting from a complete plan (the greedy one), each step sets a few groups free (see
:mod:`solver.neighbourhood`), solves their sub-problem with CP-SAT for a few seconds hinted with
their current sections, and keeps the result only when it is cheaper. Every accepted plan therefore
satisfies every rule, and the cost never goes up. Sections of fixed sessions (and of ``previous``)
are never set free, so they stay exactly as the starting plan has them.

The search opens with a sweep: each group alone and whole, most learners first, for at most
``SWEEP_SHARE`` of the time. On the M benchmark such a sweep from the greedy plan beat the random
neighbourhoods at 60 s on every seed (bench/README.md): one whole group is a sub-problem CP-SAT
often proves optimal within a second or two, and every group gets its turn. Then random connected
neighbourhoods follow until the deadline, for moves across groups; their size grows while CP-SAT
proves them optimal quickly and shrinks when it does not.
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
# The sweep's share of the time left, and the CP-SAT seconds of one of its steps: an even share of
# what is left of the sweep, within these limits. Measured on M (bench/README.md), a second of a
# single-group step gains more than a second of random neighbourhoods, hence the large share.
SWEEP_SHARE = 0.8
SWEEP_STEP_SECONDS = 3.0
MIN_SWEEP_STEP_SECONDS = 0.5


@dataclass
class Outcome:
    """What a search returned: the best plan and how the steps went."""

    plan: Plan
    cost: float
    steps: int = 0
    improved: int = 0
    sweep_steps: int = 0  # steps of the opening sweep, included in ``steps``

    def offer(self, cand: Candidates, result: Plan | None) -> bool:
        """Keep ``result`` if it is cheaper than the best plan; whether it was kept."""
        if result is None:
            return False
        cost = price(cand, result)["total"]
        if cost >= self.cost - 0.005:
            return False
        self.plan, self.cost = result, cost
        self.improved += 1
        return True


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


def learners(cand: Candidates) -> dict[str, int]:
    """Learners per group that has sections to place."""
    cohorts = cand.problem.cohorts
    return {
        key: sum(cohorts[c].size for c in g.cohorts)
        for key, g in cand.groups.items()
        if g.sections > 0
    }


def largest_first(cand: Candidates) -> list[str]:
    """The sweep's order: groups by learners, most first (ties by key, so runs repeat).

    Learners rather than current cost: they need no pricing of a part of a plan, and this is the
    order the M measurement used. Measured on M, a step's gain did not follow its group's size
    (small groups were often proven optimal at once), so what matters is that each group gets a
    turn, which the even share of the sweep's time sees to."""
    size = learners(cand)
    return sorted(size, key=lambda key: (-size[key], key))


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
    outcome = Outcome(plan, price(cand, plan)["total"])

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    def keep(result: Plan | None) -> None:
        if outcome.offer(cand, result) and improved is not None:
            improved(outcome.plan, outcome.cost)

    sweep_end = time.monotonic() + SWEEP_SHARE * max(0.0, deadline - time.monotonic())
    order = largest_first(cand)
    for visited, key in enumerate(order):
        left = min(sweep_end, deadline) - time.monotonic()
        if stopped() or left < MIN_SWEEP_STEP_SECONDS:
            break
        # An even share of what is left: steps that CP-SAT proves early hand their time on.
        share = left / (len(order) - visited)
        seconds = min(SWEEP_STEP_SECONDS, max(MIN_SWEEP_STEP_SECONDS, share))
        result, _ = step(cand, outcome.plan, {key}, seconds, workers, deadline, run)
        outcome.steps += 1
        outcome.sweep_steps += 1
        keep(result)

    rng = random.Random(seed)
    size = START_COHORTS
    related = related_groups(cand, plan)
    while not stopped():
        left = deadline - time.monotonic()
        if left < MIN_STEP_SECONDS:
            break
        groups, cohorts = choose(cand, related, size, rng)
        if not groups:
            break
        seconds = min(STEP_SECONDS, left)
        result, proven = step(cand, outcome.plan, groups, seconds, workers, deadline, run, cohorts)
        outcome.steps += 1
        size = (
            min(MAX_COHORTS, int(size * 1.2) + 1) if proven else max(MIN_COHORTS, int(size * 0.8))
        )
        keep(result)
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
