"""Human reasons: why a cohort cannot be scheduled, and which fixed sessions clash.

Reasons name the binding cause in the coordinator's words. Static reasons come from the data alone
(they hold whatever the solver does); after a solve, a cohort left out for no static reason is
reported as competing with the named cohorts for the named facilitators. Clashing fixed sessions are
found with CP-SAT assumptions (one worker, no hint) and shrunk to a minimal set by deletion.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ortools.sat.python import cp_model

from solver import candidates
from solver.candidates import Candidates
from solver.plan import Plan, PlannedSection, PlannedSession
from solver.problem import Problem
from solver.timegrid import contains

_CORE_SECONDS = 10.0


def explain(problem: Problem) -> list[dict[str, Any]]:
    """Cohorts that cannot be scheduled whatever the solver does, each with its reasons."""
    cand = candidates.build(problem)
    out = []
    for c in problem.cohorts.values():
        reasons = static_reasons(cand, c.id)
        if reasons:
            out.append({"cohort": c.id, "learners": c.size, "reasons": reasons})
    return out


def static_reasons(cand: Candidates, cohort_id: str) -> list[str]:
    """Reasons, from the data alone, why a cohort can never be placed (empty when it could be)."""
    problem = cand.problem
    c = problem.cohorts[cohort_id]
    program = problem.programs[c.program]
    group = cand.groups[cand.group_of[c.id]]
    skill = f"skill '{program.skill}'" if program.skill else f"program '{program.id}'"
    if not cand.qualified[program.id]:
        return [f"no qualified facilitator: nobody has {skill}"]
    reasons = []
    if program.in_person:
        rooms = cand.rooms_at.get(c.site or "", [])
        largest = max((problem.rooms[r].capacity for r in rooms), default=0)
        if largest < program.seats[0]:
            reasons.append(
                f"no room at site '{c.site}' large enough: the largest seats {largest}, "
                f"a section needs at least {program.seats[0]}"
            )
        elif not c.splittable and c.size > largest:
            reasons.append(
                f"no room at site '{c.site}' large enough for all {c.size} learners "
                f"(largest seats {largest}) and the cohort cannot be split"
            )
    if not c.splittable and c.size > program.seats[1]:
        reasons.append(
            f"{c.size} learners is more than the {program.seats[1]} seats of a section "
            "and the cohort cannot be split"
        )
    if c.size < program.seats[0] and not _merge_partners(cand, group, c.id):
        reasons.append(
            f"only {c.size} learners, fewer than the minimum of {program.seats[0]} seats, "
            "and no other cohort to merge with"
        )
    if not reasons:
        reasons.extend(_timing_reasons(cand, c.id, skill))
    return reasons


def _merge_partners(cand: Candidates, group, cohort: str) -> list[str]:
    problem = cand.problem
    if not problem.cohorts[cohort].mergeable:
        return []
    return [
        other
        for other in group.cohorts
        if other != cohort
        and problem.cohorts[other].mergeable
        and candidates.common_starts(cand, [cohort, other])
    ]


def _timing_reasons(cand: Candidates, cohort_id: str, skill: str) -> list[str]:
    """Why no start is left for some session: hours, facilitators, rooms or spacing."""
    problem, grid = cand.problem, cand.grid
    c = problem.cohorts[cohort_id]
    program = problem.programs[c.program]
    if all(cand.cohort_starts[(c.id, i)] for i in range(len(program.sessions))):
        return []
    windows = cand.cohort_windows[c.id]
    by = f"before its deadline {c.deadline.isoformat()}"
    for minutes in program.sessions:
        own = set(grid.starts_within(windows, minutes))
        if not own:
            return [f"the cohort's hours leave no {minutes}-minute slot between "
                    f"{c.earliest.isoformat()} and {c.deadline.isoformat()}"]  # fmt: skip
        fac = set().union(
            *(cand.facilitator_starts(f, minutes) for f in cand.qualified[program.id])
        )
        if not own & fac:
            return [f"no qualified facilitator ({skill}) is free within the cohort's hours {by}"]
        if program.in_person:
            rooms = set().union(
                *(cand.room_starts(r, minutes) for r in cand.rooms_at.get(c.site or "", [])
                  if problem.rooms[r].capacity >= program.seats[0])
            )  # fmt: skip
            if not own & fac & rooms:
                return [f"no room at site '{c.site}' is free when a qualified facilitator is, "
                        f"within the cohort's hours {by}"]  # fmt: skip
    low, high = program.gap_days
    return [f"the {len(program.sessions)} sessions cannot be spaced {low}–{high} days apart "
            f"with a qualified facilitator free, within the cohort's hours {by}"]  # fmt: skip


def unscheduled_reasons(
    cand: Candidates, plan: Plan, stopped: str = "the time limit ran out"
) -> dict[str, list[str]]:
    """Reasons for every cohort with learners left out of ``plan``; ``stopped`` says why the
    cohorts in ``plan.unreached`` were never tried."""
    out = {}
    placed = plan.placed_by_cohort()
    taught = _sessions_by_facilitator(plan)
    for c in cand.problem.cohorts.values():
        left = c.size - placed.get(c.id, 0)
        if left <= 0:
            continue
        if c.id in plan.unreached:
            out[c.id] = [f"not scheduled: {stopped} before the engine got to this cohort"]
        else:
            out[c.id] = static_reasons(cand, c.id) or _competition(cand, taught, c.id, left)
    return out


def _sessions_by_facilitator(plan: Plan) -> dict[str, list[tuple[PlannedSection, PlannedSession]]]:
    taught = defaultdict(list)
    for s in plan.sections:
        for x in s.sessions:
            taught[x.facilitator].append((s, x))
    return taught


def _competition(cand: Candidates, taught, cohort_id: str, left: int) -> list[str]:
    """Name the cohorts that took the qualified facilitators during this cohort's hours."""
    problem = cand.problem
    c = problem.cohorts[cohort_id]
    program = problem.programs[c.program]
    windows = cand.cohort_windows[c.id]
    rivals: set[str] = set()
    busy: set[str] = set()
    for f in cand.qualified[program.id]:
        for s, x in taught.get(f, ()):
            if any(a < x.end and x.start < b for a, b in windows):
                rivals.update(k for k in s.parts if k != c.id)
                busy.add(f)
    if rivals:
        return [f"competition with cohorts {', '.join(sorted(rivals))} "
                f"for facilitators {', '.join(sorted(busy))}"]  # fmt: skip
    if program.seats[0] > left:
        return [f"the {left} learners left are fewer than the minimum of "
                f"{program.seats[0]} seats of a section"]  # fmt: skip
    return ["placing these learners would cost more than leaving them unscheduled"]


def fixed_conflicts(cand: Candidates) -> list[dict[str, str]]:
    """Errors naming a minimal set of fixed sessions that contradict each other or the data."""
    from solver.model import ScheduleModel

    sm = ScheduleModel(cand)
    literals = {lit.index: k for lit, k in sm.fixed}
    core = _core(sm.model, [lit for lit, _ in sm.fixed])
    if core is None:
        return [{"path": "fixed", "message": "the problem has no schedule even without fixed "
                 "sessions; please report this"}]  # fmt: skip
    ks = sorted(literals[lit.index] for lit in core)
    names = [_describe(cand, k) for k in ks]
    if len(ks) == 1:
        why = _fixed_against_data(cand, ks[0]) or ["availability, hours, skill, room or seats"]
        message = f"{names[0]} contradicts the data: " + "; ".join(why)
    else:
        message = "these fixed sessions clash with each other: " + "; ".join(names)
    return [{"path": f"fixed[{k}]", "message": message} for k in ks]


def _fixed_against_data(cand: Candidates, k: int) -> list[str]:
    """What one fixed session breaks on its own, in the coordinator's words."""
    problem, grid = cand.problem, cand.grid
    fx = problem.fixed[k]
    cohort = problem.cohorts[fx.cohorts[0].cohort]
    program = problem.programs[cohort.program]
    start, minutes = grid.minute(fx.start), program.sessions[fx.session]
    out = []
    for part in fx.cohorts:
        if not contains(cand.cohort_windows[part.cohort], start, start + minutes):
            out.append(f"cohort '{part.cohort}' cannot attend then (hours, dates or blocked)")
    if fx.facilitator is not None:
        if fx.facilitator not in cand.qualified[program.id]:
            out.append(f"{fx.facilitator} does not have skill '{program.skill}'")
        elif not cand.facilitator_free(fx.facilitator, start, minutes):
            out.append(f"{fx.facilitator} is not available then")
    if fx.room is not None:
        room = problem.rooms[fx.room]
        learners = sum(p.learners for p in fx.cohorts)
        if not cand.room_free(fx.room, start, minutes):
            out.append(f"room {fx.room} is not available then")
        if room.capacity < learners:
            out.append(f"room {fx.room} seats {room.capacity}, not {learners}")
        if room.site != cohort.site:
            out.append(f"room {fx.room} is not at site '{cohort.site}'")
    learners = sum(p.learners for p in fx.cohorts)
    if not program.seats[0] <= learners <= program.seats[1]:
        out.append(
            f"{learners} learners, the program seats {program.seats[0]} to {program.seats[1]}"
        )
    return out


def _describe(cand: Candidates, k: int) -> str:
    fx = cand.problem.fixed[k]
    where = f" in {fx.room}" if fx.room else ""
    return (f"fixed[{k}] (section {fx.section}, session {fx.session} at "
            f"{fx.start.isoformat()} with {fx.facilitator}{where})")  # fmt: skip


def _infeasible_with(model: cp_model.CpModel, assumptions) -> bool | None:
    model.clear_assumptions()
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # assumptions cores need a single worker and no hint
    solver.parameters.max_time_in_seconds = _CORE_SECONDS
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return True
    return False if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _core(model: cp_model.CpModel, literals):
    """A minimal set of assumption literals that cannot hold together, or None."""
    model.clear_hints()
    model.clear_assumptions()
    model.add_assumptions(literals)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = _CORE_SECONDS
    if solver.solve(model) != cp_model.INFEASIBLE:
        return None
    by_index = {lit.index: lit for lit in literals}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()] or literals
    # CP-SAT's core is not guaranteed minimal: drop each literal the others still fail without.
    for lit in list(core):
        rest = [other for other in core if other is not lit]
        if rest and _infeasible_with(model, rest):
            core = rest
    return core
