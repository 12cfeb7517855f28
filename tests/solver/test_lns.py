"""Large-neighbourhood search: its opening sweep visits each group alone, most learners first,
within its share of the time; each step keeps every rule and never raises the cost, the analytic
lower bound stays below proven optima, and solve on a 200-cohort instance stops with a checked plan."""

from __future__ import annotations

import threading
import time

import pytest

from bench.generate import generate
from solver import candidates, lns
from solver.check import check
from solver.greedy import greedy_plan
from solver.lower_bound import lower_bound
from solver.plan import price, to_document
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
    before = price(cand, plan)["total"]
    for key in cand.groups:
        result, _ = lns.step(cand, plan, {key}, 2.0, 2, time.monotonic() + 30)
        if result is not None:
            assert price(cand, result)["total"] < before
            assert _violations(problem, cand, result) == []
            plan, before = result, price(cand, result)["total"]


def test_search_returns_a_checked_plan_no_dearer_than_its_start():
    problem, cand = _instance("S", 3)
    plan = greedy_plan(cand)
    outcome = lns.search(cand, plan, time.monotonic() + 3, seed=1)
    assert price(cand, outcome.plan)["total"] <= price(cand, plan)["total"]
    assert _violations(problem, cand, outcome.plan) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_lower_bound_stays_below_the_proven_optimum(seed):
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


def test_the_sweep_visits_each_group_alone_most_learners_first(monkeypatch):
    problem, cand = _instance("M", 1)
    plan = greedy_plan(cand)
    sizes = lns.learners(cand)
    visited: list[set[str]] = []
    enough = threading.Event()

    def record(cand, plan, groups, *args, **kwargs):
        visited.append(set(groups))
        if len(visited) > len(sizes):  # the sweep and one random step: that is all this needs
            enough.set()
        return None, True

    monkeypatch.setattr(lns, "step", record)
    outcome = lns.search(cand, plan, time.monotonic() + 60, stop=enough, seed=1)
    swept = visited[: outcome.sweep_steps]
    assert outcome.sweep_steps == len(sizes)
    assert all(len(groups) == 1 for groups in swept)
    order = [next(iter(groups)) for groups in swept]
    assert sorted(order) == sorted(sizes)
    assert [sizes[k] for k in order] == sorted(sizes.values(), reverse=True)


def test_the_sweep_never_raises_the_cost_and_keeps_every_rule(monkeypatch):
    problem, cand = _instance("S", 2)
    plan = greedy_plan(cand)
    costs = [price(cand, plan)["total"]]
    monkeypatch.setattr(lns, "MIN_STEP_SECONDS", 10.0)  # no random neighbourhoods after the sweep
    outcome = lns.search(
        cand, plan, time.monotonic() + 8, improved=lambda p, cost: costs.append(cost)
    )
    assert outcome.sweep_steps > 0 and outcome.steps == outcome.sweep_steps
    assert costs == sorted(costs, reverse=True)
    assert outcome.cost == price(cand, outcome.plan)["total"] <= costs[0]
    assert _violations(problem, cand, outcome.plan) == []


def test_the_sweep_takes_at_most_its_share_and_random_neighbourhoods_follow(monkeypatch):
    problem, cand = _instance("M", 1)
    plan = greedy_plan(cand)
    monkeypatch.setattr(lns, "SWEEP_SHARE", 0.25)
    real_step, swept_until = lns.step, []

    def timed(cand, plan, groups, *args, **kwargs):
        out = real_step(cand, plan, groups, *args, **kwargs)
        swept_until.append(time.monotonic())
        return out

    monkeypatch.setattr(lns, "step", timed)
    started = time.monotonic()
    outcome = lns.search(cand, plan, started + 6, seed=1)
    finished = time.monotonic()
    assert 0 < outcome.sweep_steps < len(lns.learners(cand))  # too little time for every group
    assert outcome.steps > outcome.sweep_steps
    # The sweep stops starting steps at its share; the last one may overrun by its building time.
    assert swept_until[outcome.sweep_steps - 1] - started < 0.25 * 6 + 1.5
    assert finished - started < 6 + 1.0
    assert _violations(problem, cand, outcome.plan) == []
