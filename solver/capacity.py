"""Capacity planning: let the model hire facilitators from the problem's hiring pool.

"How many facilitators do I need?" is answered by the usual schedule model over the existing
facilitators *and* every pool member, plus one hire literal and one start week per pool member
(the rules below). The objective is the usual cost plus hiring, and learners left out still cost
their cohort's ``unscheduled_cost``, so the model hires exactly when a hire is cheaper than leaving
learners untrained. The answer is a schedule document with a ``hires`` list (who, with which
skills, where, from which week) and a ``hiring`` cost component; :mod:`solver.check` verifies both
with :mod:`solver.hiring`.

Either way the engine's usual solve runs first with nobody hired. Small problems (up to
``POOL_MODEL_COHORTS`` cohorts) then get this one CP-SAT model, hinted with that plan, which can
prove the minimum; larger ones, where that model does not improve in time, get the hire search of
:mod:`solver.hire_search` (hires tried as neighbourhoods of the plan, then the engine's
neighbourhood search over the plan with its hires).
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
from solver.lower_bound import lower_bound_parts
from solver.model import ScheduleModel
from solver.plan import Plan, PlannedSection, PlannedSession, price, to_document
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


# Problems of at most this many cohorts get the exact capacity model (one CP-SAT model with a hire
# literal per pool member), larger ones the hire search (solver.hire_search). Measured at 20 s
# (bench/results/log.md, "Capacity planning with the full engine"): on S (20 cohorts) seeds 1-3
# the model proved its answers optimal and was 0.1-1.0 % cheaper than the search; on the demo (60
# cohorts) it did not improve on the no-hire plan, where the search hired and saved 5-7 %.
POOL_MODEL_COHORTS = 20
# Share of the time for the best plan with nobody hired (the engine's usual solve). The capacity
# model starts from it, so its answer is never dearer than not hiring; measured on generated S
# instances (bench/results/log.md, "Capacity planning"): starting from the greedy plan instead,
# the capacity model's answer after 20 s was up to 5 % dearer than the no-hire optimum. The hire
# search gets more of the time for it: it goes on improving the same plan, hires or not.
NO_HIRE_SHARE, NO_HIRE_SHARE_SEARCH = 0.4, 0.5


class _Best:
    """Passes on only improving costs to ``progress`` (the stages report separately), with the
    bound that holds when hiring is allowed (the no-hire stage's own bound does not)."""

    def __init__(self, progress, started: float) -> None:
        self.progress, self.started, self.best = progress, started, float("inf")
        self.bound: float | None = None

    def report(self, elapsed: float, cost: float, bound: float | None = None) -> None:
        if self.progress is not None and cost < self.best - 0.005:
            self.best = cost
            self.progress(elapsed, cost, _shown(self.bound, cost))

    def now(self, cost: float) -> None:
        """Report ``cost`` found just now."""
        self.report(time.monotonic() - self.started, cost)


def _shown(bound: float | None, cost: float) -> float | None:
    from solver.solve import reported_bound

    return reported_bound(bound, cost) if bound is not None else None


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions and stops the search when asked to."""

    def __init__(self, started: float, best: _Best, stop: threading.Event | None) -> None:
        super().__init__()
        self.started, self.best, self.stop = started, best, stop

    def on_solution_callback(self) -> None:
        self.best.report(time.monotonic() - self.started, self.objective_value / 100, None)
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


def pool_bound(cand_all, time_limit: float, work: Deadline) -> float | None:
    """A lower bound that holds when hiring is allowed: the engine's bound of the problem with the
    whole pool as ordinary facilitators, hired for nothing (every capacity plan is a plan of that
    problem plus a hiring cost of at least 0). None when there is none in time."""
    from solver.solve import BOUND_SECONDS, BOUND_SHARE, BOUND_TIME_SHARE

    parts = lower_bound_parts(
        cand_all,
        min(BOUND_SHARE * time_limit, BOUND_SECONDS),
        work.sooner(BOUND_TIME_SHARE * work.left()),
    )
    return None if parts is None else parts[parts["used"]]


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

    First the engine's usual solve with nobody hired, for a share of the time; then, on small
    problems, the capacity model hinted with that plan, on larger ones the hire search from it.
    Either answer is never dearer than the no-hire plan, so hiring is never proposed when it does
    not pay."""
    from solver.solve import finish_seconds, solve

    deadline = (deadline or Deadline.after(time_limit)).with_stop(stop_event)
    work = deadline.earlier(finish_seconds(problem))
    best = _Best(progress, deadline.started)
    by_model = len(problem.cohorts) <= POOL_MODEL_COHORTS
    cand = candidates.build(staffed(problem), deadline=work)
    if not by_model:
        best.bound = pool_bound(cand, time_limit, work)
    no_hire = solve(
        dataclasses.replace(problem, hiring_pool={}),
        time_limit=time_limit,
        workers=workers,
        progress=best.report,
        stop_event=stop_event,
        log=log,
        deadline=work.sooner((NO_HIRE_SHARE if by_model else NO_HIRE_SHARE_SEARCH) * work.left()),
    )
    if no_hire["status"] == INFEASIBLE:  # the published (fixed) sessions contradict each other
        return _with_hires(no_hire, [], None, "infeasible", deadline, time_limit)
    if by_model:
        return _solve_by_model(problem, cand, no_hire, best, deadline, work, time_limit, workers,
                               stop_event, log)  # fmt: skip
    return _solve_by_hire_search(problem, cand, no_hire, best, deadline, work, time_limit,
                                 workers, stop_event)  # fmt: skip


def _solve_by_hire_search(
    problem, cand_all, no_hire, best, deadline, work, time_limit, workers, stop_event
) -> dict[str, Any]:
    """Hires searched as neighbourhoods of the no-hire plan (``solver.hire_search``); the answer
    is the no-hire plan itself unless a cheaper one was found."""
    from solver.hire_search import hired_problem, search_hires

    plain = candidates.build(hired_problem(problem, {}))
    start = plan_of(plain, no_hire)
    trials: list[str] = []
    doc = no_hire
    # The no-hire plan read back at its own cost (else it is the answer as it is).
    readable = start is not None and not start.unreached
    if readable and abs(price(plain, start)["total"] - no_hire["cost"]["total"]) <= 0.005:
        found = search_hires(
            problem, start, work, workers=workers, report=best.now, stop=stop_event,
            cand_all=cand_all,
            run=lambda solver, model: _solve_cancellable(solver, model, None, stop_event),
        )  # fmt: skip
        trials = found.trials
        if found.total < no_hire["cost"]["total"] - 0.005:
            reasons = unscheduled_reasons(found.cand, found.plan, deadline.why())
            doc = hired_document(problem, found.cand, found.plan, found.starts, reasons)
    # The no-hire plan's proof says nothing once hiring is allowed: optimal only at the bound.
    doc = _with_hires(doc, doc.get("hires", []), best.bound, "feasible", deadline, time_limit)
    met = doc["lower_bound"] is not None and abs(doc["cost"]["total"] - doc["lower_bound"]) <= 0.005
    doc["status"] = "optimal" if met else "feasible"
    doc["solver"].update(strategy="capacity-search", hire_trials=trials)
    return doc


def _solve_by_model(
    problem, cand, no_hire, best, deadline, work, time_limit, workers, stop_event, log
) -> dict[str, Any]:
    """The capacity model (every pool member a hire literal), hinted with the no-hire plan; the
    cheaper of its answer and the no-hire plan."""

    start = plan_of(cand, no_hire) or greedy_plan(candidates.build(problem, deadline=work), work)
    filled = _filled(problem, cand, start, no_hire, work)
    if filled is not None:
        best.now(filled.total)
        start = filled.plan
    sm = ScheduleModel(cand, start)
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)
    hv = add_hiring(sm)
    add_hint(sm, start)
    for f in hv.hired:
        week = filled.starts.get(f) if filled is not None else None
        sm.model.add_hint(hv.hired[f], week is not None)
        sm.model.add_hint(hv.start[f], hv.weeks if week is None else week)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(work.left(), 0.1)
    solver.parameters.num_workers = workers
    solver.parameters.log_search_progress = log
    status = _solve_cancellable(
        solver, sm.model, _Watcher(deadline.started, best, stop_event), stop_event
    )
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    bound = solver.best_objective_bound / 100 if found else None
    proven = "optimal" if status == cp_model.OPTIMAL else "feasible"
    if filled is not None and (not found or solver.objective_value / 100 >= filled.total - 0.005):
        reasons = unscheduled_reasons(filled.cand, filled.plan, deadline.why())
        doc = hired_document(problem, filled.cand, filled.plan, filled.starts, reasons)
        return _with_hires(doc, doc["hires"], bound, proven, deadline, time_limit)
    if not found:
        return _with_hires(no_hire, [], None, "feasible", deadline, time_limit)
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


# Share of the capacity model's time the fill (solver.hire_fill) may take before it.
FILL_SHARE = 0.25


def _filled(problem, cand_all, start, no_hire, work):
    """The fill's answer from the no-hire plan (``solver.hire_fill``: the learners it leaves
    out placed with the whole pool, hires that do not pay dropped) when it is cheaper than that
    plan, to start the capacity model from (measured on S seed 11 at load 7.5: the model found
    nothing in 20 s and the answer was the no-hire plan, 85,380 against 40,885 at lower load)."""
    from solver.hire_fill import fill_hires
    from solver.hire_search import Staffing, hired_problem

    plain = candidates.build(hired_problem(problem, {}))
    total = round(price(plain, start)["total"], 2)
    if start.unreached or abs(total - no_hire["cost"]["total"]) > 0.005:
        return None  # not the no-hire plan as it stands
    state = Staffing(plain, start, {}, total)
    found = fill_hires(problem, state, work.sooner(FILL_SHARE * work.left()), cand_all)
    return found if found.total < total - 0.005 else None


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
    # A kept previous section keeps its id in the document; new ones never take such an id.
    previous_ids = {
        str(sec.get("id")) for sec in (cand.problem.previous or {}).get("sections") or []
    }
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
            sid = str(sec["id"])
            fixed = sid if sid in fixed_ids else None
            previous = sid if sid in previous_ids and fixed is None else None
            plan.sections.append(PlannedSection(group_key, parts, sessions, fixed, previous))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return plan


def hired_document(problem: Problem, cand, plan: Plan, starts: dict[str, int], reasons=None):
    """The schedule document of a plan with hires (pool member -> start week), hiring priced."""
    doc = to_document(cand, plan, status="feasible", reasons=reasons or {}, solver={},
                      lower_bound=None)  # fmt: skip
    add_hires(problem, plan, starts, doc)
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
