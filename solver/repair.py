"""Repair: re-plan a problem whose ``previous`` schedule (the published one) has broken sessions,
changing as little of it as possible.

The objective is lexicographic, not one weighted sum: CP-SAT solves the same model in stages,
each minimising one level and then holding it (as a constraint) while the next is minimised.

0. Nothing broken: every rule of the model holds (hard, as in every solve), so a session the
   data no longer allows must move; ``fixed`` sessions are kept.
1. Learners of the previous plan kept in the plan: a broken session is repaired by moving it,
   not by dropping the people in it (maximised).
2. People affected: facilitators and learners whose own list of sessions changes (minimised).
3. Sessions changed: sessions of ``previous`` not kept as they were, plus sessions of new
   sections (minimised). Among equally few people, a session moved inside its own section (an
   updated invitation) beats a cancelled one and a new one elsewhere.
4. Cost: the problem's usual total (minimised).

People affected are counted the way the app's diff counts them (``scheduler/review/diff.py``):
a facilitator is affected when a session they taught is not kept at the same start and room, or
when they teach a session they did not teach before; a learner when the section they sat in has
a session that is not kept, or when they sit in another section than before. The solver counts
learners per cohort and section: ``stay`` learners of a cohort keep their section when it is
kept whole, and the others of the cohort, before or after, are affected.

The result is a schedule v1 document (status ``feasible``: the cost is optimal only given the
levels above it); ``solver.repair`` lists each level's value and whether CP-SAT proved it.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from solver import candidates
from solver.cost_rules import kept_sessions
from solver.deadline import Deadline
from solver.explain import fixed_conflicts, unscheduled_reasons
from solver.greedy import greedy_plan
from solver.hint import add_hint
from solver.model import KeptSession, ScheduleModel, SectionVars
from solver.plan import Plan, to_document
from solver.problem import Problem
from solver.solve import _infeasible, _solve_cancellable, _solver, finish_seconds

#: Above this many cohorts, sections outside the broken groups are held (``hold_unbroken_groups``):
#: one model of the demo's 60 cohorts found no solution in 15 s (bench/results/breaks.md).
HOLD_ABOVE_COHORTS = 30
_SECTION_PATH = re.compile(r"^sections\[(\d+)\]")


@dataclass
class Level:
    """One level of the objective: its name, the expression, and its direction."""

    name: str
    expression: cp_model.LinearExprT
    maximise: bool = False


def repair(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    stop_event: threading.Event | None = None,
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """A schedule v1 document that repairs ``problem.previous`` with the least change (see the
    module's docstring); without a previous schedule it is an ordinary lexicographic solve."""
    deadline = (deadline or Deadline.after(time_limit)).with_stop(stop_event)
    work = deadline.earlier(finish_seconds(problem))
    cand = candidates.build(problem, deadline=work)
    baseline = greedy_plan(cand, work)
    sm = ScheduleModel(cand, baseline)
    for lit, _ in sm.fixed:
        sm.model.add(lit == 1)
    levels = objective_levels(sm)
    held = hold_unbroken_groups(sm, kept_literals(sm))
    add_hint(sm, baseline)
    report: list[dict[str, Any]] = []
    best: Plan | None = None
    if _greedy_keeps_every_learner(cand, baseline):
        # Nothing can do better than the greedy plan on level 1: hold it without a search, and
        # the next stage starts from the greedy plan, which keeps what still fits.
        value = _upper_bound_of_level_one(sm)
        report.append({"level": levels[0].name, "value": value, "proven": True})
        _hold(sm.model, levels[0], value)
        levels = levels[1:]
    for k, level in enumerate(levels):
        seconds = work.left() / (len(levels) - k)  # the time left, shared by the stages left
        if seconds <= 0 and best is not None:
            break
        solver = _solver(workers, max(seconds, 0.5), log=False)
        if level.maximise:
            sm.model.maximize(level.expression)
        else:
            sm.model.minimize(level.expression)
        status = _solve_cancellable(solver, sm.model, None, stop_event)
        if status == cp_model.INFEASIBLE:
            return _infeasible(problem, fixed_conflicts(cand), deadline, time_limit)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break  # no better answer in time: keep the previous stage's
        value = int(round(solver.value(level.expression)))
        report.append({"level": level.name, "value": value, "proven": status == cp_model.OPTIMAL})
        best = sm.plan(solver.value)
        _hold(sm.model, level, value)
        _hint_solution(sm.model, solver)
    plan = best if best is not None else baseline
    info = {
        "strategy": "repair",
        "wall_seconds": round(deadline.elapsed(), 3),
        "time_limit": time_limit,
        "bound": None,
        "gap": None,
        "repair": report,
        "held_sections": held,
    }
    return to_document(
        cand,
        plan,
        status="feasible",
        reasons=unscheduled_reasons(cand, plan, deadline.why()),
        solver=info,
        lower_bound=None,
    )


def objective_levels(sm: ScheduleModel) -> list[Level]:
    """The optimised levels, in order (level 0, the rules, is the model itself)."""
    kept = kept_literals(sm)
    return [
        Level("learners kept in the plan", previous_learners_placed(sm), maximise=True),
        Level("people affected", facilitators_affected(sm, kept) + learners_affected(sm, kept)),
        Level("sessions changed", sessions_changed(sm, kept)),
        Level("cost", sm.objective),
    ]


def _hold(model: cp_model.CpModel, level: Level, value: int) -> None:
    """Keep ``level`` at least as good as ``value`` in the stages after it."""
    if level.maximise:
        model.add(level.expression >= value)
    else:
        model.add(level.expression <= value)


def _hint_solution(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Start the next stage from this stage's solution (every variable, so it is complete)."""
    model.clear_hints()
    proto = model.proto
    values = solver.response_proto.solution
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)


def broken_groups(sm: ScheduleModel) -> set[str]:
    """The groups (program and site) of the sections of ``previous`` that the independent
    checker finds at fault against the problem: where the repair has work to do."""
    from solver.check import check

    previous = sm.problem.previous or {}
    sections = previous.get("sections") or []
    groups = set()
    for violation in check(sm.problem, previous):
        match = _SECTION_PATH.match(violation["path"])
        if match is None or int(match[1]) >= len(sections):
            continue
        for part in sections[int(match[1])].get("cohorts") or []:
            group = sm.cand.group_of.get(part.get("cohort"))
            if group is not None:
                groups.add(group)
    return groups


def hold_unbroken_groups(sm: ScheduleModel, kept: dict[tuple[str, int], KeptSession]) -> int:
    """On a problem too large for one model (above ``FULL_MODEL_COHORTS`` cohorts), keep every
    section of ``previous`` outside the broken groups exactly as it was, as a neighbourhood
    search would: the search then only re-plans where something is broken. Returns how many
    sections are held (0 on small problems, which are searched whole)."""
    if len(sm.problem.cohorts) <= HOLD_ABOVE_COHORTS:
        return 0
    free = broken_groups(sm)
    held = 0
    for s in sm.sections:
        sid = s.previous_id
        if sid is None or s.group.key in free:
            continue
        literals = [kept.get((sid, x.index)) for x in s.sessions]
        if None in literals:
            continue
        for literal in literals:
            sm.model.add(literal.literal == 1)
        held += 1
    return held


def _upper_bound_of_level_one(sm: ScheduleModel) -> int:
    """Level 1 cannot exceed the learners ``previous`` placed (per cohort, at most its size)."""
    sizes = {c.id: c.size for c in sm.problem.cohorts.values()}
    return sum(min(n, sizes[c]) for c, n in _previous_learners(sm).items())


def _greedy_keeps_every_learner(cand, baseline: Plan) -> bool:
    """Whether the (valid) greedy plan already places every learner ``previous`` placed."""
    from solver.solve import _valid_start

    sm_previous = (cand.problem.previous or {}).get("sections") or []
    before: dict[str, int] = defaultdict(int)
    for sec in sm_previous:
        for part in sec.get("cohorts") or []:
            if part.get("cohort") in cand.problem.cohorts and isinstance(part.get("learners"), int):
                before[part["cohort"]] += part["learners"]
    placed = baseline.placed_by_cohort()
    sizes = {c.id: c.size for c in cand.problem.cohorts.values()}
    return (
        not baseline.unreached
        and _valid_start(cand, baseline)
        and all(placed.get(c, 0) >= min(n, sizes[c]) for c, n in before.items())
    )


# --- the levels ---------------------------------------------------------------------------------


def _previous_sections(sm: ScheduleModel) -> list[dict]:
    return list((sm.problem.previous or {}).get("sections") or [])


def _designated(sm: ScheduleModel) -> dict[str, SectionVars]:
    """A previous section's candidate section: its designated one, or its fixed one."""
    return {s.previous_id or s.fixed_id: s for s in sm.sections if s.previous_id or s.fixed_id}


def kept_literals(sm: ScheduleModel) -> dict[tuple[str, int], KeptSession]:
    """For each session of ``previous`` that could stay where it was, the literal saying it does
    (same start, facilitator and room), by (previous section id, index).

    The change-cost rule made them when changes cost something; with a change cost of 0 they
    are made here the same way (without a cost)."""
    if not sm.kept:
        kept_sessions(sm, "repair.kept")
    out = {}
    for kept in sm.kept:
        sid = kept.section.previous_id or kept.section.fixed_id
        out[(sid, kept.index)] = kept
    return out


def _previous_learners(sm: ScheduleModel) -> dict[str, int]:
    """Learners of each cohort that ``previous`` placed (cohorts still in the problem)."""
    out: dict[str, int] = defaultdict(int)
    for sec in _previous_sections(sm):
        for part in sec.get("cohorts") or []:
            if part.get("cohort") in sm.problem.cohorts and isinstance(part.get("learners"), int):
                out[part["cohort"]] += part["learners"]
    return out


def _placed(sm: ScheduleModel, cohort: str) -> cp_model.LinearExprT:
    return sum(s.learners[cohort] for s in sm.sections if cohort in s.learners)


def previous_learners_placed(sm: ScheduleModel) -> cp_model.LinearExprT:
    """Level 1: learners of ``previous`` still placed, per cohort at most as many as before."""
    m = sm.model
    total = []
    for cohort, before in _previous_learners(sm).items():
        kept = m.new_int_var(0, before, f"repair.placed.{cohort}")
        m.add(kept <= _placed(sm, cohort))
        total.append(kept)
    return sum(total)


def facilitators_affected(
    sm: ScheduleModel, kept: dict[tuple[str, int], KeptSession]
) -> cp_model.LinearExprT:
    """Facilitators whose own sessions change: one of theirs not kept, or a new one to teach."""
    m = sm.model
    affected = {f: m.new_bool_var(f"repair.affected.{f}") for f in sm.problem.facilitators}
    for sec in _previous_sections(sm):
        for x in sec.get("sessions") or []:
            f = x.get("facilitator")
            if f not in affected:
                continue
            literal = kept.get((sec.get("id"), x.get("index")))
            if literal is None:
                m.add(affected[f] == 1)  # this session cannot stay: its teacher is affected
            else:
                m.add(affected[f] >= 1 - literal.literal)
    for s in sm.sections:
        sid = s.previous_id or s.fixed_id
        for x in s.sessions:
            same = kept.get((sid, x.index)) if sid else None
            for f, teaches in x.facilitators.items():
                if same is not None and same.facilitator == f:
                    m.add(affected[f] >= teaches - same.literal)
                else:
                    m.add(affected[f] >= teaches)
    return sum(affected.values())


def learners_affected(
    sm: ScheduleModel, kept: dict[tuple[str, int], KeptSession]
) -> cp_model.LinearExprT:
    """Learners whose own sessions change (counted per cohort, see the module's docstring)."""
    m = sm.model
    designated = _designated(sm)
    stay: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for sec in _previous_sections(sm):
        s = designated.get(sec.get("id"))
        sessions = sec.get("sessions") or []
        literals = [kept.get((sec.get("id"), x.get("index"))) for x in sessions]
        if s is None or not sessions or None in literals:
            continue  # the section cannot stay whole: all its learners are affected
        whole = m.new_bool_var(f"repair.whole.{s.name}")
        for literal in literals:
            m.add_implication(whole, literal.literal)
        for part in sec.get("cohorts") or []:
            cohort, before = part.get("cohort"), part.get("learners")
            if cohort not in s.learners or not isinstance(before, int) or before <= 0:
                continue
            staying = m.new_int_var(0, before, f"repair.stay.{s.name}.{cohort}")
            m.add(staying <= before * whole)
            m.add(staying <= s.learners[cohort])
            stay[cohort].append(staying)
    total = []
    previous = _previous_learners(sm)
    for cohort in sm.problem.cohorts:
        size = sm.problem.cohorts[cohort].size
        before = previous.get(cohort, 0)
        affected = m.new_int_var(0, max(size, before), f"repair.learners.{cohort}")
        staying = sum(stay[cohort])
        m.add(affected >= before - staying)
        m.add(affected >= _placed(sm, cohort) - staying)
        total.append(affected)
    return sum(total)


def sessions_changed(
    sm: ScheduleModel, kept: dict[tuple[str, int], KeptSession]
) -> cp_model.LinearExprT:
    """Sessions of ``previous`` not kept as they were, plus every session of a new section."""
    listed = sum(len(sec.get("sessions") or []) for sec in _previous_sections(sm))
    new = sum(len(s.sessions) * s.present for s in sm.sections if s.interchangeable)
    return listed - sum(k.literal for k in kept.values()) + new
