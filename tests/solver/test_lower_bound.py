"""Lower bounds used under large-neighbourhood search: the LP bound stays below every optimum the
full model proves and sees facilitators run out of time; a bound is reported as it is (never
clamped to the cost), and one above the cost is an error in tests and "unknown" in production.
(Bounds against brute-force optima of random tiny problems: test_properties.py.)"""

from __future__ import annotations

import dataclasses

import pytest
from conftest import PROBLEM
from ortools.sat.python import cp_model
from tiny import cohort, doc, facilitator, problem, program, room

from bench.generate import generate
from solver import candidates, lns
from solver import solve as engine
from solver.deadline import Deadline
from solver.greedy import greedy_plan
from solver.hint import add_hint
from solver.lower_bound import analytic_bound, group_bounds
from solver.lp_bound import lp_bound
from solver.model import ScheduleModel
from solver.plan import group_totals, price
from solver.validate import parse_problem


def _candidates(document):
    return candidates.build(problem(document))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_lp_bound_stays_below_the_proven_optimum_on_generated_instances(seed, monkeypatch):
    # One CP-SAT model proves the optimum; LNS's "optimal" would be the bound itself (circular).
    monkeypatch.setattr(engine, "FULL_MODEL_COHORTS", 1000)
    parsed, errors = parse_problem(generate("S", seed))
    assert errors == []
    schedule = engine.solve(parsed, time_limit=30)
    assert schedule["status"] == "optimal"
    assert lp_bound(candidates.build(parsed)) <= schedule["cost"]["total"]


IN_PERSON = doc(
    programs=[program(mode="in_person", sessions=[60, 60], seats=[4, 12], seat_cost=5.0)],
    cohorts=[cohort("a", 10), cohort("b", 8, mergeable=False), cohort("c", 3, splittable=False)],
    facilitators=[facilitator("ana", buffer_minutes=30), facilitator("ben", site="paris",
                  hourly_rate=40.0, travel_cost={"london": 90.0})],
    rooms=[room("big", 12), room("small", 6, hourly_cost=2.0)],
)  # fmt: skip


@pytest.mark.parametrize("document", [PROBLEM, IN_PERSON], ids=["small", "in-person"])
def test_the_lp_bound_stays_below_the_proven_optimum_on_the_fixtures(document):
    parsed = problem(document)
    schedule = engine.solve(parsed, time_limit=30)
    assert schedule["status"] == "optimal"
    assert lp_bound(candidates.build(parsed)) <= schedule["cost"]["total"]


def _two_programs_one_cheap_hour():
    """Two programs, one cohort each; the cheap facilitator has one hour, enough for one session."""
    return doc(
        programs=[program(id="p"), program(id="q")],
        cohorts=[cohort("a"), cohort("b", program="q")],
        facilitators=[
            facilitator("cheap", hourly_rate=10.0, weekly={"mon": [["09:00", "10:00"]]}),
            facilitator("dear", hourly_rate=100.0),
        ],
    )


def test_a_cheap_facilitator_with_hours_for_one_group_only_raises_the_bound():
    cand = _candidates(_two_programs_one_cheap_hour())
    assert analytic_bound(cand) == pytest.approx(20.0, abs=0.05)  # both at the cheap rate
    assert lp_bound(cand) > analytic_bound(cand)


def test_the_bound_with_a_scarce_cheap_facilitator_is_the_optimum():
    document = _two_programs_one_cheap_hour()
    schedule = engine.solve(problem(document), time_limit=10)
    assert schedule["status"] == "optimal"
    assert lp_bound(_candidates(document)) == schedule["cost"]["total"] == 110.0


def test_neighbourhood_search_meeting_the_bound_calls_the_plan_optimal(monkeypatch):
    monkeypatch.setattr(engine, "FULL_MODEL_COHORTS", 0)  # the LNS path
    schedule = engine.solve(problem(_two_programs_one_cheap_hour()), time_limit=3)
    # The cost equals a valid lower bound: no plan is cheaper, and the answer says so.
    assert schedule["solver"]["strategy"] == "lns" and schedule["status"] == "optimal"
    assert schedule["cost"]["total"] == 110.0  # worked out by hand: 10 + 100
    assert schedule["lower_bound"] == schedule["solver"]["bound"] == 110.0
    assert schedule["solver"]["gap"] == 0.0


def _counting_steps(monkeypatch) -> list[int]:
    """Record each neighbourhood the search solves (one entry per ``lns.step`` call)."""
    steps: list[int] = []
    real = lns.step

    def counted(*args, **kwargs):
        steps.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(lns, "step", counted)
    return steps


def test_neighbourhood_search_stops_as_soon_as_its_cost_meets_the_bound(monkeypatch):
    monkeypatch.setattr(engine, "FULL_MODEL_COHORTS", 0)
    steps = _counting_steps(monkeypatch)
    schedule = engine.solve(problem(_two_programs_one_cheap_hour()), time_limit=3)
    # The start plan costs the bound already (110): no neighbourhood is searched after that.
    assert schedule["status"] == "optimal" and schedule["cost"]["total"] == 110.0
    assert steps == [] and schedule["solver"]["lns_steps"] == 0


def test_neighbourhood_search_goes_on_while_its_cost_is_above_the_bound(monkeypatch):
    steps = _counting_steps(monkeypatch)
    schedule = _with_bound(monkeypatch, 27.5)  # the same problem, a bound it cannot meet
    assert schedule["status"] == "feasible" and schedule["cost"]["total"] == 110.0
    assert len(steps) > 0


def _with_bound(monkeypatch, value):
    """The LNS path on the two-program problem (optimum 110), its bound replaced by ``value``."""
    monkeypatch.setattr(engine, "FULL_MODEL_COHORTS", 0)
    parts = {"analytic": value, "lp": 0.0, "analytic_items": {}, "used": "analytic"}
    monkeypatch.setattr(engine, "analytic_bound", lambda cand: 0.0)
    monkeypatch.setattr(engine, "lower_bound_parts", lambda *args: dict(parts))
    return engine.solve(problem(_two_programs_one_cheap_hour()), time_limit=3)


def test_the_gap_is_cost_minus_bound_over_cost(monkeypatch):
    schedule = _with_bound(monkeypatch, 27.5)
    assert schedule["lower_bound"] == schedule["solver"]["bound"] == 27.5
    assert schedule["solver"]["gap"] == 0.75  # (110 - 27.5) / 110


def test_a_bound_above_the_cost_raises_in_strict_mode(monkeypatch):
    with pytest.raises(engine.InvalidBound, match="lower bound 150.00 is above"):
        _with_bound(monkeypatch, 150.0)


def test_a_bound_above_the_cost_is_logged_and_reported_unknown_in_production(monkeypatch, caplog):
    monkeypatch.setenv(engine.STRICT_ENV, "0")
    schedule = _with_bound(monkeypatch, 150.0)
    assert schedule["lower_bound"] is None
    assert schedule["solver"]["bound"] is None and schedule["solver"]["gap"] is None
    assert "lower bound 150.00 is above the schedule's cost 110.00" in caplog.text
    assert schedule["cost"]["total"] == 110.0
    assert schedule["status"] == "feasible"  # a bound above the cost proves nothing


def _proven_optimal_plan(cand):
    """The full model solved to a proof, as a plan (solve returns only the document)."""
    sm = ScheduleModel(cand, greedy_plan(cand))
    add_hint(sm, greedy_plan(cand))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 2
    assert solver.solve(sm.model) == cp_model.OPTIMAL
    return sm.plan(solver.value)


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_each_group_bound_stays_below_that_groups_cost_in_a_proven_optimum(seed):
    parsed, _ = parse_problem(generate("S", seed))
    cand = candidates.build(parsed)
    totals = group_totals(cand, _proven_optimal_plan(cand))
    bounds = group_bounds(cand)
    assert all(bounds[key] <= totals[key] + 1e-6 for key in cand.groups)


def test_groups_the_deadline_leaves_no_lp_time_for_keep_their_analytic_bound():
    """On 10,000 cohorts the groups' LPs took the whole search's time; past the deadline each
    group still has its analytic bound, never a 0 that tells the search nothing."""
    parsed, _ = parse_problem(generate("S", 2))
    cand = candidates.build(parsed)
    passed = Deadline.after(0.0)
    bounds = group_bounds(cand, deadline=passed)
    alone = {
        key: analytic_bound(dataclasses.replace(cand, groups={key: g}))
        for key, g in cand.groups.items()
    }
    assert bounds == pytest.approx(alone)
    assert sum(bounds.values()) > 0
    assert all(group_bounds(cand)[key] >= bounds[key] - 1e-6 for key in cand.groups)


def test_group_totals_add_up_to_the_plans_cost():
    parsed, _ = parse_problem(generate("S", 4))
    cand = candidates.build(parsed)
    plan = greedy_plan(cand)
    assert sum(group_totals(cand, plan).values()) == pytest.approx(price(cand, plan)["total"])
