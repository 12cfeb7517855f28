"""Run the engine: greedy warm start, CP-SAT search with progress and cancel, the schedule document.

The greedy plan is computed first and kept: it is the complete hint of the search and the answer
when the search finds nothing better in time (a time limit inside presolve gives no solution).
Small problems get one CP-SAT model of everything, which can prove optimality. Larger ones would
spend the time limit in presolve (measured: 8–11 s on 200 cohorts, over 120 s on 1,000), so they get
large-neighbourhood search (:mod:`solver.lns`) over a few groups at a time instead. Search only ever
moves from one valid plan to another, so it needs a valid start: with fixed sessions the greedy plan
books them as published whatever they clash with, and when that breaks a rule the full model decides
(it finds a schedule the greedy missed, or proves the fixed sessions contradictory and names them).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from solver import candidates, lns
from solver.check import check
from solver.deadline import Deadline
from solver.explain import fixed_conflicts, unscheduled_reasons
from solver.greedy import greedy_plan
from solver.hint import add_hint
from solver.lower_bound import lower_bound
from solver.model import ScheduleModel
from solver.plan import Plan, price, to_document
from solver.problem import SCHEDULE_FORMAT, Problem

Progress = Callable[[float, float, float], None]

log_ = logging.getLogger(__name__)

# Above this many cohorts the whole model is too slow to presolve, and solve uses LNS.
FULL_MODEL_COHORTS = 60
# Share of the time limit, and most seconds, GLOP may take for the lower bound under LNS
# (measured: GLOP 0.04 s on 200 cohorts, 0.8 s on 1,000; building it 0.2 s and 1 s); the whole
# bound, building included, gets at most BOUND_TIME_SHARE of the time left.
BOUND_SHARE, BOUND_SECONDS, BOUND_TIME_SHARE = 0.05, 5.0, 0.2
# Time kept back from the deadline to write the answer: reasons, the document and its JSON
# (measured on 10,000 cohorts, busy machine: 1.7 s after the document was built;
# bench/README.md "Time limit on large instances").
FINISH_SECONDS, FINISH_SECONDS_PER_COHORT = 0.2, 2.5e-4
# A bound may exceed the cost by rounding only: both are whole cents.
BOUND_TOLERANCE = 0.005
# Set (to anything but "" or "0") to make an invalid bound an exception, as the tests do.
STRICT_ENV = "COHORT_SOLVER_STRICT"


class InvalidBound(AssertionError):
    """A lower bound above the cost of a schedule: a bug in the bound, never a property of data."""


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution and stops the search when asked to."""

    def __init__(self, started: float, progress: Progress | None, stop: threading.Event | None):
        super().__init__()
        self.started, self.progress, self.stop = started, progress, stop
        self.first_solution: float | None = None
        self.greedy_seconds = 0.0
        self.best = float("inf")  # lowest cost reported, so progress never goes up

    def on_solution_callback(self) -> None:
        elapsed = time.monotonic() - self.started
        if self.first_solution is None:
            self.first_solution = elapsed
        cost = self.objective_value / 100
        if self.progress is not None and cost < self.best:
            self.progress(elapsed, cost, self.best_objective_bound / 100)
        self.best = min(self.best, cost)
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    progress: Progress | None = None,
    stop_event: threading.Event | None = None,
    log: bool = False,
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """Optimise ``problem`` and return a schedule v1 document.

    ``deadline`` (default: ``time_limit`` seconds from now) is the wall-clock limit of the whole
    call: every stage stops by it, keeping back the time to write the answer, and what was found
    by then is the answer — a partial schedule when even the greedy plan did not finish, its
    other learners unscheduled with that reason. ``progress(elapsed, best_cost, bound)`` is called
    on every improving solution. Setting ``stop_event`` stops the work the same way. The status is
    ``optimal`` only when CP-SAT proved it."""
    deadline = (deadline or Deadline.after(time_limit)).with_stop(stop_event)
    work = deadline.earlier(finish_seconds(problem))
    cand = candidates.build(problem, deadline=work)
    baseline = greedy_plan(cand, work)
    watcher = _Watcher(deadline.started, progress, stop_event)
    watcher.greedy_seconds = deadline.elapsed()
    greedy_cost = price(cand, baseline)["total"]
    if progress is not None:  # the greedy plan is already an answer the app can show
        progress(watcher.greedy_seconds, greedy_cost, 0.0)
    valid_start = not baseline.unreached and _valid_start(cand, baseline)
    if baseline.unreached or (valid_start and work.passed()):
        bound = lower_bound(cand, 0.0, work)  # None when candidates were cut short
        return _document(cand, baseline, False, bound, deadline, time_limit, watcher)
    if len(problem.cohorts) > FULL_MODEL_COHORTS and valid_start:
        return _solve_by_neighbourhoods(cand, baseline, deadline, work, time_limit, workers,
                                        progress, stop_event, watcher)  # fmt: skip
    sm = ScheduleModel(cand, baseline)
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)

    watcher.best = greedy_cost
    best, bound, proven = baseline, 0.0, False
    add_hint(sm, baseline)  # a complete hint: the greedy plan is the first solution
    # A greedy plan that breaks a fixed session is no answer: the model gets a moment regardless.
    seconds = work.left() if valid_start else max(work.left(), _MIN_SEARCH_SECONDS)
    status = cp_model.UNKNOWN
    if seconds > 0:
        solver = _solver(workers, seconds, log)
        status = _solve_cancellable(solver, sm.model, watcher, stop_event)
    if status == cp_model.INFEASIBLE:
        return _infeasible(problem, fixed_conflicts(cand), deadline, time_limit)
    # Without a solution in time (e.g. stopped inside presolve) the greedy plan is the answer.
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = sm.plan(solver.value)
        if price(cand, plan)["total"] <= price(cand, best)["total"]:
            best = plan
        bound = solver.best_objective_bound / 100
        proven = status == cp_model.OPTIMAL and price(cand, best)["total"] <= bound + 0.005
    return _document(cand, best, proven, bound, deadline, time_limit, watcher)


# CP-SAT gets at least this long when the greedy plan breaks a fixed session (it must decide).
_MIN_SEARCH_SECONDS = 0.5


def finish_seconds(problem: Problem) -> float:
    """Seconds kept back from the deadline to write the answer for a problem of this size."""
    return FINISH_SECONDS + FINISH_SECONDS_PER_COHORT * len(problem.cohorts)


def _valid_start(cand, baseline: Plan) -> bool:
    """Whether the greedy plan keeps every rule, as the independent checker sees it.

    Without fixed sessions it does by construction; with them it does unless they clash with each
    other or the data, or leave no room for the rest of their sections."""
    if not cand.problem.fixed:
        return True
    plan = Plan(list(baseline.sections))  # to_document sorts the sections it is given
    doc = to_document(cand, plan, status="feasible", reasons={}, solver={}, lower_bound=0.0)
    return not check(cand.problem, doc)


def _solve_by_neighbourhoods(
    cand, baseline, deadline, work, time_limit, workers, progress, stop_event, watcher
) -> dict[str, Any]:
    """Large-neighbourhood search from the greedy plan; the result is never called optimal."""
    bound_started = time.monotonic()
    bound = lower_bound(
        cand,
        min(BOUND_SHARE * time_limit, BOUND_SECONDS),
        work.sooner(BOUND_TIME_SHARE * work.left()),
    )
    bound_seconds = time.monotonic() - bound_started
    watcher.first_solution = watcher.greedy_seconds  # the greedy plan is the search's first

    def improved(plan: Plan, cost: float) -> None:
        if progress is not None:
            progress(deadline.elapsed(), cost, bound)

    outcome = lns.search(
        cand,
        baseline,
        work,
        workers=workers,
        improved=improved,
        stop=stop_event,
        run=lambda solver, model: _solve_cancellable(solver, model, None, stop_event),
    )
    doc = _document(cand, outcome.plan, False, bound, deadline, time_limit, watcher)
    doc["solver"].update(
        strategy="lns",
        lns_steps=outcome.steps,
        lns_improved=outcome.improved,
        lns_sweep_steps=outcome.sweep_steps,
        lns_repack_steps=outcome.repack_steps,
        bound_seconds=round(bound_seconds, 3),
    )
    return doc


def _solver(workers: int, seconds: float, log: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.log_search_progress = log
    # No gap limit: OPTIMAL must mean proven. Probing in presolve costs seconds before the first solution and, measured on the S and M
    # benchmarks, buys nothing the search does not find anyway.
    solver.parameters.cp_model_probing_level = 0
    return solver


def _solve_cancellable(solver, model, watcher, stop_event) -> int:
    """Solve, calling ``stop_search`` as soon as ``stop_event`` is set (not only on solutions)."""
    if stop_event is None:
        return solver.solve(model, watcher)
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            if stop_event.wait(0.05):
                solver.stop_search()
                return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        return solver.solve(model, watcher)
    finally:
        finished.set()
        thread.join()


def _document(cand, plan: Plan, proven: bool, bound, deadline: Deadline, time_limit, watcher):
    cost = price(cand, plan)["total"]
    bound = reported_bound(bound, cost)
    if bound is None:
        gap = None
    else:
        gap = 0.0 if proven or cost <= 0 else round((cost - bound) / cost, 6)
    info = {
        "wall_seconds": round(deadline.elapsed(), 3),
        "time_limit": time_limit,
        "bound": bound,
        "gap": gap,
        "greedy_seconds": round(watcher.greedy_seconds, 3),
        "first_solution_seconds": (
            round(watcher.first_solution, 3) if watcher.first_solution is not None else None
        ),
    }
    if plan.unreached:
        info["stopped"] = f"{deadline.why()} during the greedy plan"
        info["unreached_cohorts"] = len(plan.unreached)
    return to_document(
        cand,
        plan,
        status="optimal" if proven else "feasible",
        reasons=unscheduled_reasons(cand, plan, deadline.why()),
        solver=info,
        lower_bound=bound,
    )


def reported_bound(bound: float | None, cost: float) -> float | None:
    """The bound a schedule reports: rounded down to the cent (still a bound), or None when there
    is none or when it is above the cost.

    A bound above a schedule's cost is a bug in the bound, not in the schedule: it is logged (and
    raised when ``STRICT_ENV`` is set, as in the tests) and reported as unknown, never shown as a
    gap of 0 %."""
    if bound is None:
        return None
    if bound > cost + BOUND_TOLERANCE:
        message = f"lower bound {bound:.2f} is above the schedule's cost {cost:.2f}"
        if os.environ.get(STRICT_ENV, "") not in ("", "0"):
            raise InvalidBound(message)
        log_.warning("%s; reported as unknown", message)
        return None
    return math.floor(bound * 100 + 1e-6) / 100


def _infeasible(problem: Problem, errors, deadline: Deadline, time_limit) -> dict[str, Any]:
    cost = dict.fromkeys(
        ("total", "facilitators", "travel", "rooms", "seats", "preferences", "unscheduled",
         "changes", "per_trained_learner"),
        0.0,
    )  # fmt: skip
    return {
        "format": SCHEDULE_FORMAT,
        "status": "infeasible",
        "cost": cost,
        "lower_bound": 0.0,
        "sections": [],
        "unscheduled": [],
        "errors": errors,
        "solver": {
            "wall_seconds": round(deadline.elapsed(), 3),
            "time_limit": time_limit,
            "bound": 0.0,
            "gap": None,
        },
    }
