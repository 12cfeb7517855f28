"""The LP bound's day structure (``solver.lp_bound.sessions_a_day``): a day's sessions are whole.

One facilitator, one day, at most 300 minutes a day, three cohorts that may not share a section
and each need one 120-minute session. Two sessions fit the day, not two and a half: the third
cohort goes unscheduled in every schedule. The minutes rows alone let the LP teach half of it."""

from __future__ import annotations

import pytest
from tiny import cohort, doc, facilitator, problem, program

from solver import candidates, lp_bound
from solver.solve import solve

ONE_DAY = doc(
    horizon={"start": "2027-01-04", "end": "2027-01-04"},
    programs=[program(sessions=[120])],
    cohorts=[cohort(c, 10, mergeable=False, unscheduled_cost=50.0) for c in ("a", "b", "c")],
    facilitators=[facilitator("ana", hourly_rate=10.0, max_minutes_per_day=300)],
)


def test_sessions_a_day_counts_whole_sessions_under_the_daily_maximum():
    assert lp_bound.sessions_a_day(1, 120, 300) == 2  # not 2.5
    assert lp_bound.sessions_a_day(5, 90, 300) == 15  # 3 a day, not 3.33
    assert lp_bound.sessions_a_day(5, 60, 300) == 25


def test_whole_sessions_a_day_raise_the_bound_and_keep_it_below_the_optimum(monkeypatch):
    p = problem(ONE_DAY)
    bound = lp_bound.lp_bound(candidates.build(p))
    schedule = solve(p, time_limit=10)
    assert schedule["status"] == "optimal"
    # Two sessions at 20.00 and ten learners left out at 50.00 each.
    assert schedule["cost"]["total"] == pytest.approx(2 * 20.0 + 10 * 50.0)
    assert bound <= schedule["cost"]["total"] + 0.005
    monkeypatch.setattr(lp_bound, "sessions_a_day", lambda *args: 10**6)
    before = lp_bound.lp_bound(candidates.build(p))
    assert before == pytest.approx(2.5 * 20.0 + 5 * 50.0, abs=0.01)
    assert bound > before + 100
