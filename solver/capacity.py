"""Capacity planning: let the model hire facilitators from the problem's hiring pool.

"How many facilitators do I need?" is answered by the usual schedule model over the existing
facilitators *and* every pool member, plus one hire literal and one start week per pool member
(the rules below). The objective is the usual cost plus hiring, and learners left out still cost
their cohort's ``unscheduled_cost``, so the model hires exactly when a hire is cheaper than leaving
learners untrained. The answer is a schedule document with a ``hires`` list (who, with which
skills, where, from which week) and a ``hiring`` cost component; :mod:`solver.check` verifies both
with :mod:`solver.hiring`.

Problems with a pool are solved here as one CP-SAT model (no neighbourhood search), warm-started
with the greedy plan of the existing facilitators alone, i.e. with nobody hired: capacity planning
is a what-if on a planning period, not the nightly solve of a whole organisation.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from solver import candidates
from solver.deadline import Deadline
from solver.explain import fixed_conflicts, unscheduled_reasons
from solver.greedy import greedy_plan
from solver.hint import add_hint
from solver.hiring import hire_entry, horizon_weeks, staffed, week_of, week_start
from solver.model import ScheduleModel
from solver.plan import Plan, to_document
from solver.pricing import cents
from solver.problem import Problem
from solver.schedule import INFEASIBLE, empty_cost, schedule_document


@dataclass
class HiringVars:
    """The hiring variables: per pool member, hired or not, and the week they start."""

    weeks: int  # weeks of the horizon; a start of ``weeks`` means "not hired"
    hired: dict[str, cp_model.IntVar]
    start: dict[str, cp_model.IntVar]


def pool_sessions(sm: ScheduleModel):
    """Each (pool member, session literal, session variables) of the model."""
    pool = sm.problem.hiring_pool
    for s in sm.sections:
        for x in s.sessions:
            for f, lit in x.facilitators.items():
                if f in pool:
                    yield f, lit, x


def teaches_only_if_hired(sm: ScheduleModel, hv: HiringVars) -> None:
    """A member of the hiring pool teaches a session only if they are hired."""
    for f, lit, _ in pool_sessions(sm):
        sm.model.add_implication(lit, hv.hired[f])


def starts_within_reach(sm: ScheduleModel, hv: HiringVars) -> None:
    """A hire starts in a week of the horizon no earlier than the member's earliest start; a
    member not hired starts "after the horizon" and so is paid for no week."""
    m = sm.model
    for f, member in sm.problem.hiring_pool.items():
        earliest = member.earliest_start or sm.problem.horizon_start
        first = max(0, week_of(sm.problem, earliest))
        m.add(hv.start[f] == hv.weeks).only_enforce_if(hv.hired[f].negated())
        m.add(hv.start[f] <= hv.weeks - 1).only_enforce_if(hv.hired[f])
        m.add(hv.start[f] >= min(first, hv.weeks))


def teaches_from_start_week(sm: ScheduleModel, hv: HiringVars) -> None:
    """A hire teaches only in or after the week they start."""
    # Day d of the horizon lies in week (d + offset) // 7, so "week >= start" is
    # 7 * start - offset <= d: linear in the session's day variable.
    offset = sm.problem.horizon_start.weekday()
    for f, lit, x in pool_sessions(sm):
        sm.model.add(7 * hv.start[f] - offset <= x.day).only_enforce_if(lit)


def hiring_cost(sm: ScheduleModel, hv: HiringVars) -> None:
    """Hiring a member costs their onboarding once and their weekly cost for every week from
    their start week to the end of the horizon."""
    for f, member in sm.problem.hiring_pool.items():
        sm.costs["hiring"].append(
            cents(member.onboarding_cost) * hv.hired[f]
            + cents(member.weekly_cost) * (hv.weeks - hv.start[f])
        )


HIRING_RULES = (teaches_only_if_hired, starts_within_reach, teaches_from_start_week, hiring_cost)


def add_hiring(sm: ScheduleModel) -> HiringVars:
    """Add the hiring variables and rules to a model built over the staffed problem, and make
    the objective include hiring."""
    m, weeks = sm.model, horizon_weeks(sm.problem)
    hv = HiringVars(weeks, {}, {})
    for f in sm.problem.hiring_pool:
        hv.hired[f] = m.new_bool_var(f"hire.{f}")
        hv.start[f] = m.new_int_var(0, weeks, f"hire.{f}.start")
    for rule in HIRING_RULES:
        rule(sm, hv)
    m.minimize(sm.objective)
    return hv


# --- solving ------------------------------------------------------------------------------------


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions and stops the search when asked to."""

    def __init__(self, started: float, progress, stop: threading.Event | None) -> None:
        super().__init__()
        self.started, self.progress, self.stop = started, progress, stop

    def on_solution_callback(self) -> None:
        if self.progress is not None:
            bound = max(0.0, self.best_objective_bound / 100)
            cost = self.objective_value / 100
            self.progress(time.monotonic() - self.started, cost, min(bound, cost))
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


def solve_with_pool(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    progress=None,
    stop_event: threading.Event | None = None,
    log: bool = False,
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """The cheapest schedule of ``problem`` when pool members may be hired (see ``solve``)."""
    from solver.solve import finish_seconds, reported_bound

    deadline = (deadline or Deadline.after(time_limit)).with_stop(stop_event)
    work = deadline.earlier(finish_seconds(problem))
    cand = candidates.build(staffed(problem), deadline=work)
    # Nobody hired: the existing facilitators' greedy plan is a valid start and the fallback.
    baseline = greedy_plan(candidates.build(problem, deadline=work), work)
    sm = ScheduleModel(cand, baseline)
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)
    hv = add_hiring(sm)
    add_hint(sm, baseline)
    for f in hv.hired:
        sm.model.add_hint(hv.hired[f], False)
        sm.model.add_hint(hv.start[f], hv.weeks)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(work.left(), 0.5)
    solver.parameters.num_workers = workers
    solver.parameters.log_search_progress = log
    status = _run(solver, sm.model, _Progress(deadline.started, progress, stop_event), stop_event)
    if status == cp_model.INFEASIBLE:
        doc = schedule_document(INFEASIBLE, errors=fixed_conflicts(cand))
        doc["cost"] = {**empty_cost(), "hiring": 0.0}
        doc["hires"] = []
        return doc
    plan, starts, proven, bound = baseline, {}, False, None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = sm.plan(solver.value)
        starts = {f: solver.value(hv.start[f]) for f in hv.hired if solver.value(hv.hired[f])}
        bound = solver.best_objective_bound / 100
        proven = status == cp_model.OPTIMAL
    doc = to_document(
        cand, plan,
        status="optimal" if proven else "feasible",
        reasons=unscheduled_reasons(cand, plan, deadline.why()),
        solver={"wall_seconds": round(deadline.elapsed(), 3), "time_limit": time_limit,
                "strategy": "capacity", "bound": None, "gap": None},
        lower_bound=None,
    )  # fmt: skip
    add_hires(problem, plan, starts, doc)
    if bound is not None:
        doc["lower_bound"] = doc["solver"]["bound"] = reported_bound(bound, doc["cost"]["total"])
    return doc


def add_hires(problem: Problem, plan: Plan, starts: dict[str, int], doc: dict[str, Any]) -> None:
    """Write the ``hires`` of a plan (pool member -> start week) and their cost into ``doc``."""
    taught: dict[str, int] = {}
    for section in plan.sections:
        for x in section.sessions:
            taught[x.facilitator] = taught.get(x.facilitator, 0) + 1
    hires = [
        hire_entry(problem, problem.hiring_pool[f], week_start(problem, w), taught.get(f, 0))
        for f, w in sorted(starts.items())
    ]
    hiring = round(float(sum(h["cost"]["onboarding"] + h["cost"]["weekly"] for h in hires)), 2)
    cost = doc["cost"]
    cost["hiring"] = hiring
    cost["total"] = round(cost["total"] + hiring, 2)
    doc["hires"] = hires


def _run(solver, model, callback, stop_event) -> int:
    """Solve, stopping as soon as ``stop_event`` is set (not only on solutions)."""
    if stop_event is None:
        return solver.solve(model, callback)
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            if stop_event.wait(0.05):
                solver.stop_search()
                return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        return solver.solve(model, callback)
    finally:
        finished.set()
        thread.join()
