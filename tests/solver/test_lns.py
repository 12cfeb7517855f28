"""Large-neighbourhood search: its opening sweep visits single groups, most to save first, skips
those at their bound, revisits those not proven optimal and takes large ones in parts, within its
share of the time; random neighbourhoods grow from groups that could save; each step keeps every
rule and never raises the cost, the lower bounds (whole and per group) stay below proven optima,
and solve on a 200-cohort instance stops with a checked plan."""

from __future__ import annotations

import random
import threading

import pytest

from bench.generate import generate
from solver import candidates, lns
from solver import solve as engine
from solver.check import check
from solver.deadline import Deadline
from solver.greedy import greedy_plan
from solver.lower_bound import group_bounds, lower_bound
from solver.plan import group_totals, price, to_document
from solver.solve import solve
from solver.validate import parse_problem


def _instance(size: str, seed: int):
    problem, errors = parse_problem(generate(size, seed))
    assert errors == []
    return problem, candidates.build(problem)


def _violations(problem, cand, plan):
    doc = to_document(cand, plan, status="feasible", reasons={}, solver={}, lower_bound=0.0)
    return check(problem, doc)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_neighbourhood_step_never_raises_the_cost_and_keeps_every_rule(seed):
    problem, cand = _instance("S", seed)
    plan = greedy_plan(cand)
    costs = [price(cand, plan)["total"]]
    for key in cand.groups:
        result, _ = lns.step(cand, plan, {key}, 2.0, 2, Deadline.after(30))
        plan = result or plan  # a step returns a plan only when it is cheaper
        costs.append(price(cand, plan)["total"])
        assert _violations(problem, cand, plan) == []
    assert costs == sorted(costs, reverse=True)
    assert costs[-1] < costs[0]  # the greedy plan of S is not optimal: some step improved it


def test_search_returns_a_checked_plan_no_dearer_than_its_start():
    problem, cand = _instance("S", 3)
    plan = greedy_plan(cand)
    outcome = lns.search(cand, plan, Deadline.after(3), seed=1)
    assert price(cand, outcome.plan)["total"] <= price(cand, plan)["total"]
    assert _violations(problem, cand, outcome.plan) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_lower_bound_stays_below_the_proven_optimum(seed, monkeypatch):
    # One CP-SAT model proves the optimum; LNS's "optimal" would be the bound itself (circular).
    monkeypatch.setattr(engine, "FULL_MODEL_COHORTS", 1000)
    problem, cand = _instance("S", seed)
    schedule = solve(problem, time_limit=30)
    assert schedule["status"] == "optimal"
    assert lower_bound(cand) <= schedule["cost"]["total"]


def test_a_200_cohort_problem_is_solved_by_neighbourhoods_within_a_short_limit():
    problem, cand = _instance("M", 1)
    greedy_cost = price(cand, greedy_plan(cand))["total"]
    schedule = solve(problem, time_limit=5)
    assert schedule["status"] == "feasible"
    assert schedule["solver"]["strategy"] == "lns"
    assert schedule["cost"]["total"] <= greedy_cost
    assert schedule["lower_bound"] <= schedule["cost"]["total"]
    assert check(problem, schedule) == []


def _no_repacking(monkeypatch):
    """Sweep tests start the sweep from the greedy plan itself (the repacking pass would change
    it first; tests/solver/test_packing.py tests that pass)."""
    monkeypatch.setattr(lns, "repack_all", lambda *args: None)


def _recording(visited, enough, limit, proven=lambda groups: True):
    """A stand-in for ``lns.step`` that records each step and stops the search after ``limit``."""

    def record(cand, plan, groups, seconds, workers, deadline, run=None, cohorts=None):
        visited.append((set(groups), cohorts))
        if len(visited) >= limit:
            enough.set()
        return None, proven(groups)

    return record


def test_the_sweep_visits_single_groups_most_to_save_first(monkeypatch):
    _no_repacking(monkeypatch)
    problem, cand = _instance("M", 1)
    monkeypatch.setattr(lns, "WHOLE_COHORTS", 1000)  # every group whole: one pass when all proven
    plan = greedy_plan(cand)
    floors = group_bounds(cand)
    room = {k: group_totals(cand, plan)[k] - floors[k] for k in lns.learners(cand)}
    visited: list = []
    enough = threading.Event()
    monkeypatch.setattr(lns, "step", _recording(visited, enough, len(room) + 1))
    outcome = lns.search(cand, plan, Deadline.after(60), stop=enough, seed=1)
    swept = visited[: outcome.sweep_steps]
    assert all(len(groups) == 1 for groups, _ in swept)
    order = [next(iter(groups)) for groups, _ in swept]
    assert sorted(order) == sorted(k for k in room if room[k] > 0.005)
    assert [room[k] for k in order] == sorted((room[k] for k in order), reverse=True)


def test_the_sweep_skips_groups_already_at_their_bound(monkeypatch):
    _no_repacking(monkeypatch)
    problem, cand = _instance("M", 1)
    plan = greedy_plan(cand)
    totals = group_totals(cand, plan)
    at_bound = sorted(lns.learners(cand))[::2]
    floors = {k: totals[k] if k in at_bound else 0.0 for k in cand.groups}
    monkeypatch.setattr(lns, "group_bounds", lambda cand, deadline=None: floors)
    visited: list = []
    enough = threading.Event()
    monkeypatch.setattr(lns, "step", _recording(visited, enough, len(totals) + 1))
    outcome = lns.search(cand, plan, Deadline.after(60), stop=enough, seed=1)
    swept = {next(iter(groups)) for groups, _ in visited[: outcome.sweep_steps]}
    assert swept and swept.isdisjoint(at_bound)


def test_a_second_pass_revisits_only_the_groups_not_proven_optimal(monkeypatch):
    _no_repacking(monkeypatch)
    problem, cand = _instance("M", 1)
    monkeypatch.setattr(lns, "WHOLE_COHORTS", 1000)  # every group whole, so only proofs decide
    plan = greedy_plan(cand)
    keys = lns.most_to_save(cand, plan, group_bounds(cand), lns.learners(cand))
    open_ = set(keys[1::3])
    visited: list = []
    enough = threading.Event()
    record = _recording(visited, enough, len(keys) + len(open_), lambda g: not g & open_)
    monkeypatch.setattr(lns, "step", record)
    lns.search(cand, plan, Deadline.after(60), stop=enough, seed=1)
    second = [next(iter(groups)) for groups, _ in visited[len(keys) :]]
    assert sorted(second) == sorted(open_)


def test_a_large_group_is_swept_in_random_parts_and_small_ones_whole(monkeypatch):
    problem, cand = _instance("M", 2)
    plan = greedy_plan(cand)
    visited: list = []
    enough = threading.Event()
    monkeypatch.setattr(lns, "step", _recording(visited, enough, 2 * len(cand.groups)))
    lns.search(cand, plan, Deadline.after(60), stop=enough, seed=1)
    sizes = {len(cand.groups[next(iter(g))].cohorts) for g, _ in visited}
    assert max(sizes) > lns.WHOLE_COHORTS >= min(sizes)  # the instance has both kinds
    for groups, cohorts in visited:
        members = cand.groups[next(iter(groups))].cohorts
        if len(members) > lns.WHOLE_COHORTS:
            assert len(cohorts) == lns.PART_COHORTS and cohorts <= set(members)
        else:
            assert cohorts is None


def test_random_neighbourhoods_grow_from_a_group_that_could_save():
    problem, cand = _instance("M", 1)
    plan = greedy_plan(cand)
    totals = group_totals(cand, plan)
    keys = sorted(lns.learners(cand))
    floors = {k: totals[k] - (100.0 if k == keys[3] else 0.0) for k in cand.groups}
    rng = random.Random(1)
    assert {lns.pick_first(cand, plan, floors, rng) for _ in range(20)} == {keys[3]}
    related = lns.related_groups(cand, plan)
    groups, _ = lns.choose(cand, related, 30, rng, keys[3])
    assert keys[3] in groups


def test_the_sweep_never_raises_the_cost_and_keeps_every_rule(monkeypatch):
    problem, cand = _instance("S", 2)
    plan = greedy_plan(cand)
    costs = [price(cand, plan)["total"]]
    monkeypatch.setattr(lns, "MIN_STEP_SECONDS", 10.0)  # no random neighbourhoods after the sweep
    outcome = lns.search(cand, plan, Deadline.after(8), improved=lambda p, cost: costs.append(cost))
    assert outcome.sweep_steps > 0 and outcome.steps == outcome.sweep_steps
    assert costs == sorted(costs, reverse=True)
    assert outcome.cost == price(cand, outcome.plan)["total"] <= costs[0]
    assert _violations(problem, cand, outcome.plan) == []


def test_the_sweep_takes_at_most_its_share_and_random_neighbourhoods_follow(monkeypatch):
    _no_repacking(monkeypatch)
    problem, cand = _instance("M", 1)
    plan = greedy_plan(cand)
    monkeypatch.setattr(lns, "SWEEP_SHARE", 0.25)
    now = [0.0]  # a fake clock: each step takes all the seconds it is given, improving nothing
    starts = []

    def step(cand, plan, groups, seconds, workers, deadline, run=None, cohorts=None):
        starts.append(now[0])
        now[0] += seconds
        return None, False

    monkeypatch.setattr(lns, "step", step)
    outcome = lns.search(cand, plan, Deadline(6.0, started=0.0, clock=lambda: now[0]), seed=1)
    assert 0 < outcome.sweep_steps < len(lns.learners(cand))  # too little time for every group
    assert outcome.steps > outcome.sweep_steps
    assert max(starts[: outcome.sweep_steps]) < 0.25 * 6  # no sweep step starts after its share
    assert starts[outcome.sweep_steps] >= 0.25 * 6 - lns.MIN_SWEEP_STEP_SECONDS
    assert now[0] <= 6  # no step runs past the deadline
    assert outcome.plan is plan
