"""Large-neighbourhood search for problems too big for one CP-SAT model.

Starting from a complete plan (the greedy one), each step sets a few groups free (see
:mod:`solver.neighbourhood`), solves their sub-problem with CP-SAT for a few seconds hinted with
their current sections, and keeps the result only when it is cheaper. Every accepted plan therefore
satisfies every rule, and the cost never goes up. Sections of fixed sessions (and of ``previous``)
are never set free, so they stay exactly as the starting plan has them.

The search opens with a sweep of single groups for at most ``SWEEP_SHARE`` of the time, most to
save first: a group's current cost above its own lower bound (``lower_bound.group_bounds``), so
groups already at their bound are skipped. On the M benchmark such a sweep from the greedy plan
beat the random neighbourhoods at 60 s on every seed (bench/results/log.md): one group is a sub-problem
CP-SAT often proves optimal within a second or two, and every group gets its turn. The sweep goes
in passes, each over the groups the last one did not prove optimal; groups of many cohorts go in
random parts, which CP-SAT improves faster than the whole. Then random connected neighbourhoods
follow until the deadline, for moves across groups, each grown from a group drawn in proportion
to what it could save; their size grows while CP-SAT proves them optimal quickly and shrinks when
it does not.
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
from solver.deadline import Deadline, TimeUp
from solver.hint import add_hint
from solver.lower_bound import group_bounds
from solver.model import ScheduleModel
from solver.neighbourhood import freeze
from solver.packing import PACK_SECONDS, repack, section_sizes
from solver.plan import Plan, group_totals, price

# Cohorts in the first neighbourhood, its limits, and the CP-SAT seconds per step.
START_COHORTS = 30
MIN_COHORTS, MAX_COHORTS = 8, 150
STEP_SECONDS = 2.0
# A step with less time left than this is not started: model building alone would overrun.
MIN_STEP_SECONDS = 1.0
# The sweep's share of the time left, and the CP-SAT seconds of one of its steps: an even share of
# what is left of the sweep, within these limits. Measured on M (bench/results/log.md), a second of a
# single-group step gains more than a second of random neighbourhoods, hence the large share.
SWEEP_SHARE = 0.8
SWEEP_STEP_SECONDS = 3.0
MIN_SWEEP_STEP_SECONDS = 0.5
# A group of more cohorts than this gets sweep steps over a random part of that many cohorts, of
# at most PART_STEP_SECONDS each. Measured on M seed 2's 24-cohort virtual group, 30 s of such
# steps saved 8,380 (5 cohorts, 1 s) against 2,530 for whole-group steps of 2 s.
PART_COHORTS = 5
PART_STEP_SECONDS = 1.0
WHOLE_COHORTS = 12  # groups up to this many cohorts go whole
# Passes of repacking every group before the sweep, while one still gains.
REPACK_PASSES = 3
# Share of the time left the groups' floors (``group_bounds``) may take: measured (2 cores,
# quiet) 0.2 s on the demo, 0.4 s on M, 2.6 s on L, over 80 s on XXL, where the search then had
# no time left for a single step.
FLOORS_SHARE = 0.1


@dataclass
class Outcome:
    """What a search returned: the best plan and how the steps went."""

    plan: Plan
    cost: float
    steps: int = 0
    improved: int = 0
    sweep_steps: int = 0  # steps of the opening sweep, included in ``steps``
    repack_steps: int = 0  # groups repacked before the sweep, included in ``steps``

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


def most_to_save(cand: Candidates, plan: Plan, floors: dict[str, float], keys) -> list[str]:
    """The sweep's order: ``keys`` by what a step could save (current cost above the group's
    bound), most first, leaving out groups already at their bound (ties by key, so runs repeat).

    Measured on M, a step's gain did not follow its group's size, and most groups of the good plans
    sit at their bound: their steps can only cost time."""
    room = room_to_save(cand, plan, floors)
    return sorted((key for key in keys if room[key] > 0.005), key=lambda key: (-room[key], key))


def room_to_save(cand: Candidates, plan: Plan, floors: dict[str, float]) -> dict[str, float]:
    """Per group, its cost in ``plan`` above its bound: the most a step on it could save."""
    cost = group_totals(cand, plan)
    return {key: cost[key] - floors.get(key, 0.0) for key in cost}


def choose(
    cand: Candidates,
    related: dict[str, set[str]],
    size: int,
    rng: random.Random,
    first: str | None = None,
) -> tuple[set[str], set[str]]:
    """A random connected set of groups, from ``first`` when given, and about ``size`` of their
    cohorts (a random part of a group that is larger than what is left of the budget)."""
    keys = [k for k, g in cand.groups.items() if g.sections > 0]
    groups: set[str] = set()
    cohorts: set[str] = set()
    frontier: set[str] = {first} if first in keys else set()
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


def pick_first(
    cand: Candidates, plan: Plan, floors: dict[str, float], rng: random.Random
) -> str | None:
    """A group to grow a neighbourhood from, drawn in proportion to what it could save.

    On M the gap of good plans sits in a few groups, some of them at their own optimum alone but
    dearer in the plan: only moving their neighbours with them can bring them down."""
    room = room_to_save(cand, plan, floors)
    keys = [k for k in learners(cand) if room[k] > 0.005]
    if not keys:
        return None
    return rng.choices(keys, weights=[room[k] for k in keys])[0]


def search(
    cand: Candidates,
    plan: Plan,
    deadline: Deadline,
    *,
    workers: int = 2,
    improved: Callable[[Plan, float], None] | None = None,
    stop: threading.Event | None = None,
    seed: int = 0,
    run: Callable[[cp_model.CpSolver, cp_model.CpModel], int] | None = None,
) -> Outcome:
    """Improve ``plan`` until ``deadline`` passes or ``stop`` is set.

    ``improved(plan, cost)`` is called on each accepted plan; ``run(solver, model)`` solves one
    sub-problem (default ``solver.solve(model)``; the engine passes one that honours cancel).
    """
    outcome = Outcome(plan, price(cand, plan)["total"])

    deadline = deadline.with_stop(stop)

    def stopped() -> bool:
        return deadline.cancelled()

    def keep(result: Plan | None) -> None:
        if outcome.offer(cand, result) and improved is not None:
            improved(outcome.plan, outcome.cost)

    # Seconds a step takes beyond its CP-SAT time (freezing, building the model, merging): under
    # load (demo, load 11) a step given 0.9 s took 2.3 s and the solve overran its limit.
    # Steps get a deadline that much earlier, so the last one ends in time (half a second
    # before the first step has been measured: the demo's first step at load 11 took 0.5 s more).
    overhead = [MIN_SWEEP_STEP_SECONDS]

    def attempt(groups, seconds, cohorts=None) -> tuple[Plan | None, bool]:
        budget = deadline.earlier(overhead[0])
        seconds = min(seconds, budget.left())
        if seconds <= 0:
            return None, False
        started = time.monotonic()
        result = step(cand, outcome.plan, groups, seconds, workers, budget, run, cohorts)
        overhead[0] = max(0.5 * overhead[0], time.monotonic() - started - seconds)
        return result

    rng = random.Random(seed)
    floors = group_bounds(cand, deadline=deadline.sooner(FLOORS_SHARE * deadline.left()))
    for _ in range(REPACK_PASSES):  # a group repacked after its neighbours may fill better
        before = outcome.improved
        repack_all(cand, outcome, floors, deadline, keep, stopped)
        if outcome.improved == before:
            break
    sweep(cand, outcome, floors, deadline, attempt, keep, stopped, rng)

    size = START_COHORTS
    related = related_groups(cand, plan)
    while not stopped():
        left = deadline.left()
        if left < MIN_STEP_SECONDS:
            break
        first = pick_first(cand, outcome.plan, floors, rng)
        groups, cohorts = choose(cand, related, size, rng, first)
        if not groups:
            break
        result, proven = attempt(groups, min(STEP_SECONDS, left), cohorts)
        outcome.steps += 1
        size = (
            min(MAX_COHORTS, int(size * 1.2) + 1) if proven else max(MIN_COHORTS, int(size * 0.8))
        )
        keep(result)
    return outcome


def sweep(
    cand: Candidates,
    outcome: Outcome,
    floors: dict[str, float],
    deadline: Deadline,
    attempt: Callable[[set[str], float, set[str] | None], tuple[Plan | None, bool]],
    keep: Callable[[Plan | None], None],
    stopped: Callable[[], bool],
    rng: random.Random,
) -> None:
    """Single groups, most to save first, in passes, for at most ``SWEEP_SHARE`` of the time.

    Each pass visits the groups the last one did not prove optimal, in a fresh order: a step cut
    short by its time often gains again on a second visit, and one proven optimal cannot (until
    its neighbours move, which the random neighbourhoods see to). A group of more than
    ``WHOLE_COHORTS`` cohorts goes in random parts, so it stays in every pass."""
    sweep_end = deadline.sooner(SWEEP_SHARE * deadline.left())
    order = most_to_save(cand, outcome.plan, floors, learners(cand))
    while order:
        unproven = []
        for visited, key in enumerate(order):
            left = sweep_end.left()
            if stopped() or left < MIN_SWEEP_STEP_SECONDS:
                return
            # An even share of what is left: steps that CP-SAT proves early hand their time on.
            share = left / (len(order) - visited)
            seconds = min(SWEEP_STEP_SECONDS, max(MIN_SWEEP_STEP_SECONDS, share))
            part = part_of(cand.groups[key].cohorts, rng)
            if part is not None:
                seconds = min(seconds, PART_STEP_SECONDS)
            result, proven = attempt({key}, seconds, part)
            outcome.steps += 1
            outcome.sweep_steps += 1
            keep(result)
            if not proven or part is not None:  # a part proven optimal says little of the group
                unproven.append(key)
        order = most_to_save(cand, outcome.plan, floors, unproven)


def repack_all(
    cand: Candidates,
    outcome: Outcome,
    floors: dict[str, float],
    deadline: Deadline,
    keep: Callable[[Plan | None], None],
    stopped: Callable[[], bool],
) -> None:
    """Each group that could save, most first, re-formed into full sections (``packing.repack``);
    kept where the whole plan gets cheaper.

    Measured on M seed 2, this pass alone took the greedy plan from 454,542 to 391,667 in 10 s:
    the greedy's evenly split cohorts leave seats empty that CP-SAT steps, which move times and
    facilitators of a few sections at a time, seldom fill."""
    order = most_to_save(cand, outcome.plan, floors, learners(cand))
    # Every group in full sections first, then in-person groups at smaller rooms' seats: under a
    # short limit the first part is most of the gain (demo at 20 s, load 14: the search ended
    # above greedy + repacking while it tried the smaller sizes group by group).
    tries = [(key, None) for key in order]
    tries += [(key, seats) for key in order for seats in section_sizes(cand, cand.groups[key])]
    for key, seats in tries:
        left = deadline.left()
        if stopped() or left < MIN_STEP_SECONDS:
            return
        # Half of what is left at most for composition, so placing the sections has time too.
        keep(repack(cand, outcome.plan, key, min(PACK_SECONDS, left / 2), deadline, seats))
        outcome.steps += 1
        outcome.repack_steps += 1


def part_of(cohorts: list[str], rng: random.Random) -> set[str] | None:
    """A random part of a large group's cohorts for one sweep step, None for a small group (it
    goes whole)."""
    if len(cohorts) <= WHOLE_COHORTS:
        return None
    return set(rng.sample(cohorts, PART_COHORTS))


def step(
    cand: Candidates,
    plan: Plan,
    groups: set[str],
    seconds: float,
    workers: int,
    deadline: Deadline,
    run: Callable[[cp_model.CpSolver, cp_model.CpModel], int] | None = None,
    cohorts: set[str] | None = None,
) -> tuple[Plan | None, bool]:
    """Re-optimise ``groups`` (only ``cohorts`` of them, when given) within ``plan``: the cheaper
    whole plan (or None) and whether CP-SAT proved the sub-problem optimal."""
    hood = freeze(cand, plan, groups, cohorts)
    try:  # building a large neighbourhood's model can take seconds: it stops at the deadline too
        sm = ScheduleModel(hood.cand, hood.free, deadline)
    except TimeUp:
        return None, False
    # Fixed sections stay frozen, so today the sub-problem has no fixed sessions; if a
    # neighbourhood ever carries some, they must hold there as in the full model, not be optional.
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)
    add_hint(sm, hood.free)
    seconds = min(seconds, deadline.left())
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
