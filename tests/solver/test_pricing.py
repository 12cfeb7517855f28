"""One price list (``solver.pricing``) for the model, the plan, the greedy and the bounds: it agrees
item by item with the checker's own recomputation (``solver.cost``), and the model's objective for
a solved problem is what the checker recomputes, to the cent."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from tiny import cohort, doc, facilitator, problem, program, room

from solver import candidates
from solver.cost import hourly_cents, recompute_cost
from solver.greedy import greedy_plan
from solver.hint import add_hint
from solver.model import ScheduleModel
from solver.plan import to_document
from solver.pricing import hourly

whole_cents = st.integers(0, 10**10).map(lambda c: c / 100)


@given(rate=whole_cents, minutes=st.integers(1, 1440), fee=whole_cents)
def test_an_hourly_item_is_rounded_half_up_like_the_checker_does(rate, minutes, fee):
    assert hourly(rate, minutes) + round(fee * 100) == hourly_cents(rate, minutes, fee)


def _odd_amounts(seed: int) -> dict:
    """A tiny problem whose every amount is an awkward number of cents (hourly items then fall
    between cents), with sessions of 50 and 70 minutes."""
    rng = random.Random(seed)

    def money() -> float:
        return rng.randrange(1, 10_000) / 100

    return doc(
        programs=[program(mode="in_person", sessions=[50, 70], seats=[2, 9], seat_cost=money())],
        cohorts=[cohort(c, rng.randrange(2, 12), unscheduled_cost=rng.randrange(1, 10**5) / 100) for c in "abc"],
        facilitators=[
            facilitator("ana", hourly_rate=money(), session_fee=money(),
                        if_need_be=[["2027-01-04T09:00", "2027-01-05T12:00"]],
                        if_need_be_cost=money()),
            facilitator("ben", site="paris", hourly_rate=money(), session_fee=money(),
                        travel_cost={"london": money()}),
        ],
        rooms=[room("r1", 9, hourly_cost=money()), room("r2", 6, hourly_cost=money())],
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_the_models_objective_is_the_checkers_cost_to_the_cent(seed):
    parsed = problem(_odd_amounts(seed))
    cand = candidates.build(parsed)
    baseline = greedy_plan(cand)
    sm = ScheduleModel(cand, baseline)
    add_hint(sm, baseline)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 30
    solver.parameters.num_workers = 2
    assert solver.solve(sm.model) == cp_model.OPTIMAL
    plan = sm.plan(solver.value)
    document = to_document(cand, plan, status="optimal", reasons={}, solver={}, lower_bound=0.0)
    assert plan.sections  # something is placed, so every kind of item is priced
    assert round(solver.objective_value) == round(recompute_cost(parsed, document)["total"] * 100)
    assert document["cost"] == recompute_cost(parsed, document)
