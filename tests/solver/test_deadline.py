"""The wall-clock limit: every stage stops once the deadline passes, and what was found by then is
a valid schedule whose unplaced learners each have a reason. Clocks are fake (a counter), so these
tests measure nothing and never depend on the machine's speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import generate
from solver import candidates, lns, rules
from solver import solve as engine
from solver.check import check
from solver.deadline import Deadline, TimeUp
from solver.greedy import greedy_plan
from solver.lower_bound import lower_bound
from solver.lp_bound import lp_bound
from solver.packing import repack
from solver.plan import price
from solver.validate import parse_problem

ROOT = Path(__file__).resolve().parents[2]


class Ticking:
    """A clock that moves one second each time it is read, and counts the reads."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return float(self.reads)


def _problem(size: str = "S", seed: int = 1):
    problem, errors = parse_problem(generate(size, seed))
    assert errors == []
    return problem


def _expired() -> Deadline:
    clock = Ticking()
    return Deadline(0.0, started=0.0, clock=clock)


def _every_unplaced_learner_has_a_reason(problem, schedule) -> None:
    assert check(problem, schedule) == []
    placed: dict[str, int] = {}
    for section in schedule["sections"]:
        for part in section["cohorts"]:
            placed[part["cohort"]] = placed.get(part["cohort"], 0) + part["learners"]
    left = {c.id: c.size - placed.get(c.id, 0) for c in problem.cohorts.values()}
    assert {u["cohort"]: u["learners"] for u in schedule["unscheduled"]} == {
        c: n for c, n in left.items() if n > 0
    }
    assert all(u["reasons"] for u in schedule["unscheduled"])


def test_a_deadline_passed_before_the_greedy_starts_still_gives_a_valid_schedule():
    problem = _problem()
    schedule = engine.solve(problem, deadline=_expired())
    _every_unplaced_learner_has_a_reason(problem, schedule)
    assert schedule["status"] == "feasible" and schedule["sections"] == []
    assert len(schedule["unscheduled"]) == len(problem.cohorts)
    reason = "not scheduled: the time limit ran out before the engine got to this cohort"
    assert {tuple(u["reasons"]) for u in schedule["unscheduled"]} == {(reason,)}
    assert schedule["solver"]["stopped"] == "the time limit ran out during the greedy plan"
    # Cohorts never examined could look unplaceable: no bound may be claimed from them.
    assert schedule["lower_bound"] is None and schedule["solver"]["gap"] is None


def _reads(run) -> int:
    """How often ``run(deadline)`` reads a clock that never reaches its deadline."""
    clock = Ticking()
    run(Deadline(float("inf"), started=0.0, clock=clock))
    return clock.reads


def test_a_deadline_passing_during_the_greedy_gives_a_partial_schedule(python_greedy):
    problem = _problem()
    cand = candidates.build(problem)
    half = _reads(lambda deadline: greedy_plan(cand, deadline)) // 2
    clock = Ticking()
    plan = greedy_plan(cand, Deadline(float(half), started=0.0, clock=clock))
    full = greedy_plan(cand)
    assert 0 < len(plan.sections) < len(full.sections)
    assert plan.unreached and clock.reads == half  # stopped at its first look past the deadline


def test_the_solve_stops_the_greedy_and_reports_the_partial_plan(python_greedy):
    problem = _problem()
    examine = _reads(lambda deadline: candidates.build(problem, deadline=deadline))
    cand = candidates.build(problem)
    greedy = _reads(lambda deadline: greedy_plan(cand, deadline))
    clock = Ticking()  # passes the deadline half-way through the greedy
    schedule = engine.solve(
        problem, deadline=Deadline(float(examine + greedy // 2), started=0.0, clock=clock)
    )
    _every_unplaced_learner_has_a_reason(problem, schedule)
    assert schedule["sections"]
    assert schedule["solver"]["unreached_cohorts"] > 0
    assert "strategy" not in schedule["solver"]  # no neighbourhood search after the deadline
    stopped = [u for u in schedule["unscheduled"] if "time limit ran out" in u["reasons"][0]]
    assert stopped


def test_candidates_stop_and_list_the_cohorts_left_unexamined():
    problem = _problem()
    clock = Ticking()
    cand = candidates.build(problem, deadline=Deadline(20.0, started=0.0, clock=clock))
    assert 0 < len(cand.unexamined) < len(problem.cohorts)
    assert all(cand.cohort_starts[(c, 0)] == [] for c in cand.unexamined)
    assert lower_bound(cand) is None


def test_the_bound_and_repacking_stop_at_the_deadline():
    problem = _problem()
    cand = candidates.build(problem)
    assert lp_bound(cand, 5.0, _expired()) == 0.0  # nothing built: the trivial bound
    plan = greedy_plan(cand)
    key = next(iter(cand.groups))
    assert repack(cand, plan, key, 1.0, _expired()) is None


def test_neighbourhood_search_takes_no_step_after_the_deadline(monkeypatch):
    problem = _problem()
    cand = candidates.build(problem)
    plan = greedy_plan(cand)

    def no_step(*args, **kwargs):
        raise AssertionError("a step started after the deadline")

    monkeypatch.setattr(lns, "step", no_step)
    outcome = lns.search(cand, plan, _expired())
    assert outcome.steps == 0 and outcome.cost == price(cand, plan)["total"]


def test_check_raises_time_up_only_once_the_deadline_passes():
    clock = Ticking()
    deadline = Deadline(3.0, started=0.0, clock=clock)
    deadline.check()  # 1.0
    deadline.check()  # 2.0
    with pytest.raises(TimeUp):
        deadline.check()  # 3.0


def test_the_cli_writes_a_valid_partial_schedule_when_the_limit_is_already_spent(tmp_path):
    problem_path, out = tmp_path / "problem.json", tmp_path / "schedule.json"
    problem_path.write_text(json.dumps(generate("S", 1)))
    result = subprocess.run(
        [sys.executable, "-m", "solver", "solve", str(problem_path), "--time-limit", "0.001",
         "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    schedule = json.loads(out.read_text())
    _every_unplaced_learner_has_a_reason(_problem(), schedule)
    assert schedule["solver"]["stopped"].startswith("the time limit ran out")


def test_a_neighbourhood_step_past_the_deadline_builds_no_model_and_solves_nothing(monkeypatch):
    problem = _problem()
    cand = candidates.build(problem)
    plan = greedy_plan(cand)

    def no_rule(sm):
        raise AssertionError("a rule was posted after the deadline")

    monkeypatch.setattr(rules, "ALL_RULES", (no_rule,))
    assert lns.step(cand, plan, set(cand.groups), 2.0, 2, _expired()) == (None, False)
