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
from solver.deadline import Deadline
from solver.explain import fixed_conflicts, unscheduled_reasons
from solver.gcpause import paused
from solver.greedy import Building, greedy_plan
from solver.hint import add_hint
from solver.lower_bound import analytic_bound, lower_bound_parts, with_search_bound
from solver.model import ScheduleModel
from solver.plan import Plan, price, to_document
from solver.previous import keeps_every_rule, previous_plan
from solver.problem import SCHEDULE_FORMAT, Problem

# progress(elapsed seconds, best cost so far, best valid bound or None)
Progress = Callable[[float, float, float | None], None]

log_ = logging.getLogger(__name__)

# Above this many cohorts solve uses LNS. Measured (bench/README.md, "Full model or
# neighbourhood search", org family seeds 1-3 and the demo, 20 s and 60 s): at 10 cohorts both
# reach the same cost and only the full model proves it (3-8 s); from 20 cohorts on LNS is as
# good or better on every problem, and at 40 the full model ends 9-21 % dearer.
FULL_MODEL_COHORTS = 10
# Share of the time limit, and most seconds, GLOP may take for the lower bound under LNS
# (measured: GLOP 0.04 s on 200 cohorts, 0.8 s on 1,000; building it 0.2 s and 1 s); the whole
# bound, building included, gets at most BOUND_TIME_SHARE of the time left.
BOUND_SHARE, BOUND_SECONDS, BOUND_TIME_SHARE = 0.05, 5.0, 0.2
# Time kept back from the deadline to write the answer: reasons, the document and its JSON
# (measured on 10,000 cohorts, busy machine: 1.7 s after the document was built;
# bench/results/log.md "Time limit on large instances").
FINISH_SECONDS, FINISH_SECONDS_PER_COHORT = 0.2, 2.5e-4
# A bound may exceed the cost by rounding only: both are whole cents.
BOUND_TOLERANCE = 0.005
# Set (to anything but "" or "0") to make an invalid bound an exception, as the tests do.
STRICT_ENV = "COHORT_SOLVER_STRICT"


class InvalidBound(AssertionError):
    """A lower bound above the cost of a schedule: a bug in the bound, never a property of data."""


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution, with the best bound known, and stops the search when
    asked to.

    ``floor`` is the bound computed before the search (``lower_bound``); CP-SAT's own bound is
    often below it (early in a search, below zero), so the larger of the two is reported."""

    def __init__(self, started: float, progress: Progress | None, stop: threading.Event | None):
        super().__init__()
        self.started, self.progress, self.stop = started, progress, stop
        self.first_solution: float | None = None  # the first schedule: the greedy plan's
        self.search_first_solution: float | None = None  # CP-SAT's first, for the record
        self.greedy_seconds = 0.0
        self.best = float("inf")  # lowest cost reported, so progress never goes up
        self.floor: float | None = None

    def report(self, cost: float, search_bound: float | None = None) -> None:
        """Tell ``progress`` the best cost so far and the best valid bound on it."""
        elapsed = time.monotonic() - self.started
        if self.first_solution is None:
            self.first_solution = elapsed
        self.best = min(self.best, cost)
        if self.progress is None:
            return
        bounds = [b for b in (self.floor, search_bound) if b is not None]
        self.progress(
            elapsed, self.best, reported_bound(max(bounds), self.best) if bounds else None
        )

    def on_solution_callback(self) -> None:
        if self.search_first_solution is None:
            self.search_first_solution = time.monotonic() - self.started
        cost = self.objective_value / 100
        if cost < self.best:
            self.report(cost, self.best_objective_bound / 100)
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
    guide: list[dict[str, Any]] | None = None,
    building: Building | None = None,
) -> dict[str, Any]:
    """Optimise ``problem`` and return a schedule v1 document.

    ``deadline`` (default: ``time_limit`` seconds from now) is the wall-clock limit of the whole
    call: every stage stops by it, keeping back the time to write the answer, and what was found
    by then is the answer — a partial schedule when even the greedy plan did not finish, its
    other learners unscheduled with that reason. ``progress(elapsed, best_cost, bound)`` is called
    first with the greedy plan's cost (at once, before any search), then whenever the cost or the
    bound improves; ``bound`` is the best valid lower bound known (never above ``best_cost``), or
    None when there is none. Setting ``stop_event`` stops the work the same way. The status is
    ``optimal`` only when it is proven: by CP-SAT, or by the cost meeting the valid lower bound.
    ``guide`` (schedule sections: a part of a split problem gets the whole problem's greedy plan,
    ``solver.decompose_guide``) is what the greedy plan keeps first, where it still fits.
    ``building`` is told how far the greedy plan is while it is built (``greedy.Building``):
    on 10,000 cohorts the first schedule takes seconds."""
    if problem.hiring_pool:  # capacity planning: the model may also hire (solver.capacity)
        from solver.capacity import solve_with_pool

        return solve_with_pool(problem, time_limit=time_limit, workers=workers, progress=progress,
                               stop_event=stop_event, log=log, deadline=deadline)  # fmt: skip
    deadline = (deadline or Deadline.after(time_limit)).with_stop(stop_event)
    work = deadline.earlier(finish_seconds(problem))
    watcher = _Watcher(deadline.started, progress, stop_event)
    with paused():  # until the first schedule is reported (solver.gcpause)
        cand = candidates.build(problem, deadline=work)
        baseline = greedy_plan(cand, work, guide, building)
        watcher.greedy_seconds = deadline.elapsed()
        start, valid_start = baseline, not baseline.unreached and _valid_start(cand, baseline)
        # The greedy plan is the first schedule, reported at once; one that breaks a fixed
        # session is no schedule (and may cost less than the bound). The analytic bound follows:
        # on 2,000 cohorts it is a fifth of the time to the first schedule.
        if valid_start or baseline.unreached:
            watcher.report(price(cand, baseline)["total"])
    if not cand.unexamined:
        watcher.floor = analytic_bound(cand)
        if watcher.best < math.inf:
            watcher.report(watcher.best)  # same cost, with the bound
    kept = _previous_start(cand, baseline, work)
    if kept is not None:  # a re-plan never starts dearer than the previous schedule kept as is
        start, valid_start = kept, True
        watcher.report(price(cand, kept)["total"])
    if baseline.unreached or (valid_start and work.passed()):
        parts = lower_bound_parts(cand, 0.0, work)  # None when candidates were cut short
        return _document(cand, start, False, parts, deadline, time_limit, watcher)
    parts = _bound(cand, time_limit, work, watcher)
    if len(problem.cohorts) > FULL_MODEL_COHORTS and valid_start:
        return _solve_by_neighbourhoods(cand, start, parts, deadline, work, time_limit, workers,
                                        stop_event, watcher)  # fmt: skip
    sm = ScheduleModel(cand, start)
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)

    best, proven = start, False
    add_hint(sm, start)  # a complete hint: the start plan is CP-SAT's first solution
    # A greedy plan that breaks a fixed session is no answer: the model gets a moment regardless.
    seconds = work.left() if valid_start else max(work.left(), _MIN_SEARCH_SECONDS)
    status = cp_model.UNKNOWN
    if seconds > 0:
        solver = _solver(workers, seconds, log)
        status = _solve_cancellable(solver, sm.model, watcher, stop_event)
    if status == cp_model.INFEASIBLE:
        return _infeasible(problem, fixed_conflicts(cand), deadline, time_limit)
    # Without a solution in time (e.g. stopped inside presolve) the start plan is the answer,
    # and the bound computed before the search stands.
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = sm.plan(solver.value)
        if price(cand, plan)["total"] <= price(cand, best)["total"]:
            best = plan
        search = solver.best_objective_bound / 100
        parts = with_search_bound(parts, search) if parts is not None else None
        proven = status == cp_model.OPTIMAL and price(cand, best)["total"] <= search + 0.005
    return _document(cand, best, proven, parts, deadline, time_limit, watcher)


def _previous_start(cand, baseline: Plan, work: Deadline) -> Plan | None:
    """The previous schedule as it is, when it still keeps every rule and is cheaper than the
    greedy plan (``solver.previous``); else None."""
    if not cand.problem.previous or baseline.unreached or work.passed():
        return None
    kept = previous_plan(cand)
    if kept is None or price(cand, kept)["total"] >= price(cand, baseline)["total"] - 0.005:
        return None
    return kept


def _bound(cand, time_limit: float, work: Deadline, watcher: _Watcher) -> dict | None:
    """The bound before the search (analytic and LP, ``lower_bound_parts``), reported at once."""
    started = time.monotonic()
    parts = lower_bound_parts(
        cand,
        min(BOUND_SHARE * time_limit, BOUND_SECONDS),
        work.sooner(BOUND_TIME_SHARE * work.left()),
    )
    if parts is not None:
        parts["seconds"] = round(time.monotonic() - started, 3)
        watcher.floor = parts[parts["used"]]
        if watcher.best < math.inf:
            watcher.report(watcher.best)  # same cost, a stronger bound
    return parts


# CP-SAT gets at least this long when the greedy plan breaks a fixed session (it must decide).
_MIN_SEARCH_SECONDS = 0.5


def finish_seconds(problem: Problem) -> float:
    """Seconds kept back from the deadline to write the answer for a problem of this size."""
    return FINISH_SECONDS + FINISH_SECONDS_PER_COHORT * len(problem.cohorts)


def _valid_start(cand, baseline: Plan) -> bool:
    """Whether the greedy plan keeps every rule, as the independent checker sees it.

    Without fixed sessions it does by construction; with them it does unless they clash with each
    other or the data, or leave no room for the rest of their sections. Only the fixed sections
    can break a rule: they are booked first whatever they clash with, and every other session is
    placed by the exact tests against all booked before it (the fixed ones included), which are
    exact as long as no two bookings overlap, and two overlapping fixed sessions are a broken
    rule of the fixed sections themselves. Where each fixed section is whole and passed the
    engine's own tests when it was booked (``Plan.fixed_fit``: the tests every placement passes)
    they keep every rule too; otherwise the checker is asked about those sections alone (on
    2,000 cohorts with a tenth of them fixed, checking the whole plan took twice as long as
    building it; on 10,000, checking the fixed sections alone was a fifth of the first
    schedule)."""
    if not cand.problem.fixed or baseline.fixed_fit:
        return True
    return keeps_every_rule(cand, Plan([s for s in baseline.sections if s.fixed_id is not None]))


def _solve_by_neighbourhoods(
    cand, start, parts, deadline, work, time_limit, workers, stop_event, watcher
) -> dict[str, Any]:
    """Large-neighbourhood search from the start plan. It stops as soon as its cost equals the
    valid lower bound computed before the search, and the plan is then called optimal: no plan
    can cost less, so searching on would only spend the coordinator's time (``wall_seconds``
    says how long it took)."""
    floor = parts[parts["used"]] if parts is not None else None
    reached = _Either(stop_event)

    def meets(cost: float) -> bool:
        # Equal, not below: a "bound" above the cost is no bound (it is reported as unknown).
        return floor is not None and abs(cost - floor) <= BOUND_TOLERANCE

    def improved(plan: Plan, cost: float) -> None:
        watcher.report(cost)
        if meets(cost):
            reached.set()

    if meets(price(cand, start)["total"]):
        reached.set()
    outcome = lns.search(
        cand,
        start,
        work,
        workers=workers,
        improved=improved,
        stop=reached,
        run=lambda solver, model: _solve_cancellable(solver, model, None, reached),
    )
    doc = _document(cand, outcome.plan, meets(outcome.cost), parts, deadline, time_limit, watcher)
    doc["solver"].update(
        strategy="lns",
        lns_steps=outcome.steps,
        lns_improved=outcome.improved,
        lns_sweep_steps=outcome.sweep_steps,
        lns_repack_steps=outcome.repack_steps,
    )
    return doc


class _Either(threading.Event):
    """Set by the search itself (the bound is met) or by the caller's stop event (cancel)."""

    def __init__(self, stop: threading.Event | None):
        super().__init__()
        self.stop = stop

    def is_set(self) -> bool:
        return super().is_set() or (self.stop is not None and self.stop.is_set())

    def wait(self, timeout: float | None = None) -> bool:
        """Like ``Event.wait``, also ended by the caller's stop event (looked at every 0.05 s)."""
        end = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            left = 0.05 if end is None else min(0.05, end - time.monotonic())
            if left <= 0:
                return False
            super().wait(left)
        return True


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


def _document(cand, plan: Plan, proven: bool, parts, deadline: Deadline, time_limit, watcher):
    cost = price(cand, plan)["total"]
    bound = reported_bound(parts[parts["used"]], cost) if parts is not None else None
    if bound is None:
        gap = None
    else:
        gap = 0.0 if proven or cost <= 0 else round((cost - bound) / cost, 6)
    info = {
        "wall_seconds": round(deadline.elapsed(), 3),
        "time_limit": time_limit,
        "bound": bound,
        "gap": gap,
        "bound_parts": parts,
        "greedy_seconds": round(watcher.greedy_seconds, 3),
        "first_solution_seconds": (
            round(watcher.first_solution, 3) if watcher.first_solution is not None else None
        ),
        "search_first_solution_seconds": (
            round(watcher.search_first_solution, 3)
            if watcher.search_first_solution is not None
            else None
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
    """The bound a schedule (or a progress call) reports: rounded down to the cent (still a
    bound), at least 0, or None when there is none or when it is above the cost.

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
    # Every cost is at least 0, so 0 is a valid bound too: CP-SAT's early ones are below it.
    return max(0.0, math.floor(bound * 100 + 1e-6) / 100)


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
