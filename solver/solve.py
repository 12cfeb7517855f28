"""Run the engine: greedy warm start, CP-SAT search with progress and cancel, the schedule document.

The greedy plan is computed first and kept: it is the complete hint of the search and the answer
when the search finds nothing better in time (a time limit inside presolve gives no solution).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from solver import candidates
from solver.explain import fixed_conflicts, unscheduled_reasons
from solver.greedy import greedy_plan
from solver.hint import add_hint
from solver.model import ScheduleModel
from solver.plan import Plan, price, to_document
from solver.problem import SCHEDULE_FORMAT, Problem

Progress = Callable[[float, float, float], None]

# CP-SAT always gets at least this long, even when building the model used up the time limit.
_MIN_SEARCH_SECONDS = 0.5


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution and stops the search when asked to."""

    def __init__(self, started: float, progress: Progress | None, stop: threading.Event | None):
        super().__init__()
        self.started, self.progress, self.stop = started, progress, stop
        self.first_solution: float | None = None

    def on_solution_callback(self) -> None:
        elapsed = time.monotonic() - self.started
        if self.first_solution is None:
            self.first_solution = elapsed
        if self.progress is not None:
            self.progress(elapsed, self.objective_value / 100, self.best_objective_bound / 100)
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
) -> dict[str, Any]:
    """Optimise ``problem`` and return a schedule v1 document.

    ``time_limit`` bounds the whole call (model building included). ``progress(elapsed, best_cost,
    bound)`` is called on every improving solution. Setting ``stop_event`` stops the search and
    returns the best schedule found so far. The status is ``optimal`` only when CP-SAT proved it.
    """
    started = time.monotonic()
    cand = candidates.build(problem)
    baseline = greedy_plan(cand)
    sm = ScheduleModel(cand, baseline)
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)
    add_hint(sm, baseline)

    solver = cp_model.CpSolver()
    remaining = time_limit - (time.monotonic() - started)
    solver.parameters.max_time_in_seconds = max(remaining, _MIN_SEARCH_SECONDS)
    solver.parameters.num_workers = workers
    solver.parameters.log_search_progress = log
    watcher = _Watcher(started, progress, stop_event)
    status = _solve_cancellable(solver, sm.model, watcher, stop_event)

    if status == cp_model.INFEASIBLE:
        return _infeasible(problem, fixed_conflicts(cand), started, time_limit)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan, bound = sm.plan(solver.value), solver.best_objective_bound / 100
        proven = status == cp_model.OPTIMAL
        if price(cand, baseline)["total"] < price(cand, plan)["total"]:
            plan, proven = baseline, False
    else:  # no solution in time (e.g. stopped in presolve): the greedy plan is the answer
        plan, bound, proven = baseline, 0.0, False
    return _document(cand, plan, proven, bound, started, time_limit, watcher)


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


def _document(cand, plan: Plan, proven: bool, bound: float, started, time_limit, watcher):
    cost = price(cand, plan)["total"]
    bound = min(bound, cost)
    gap = 0.0 if proven or cost <= 0 else round((cost - bound) / cost, 6)
    info = {
        "wall_seconds": round(time.monotonic() - started, 3),
        "time_limit": time_limit,
        "bound": round(bound, 2),
        "gap": gap,
        "first_solution_seconds": (
            round(watcher.first_solution, 3) if watcher.first_solution is not None else None
        ),
    }
    return to_document(
        cand,
        plan,
        status="optimal" if proven else "feasible",
        reasons=unscheduled_reasons(cand, plan),
        solver=info,
        lower_bound=bound,
    )


def _infeasible(problem: Problem, errors, started, time_limit) -> dict[str, Any]:
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
            "wall_seconds": round(time.monotonic() - started, 3),
            "time_limit": time_limit,
            "bound": 0.0,
            "gap": None,
        },
    }
