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

import dataclasses
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ortools.sat.python import cp_model

from solver import candidates
from solver.deadline import Deadline
from solver.explain import unscheduled_reasons
from solver.greedy import greedy_plan
from solver.hint import add_hint
from solver.hiring import hire_entry, horizon_weeks, staffed, week_of, week_start
from solver.model import ScheduleModel
from solver.plan import Plan, PlannedSection, PlannedSession, to_document
from solver.pricing import cents
from solver.problem import Problem
from solver.schedule import INFEASIBLE
from solver.solve import _solve_cancellable


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


# Share of the time for the best plan with nobody hired (the engine's usual solve): the capacity
# model starts from it, so its answer is never dearer than not hiring. Measured on generated S
# instances (bench/results/log.md, "Capacity planning"): starting from the greedy plan instead,
# the capacity model's answer after 20 s was up to 5 % dearer than the no-hire optimum.
NO_HIRE_SHARE = 0.4


class _Best:
    """Passes on only improving costs to ``progress`` (the two stages report separately)."""

    def __init__(self, progress) -> None:
        self.progress, self.best = progress, float("inf")

    def report(self, elapsed: float, cost: float, bound: float | None) -> None:
        if self.progress is not None and cost < self.best:
            self.best = cost
            # The no-hire stage's bound does not hold once hiring is allowed.
            self.progress(elapsed, cost, None)


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions and stops the search when asked to."""

    def __init__(self, started: float, best: _Best, stop: threading.Event | None) -> None:
        super().__init__()
        self.started, self.best, self.stop = started, best, stop

    def on_solution_callback(self) -> None:
        self.best.report(time.monotonic() - self.started, self.objective_value / 100, None)
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
    """The cheapest schedule of ``problem`` when pool members may be hired (see ``solve``).

    First the engine's usual solve with nobody hired, for a share of the time; then the
    capacity model, hinted with that plan, for the rest. The answer is the cheaper of the two,
    so hiring is never proposed when it does not pay."""
    from solver.solve import finish_seconds, solve

    deadline = (deadline or Deadline.after(time_limit)).with_stop(stop_event)
    work = deadline.earlier(finish_seconds(problem))
    best = _Best(progress)
    no_hire = solve(
        dataclasses.replace(problem, hiring_pool={}),
        time_limit=time_limit,
        workers=workers,
        progress=best.report,
        stop_event=stop_event,
        log=log,
        deadline=work.sooner(NO_HIRE_SHARE * work.left()),
    )
    cand = candidates.build(staffed(problem), deadline=work)
    if no_hire["status"] == INFEASIBLE:  # the published (fixed) sessions contradict each other
        return _with_hires(no_hire, [], None, "infeasible", deadline, time_limit)
    start = plan_of(cand, no_hire) or greedy_plan(candidates.build(problem, deadline=work), work)
    sm = ScheduleModel(cand, start)
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)
    hv = add_hiring(sm)
    add_hint(sm, start)
    for f in hv.hired:
        sm.model.add_hint(hv.hired[f], False)
        sm.model.add_hint(hv.start[f], hv.weeks)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(work.left(), 0.1)
    solver.parameters.num_workers = workers
    solver.parameters.log_search_progress = log
    status = _solve_cancellable(solver, sm.model, _Watcher(deadline.started, best, stop_event), stop_event)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _with_hires(no_hire, [], None, "feasible", deadline, time_limit)
    bound = solver.best_objective_bound / 100
    proven = "optimal" if status == cp_model.OPTIMAL else "feasible"
    if solver.objective_value / 100 >= no_hire["cost"]["total"] - 0.005:
        return _with_hires(no_hire, [], bound, proven, deadline, time_limit)
    plan = sm.plan(solver.value)
    starts = {f: solver.value(hv.start[f]) for f in hv.hired if solver.value(hv.hired[f])}
    doc = to_document(
        cand, plan, status=proven,
        reasons=unscheduled_reasons(cand, plan, deadline.why()), solver={}, lower_bound=None,
    )  # fmt: skip
    add_hires(problem, plan, starts, doc)
    return _with_hires(doc, doc["hires"], bound, proven, deadline, time_limit)


def _with_hires(doc, hires, bound, status, deadline, time_limit) -> dict[str, Any]:
    """``doc`` as the capacity answer: its hires (and hiring cost), status, and the capacity
    model's bound (the no-hire solve's own bound does not hold once hiring is allowed)."""
    from solver.solve import reported_bound

    doc["hires"] = hires
    doc["cost"].setdefault("hiring", 0.0)
    if doc["status"] != INFEASIBLE:
        doc["status"] = status
    cost = doc["cost"]["total"]
    shown = reported_bound(bound, cost) if bound is not None else None
    doc["lower_bound"] = shown
    doc["solver"] = {
        **(doc.get("solver") or {}),
        "wall_seconds": round(deadline.elapsed(), 3),
        "time_limit": time_limit,
        "strategy": "capacity",
        "bound": shown,
        "gap": None if shown is None else (0.0 if cost <= 0 else round((cost - shown) / cost, 6)),
        "bound_parts": None,
    }
    return doc


def plan_of(cand, schedule: dict[str, Any]) -> Plan | None:
    """A schedule document of the same problem read back as a plan (generic sections, fixed
    ones kept as fixed), for the hint; None when it cannot be read."""
    fixed_ids = {fx.section for fx in cand.problem.fixed}
    plan = Plan()
    try:
        for sec in schedule["sections"]:
            parts = {str(p["cohort"]): int(p["learners"]) for p in sec["cohorts"]}
            [group_key] = {cand.group_of[c] for c in parts}
            program = cand.groups[group_key].program
            sessions = [
                PlannedSession(
                    int(x["index"]),
                    cand.grid.minute(datetime.fromisoformat(x["start"])),
                    program.sessions[int(x["index"])],
                    x["facilitator"],
                    x.get("room") if program.in_person else None,
                )
                for x in sorted(sec["sessions"], key=lambda x: x["index"])
            ]
            fixed = str(sec["id"]) if str(sec["id"]) in fixed_ids else None
            plan.sections.append(PlannedSection(group_key, parts, sessions, fixed_id=fixed))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return plan


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
