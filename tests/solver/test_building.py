"""How far the first schedule is while it is built (``greedy.Building``): on 10,000 cohorts the
greedy plan takes seconds, and the progress page says how far it is. The counts go up one
section at a time to the whole, a re-plan first looks at the plan it starts from, and nothing
of the plan changes because someone is told."""

from __future__ import annotations

import threading

from test_first_schedule import TWO_SITES, _replan
from test_greedy_team import _generated, _sections
from tiny import problem

from solver import candidates
from solver import solve as engine
from solver.deadline import Deadline
from solver.decompose_guide import first_pass
from solver.greedy import greedy_plan


def _steps(calls, step):
    return [(done, total) for name, done, total in calls if name == step]


def test_the_greedy_plan_counts_each_section_tried_up_to_all_of_them(python_greedy):
    p = _generated("M", 1)
    calls = []
    plan = greedy_plan(candidates.build(p), building=lambda *call: calls.append(call))
    new = _steps(calls, "new")
    total = new[0][1]
    assert total >= len(plan.sections) > 100  # every section formed is tried, not all placed
    assert new == [(k, total) for k in range(total)] + [(total, total)]
    assert _steps(calls, "previous") == []  # a first plan starts from nothing
    assert _sections(plan) == _sections(greedy_plan(candidates.build(p)))


def test_a_replan_first_looks_at_each_section_of_the_plan_it_starts_from(python_greedy):
    first = engine.solve(problem(TWO_SITES), time_limit=5)
    assert first["sections"]
    calls = []
    p = problem(_replan(TWO_SITES, first))
    greedy_plan(candidates.build(p), building=lambda *call: calls.append(call))
    n = len(first["sections"])
    looked = _steps(calls, "previous")
    assert looked == [(k, n) for k in range(n)]
    # then the cohorts left (none: the previous plan placed them all) are placed
    assert calls[: len(looked)] == [("previous", k, n) for k in range(n)]
    assert calls[-1][0] == "new" and calls[-1][1] == calls[-1][2]


def test_the_compiled_loop_counts_the_plan_kept_from_none_to_all():
    """The compiled loop keeps the sections of the plan a re-plan starts from all at once: it
    is told before and after, then the learners left are placed (none here)."""
    first = engine.solve(problem(TWO_SITES), time_limit=5)
    calls = []
    p = problem(_replan(TWO_SITES, first))
    greedy_plan(candidates.build(p), building=lambda *call: calls.append(call))
    n = len(first["sections"])
    assert _steps(calls, "previous") == [(0, n), (n, n)]
    assert calls[:2] == [("previous", 0, n), ("previous", n, n)]
    assert calls[-1][0] == "new" and calls[-1][1] == calls[-1][2]


def test_solve_and_the_split_first_pass_tell_how_far_the_greedy_plan_is_before_its_cost():
    events = []
    stop = threading.Event()

    def progress(elapsed, cost, bound):
        events.append(("progress",))
        stop.set()

    p = _generated("M", 11)
    engine.solve(p, time_limit=30, progress=progress, stop_event=stop,
                 building=lambda *call: events.append(call))  # fmt: skip
    first_cost = events.index(("progress",))
    assert first_cost > 0
    step, done, total = events[first_cost - 1]
    assert step == "new" and done == total > 0

    passed = []
    guide = first_pass(p, Deadline.after(60), lambda *call: passed.append(call))
    assert guide is not None
    assert passed[-1] == ("new", total, total)  # the same greedy plan, told the same way
