"""Large-neighbourhood search: each step keeps every rule and never raises the cost, the analytic
lower bound stays below proven optima, and solve on a 200-cohort instance stops with a checked plan."""

from __future__ import annotations

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
