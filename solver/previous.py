"""The previous schedule as a plan: a re-plan's incumbent when it still keeps every rule.

A re-plan (``previous`` given) must never come out dearer than keeping the previous schedule as it
is, whenever that is still allowed: the greedy re-builds around pins and may move or re-form
sections, and search only improves on its start. So the previous schedule, read back into model
terms and checked by the independent checker against today's problem, competes with the greedy
plan for the start; its sessions all count as kept (no change cost).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from solver.candidates import Candidates
from solver.check import PLAN_RULES, check
from solver.plan import Plan, PlannedSection, PlannedSession, to_document
from solver.problem import Problem


def previous_plan(cand: Candidates) -> Plan | None:
    """The problem's ``previous`` schedule as a plan, or None when there is none, it cannot be
    read in today's terms (unknown cohorts, programs changed), or it breaks a rule today (a pin
    moved one of its sessions, a facilitator became unavailable, ...)."""
    previous = cand.problem.previous
    if not previous or not previous.get("sections"):
        return None
    fixed_ids = {fx.section for fx in cand.problem.fixed}
    plan = Plan()
    for sec in previous["sections"]:
        section = _section(cand, sec, fixed_ids)
        if section is None:
            return None
        plan.sections.append(section)
    if not keeps_every_rule(cand, plan):
        return None
    return plan


def keeps_every_rule(cand: Candidates, plan: Plan) -> bool:
    """Whether ``plan`` passes the independent checker for the problem behind ``cand``: every
    rule of the schedule (``PLAN_RULES``). The rules about the cost a document reports are left
    out: the document is made here, priced by ``solver.plan.price`` (which the tests compare
    with the checker's), and recomputing every cohort's cost twice was a third of the check of
    a tenth of 10,000 cohorts' sections fixed."""
    copy = Plan(list(plan.sections))  # to_document sorts the sections it is given
    doc = to_document(cand, copy, status="feasible", reasons={}, solver={}, lower_bound=0.0)
    problem = _with_cohorts_of(cand.problem, plan)
    doc["unscheduled"] = [u for u in doc["unscheduled"] if u["cohort"] in problem.cohorts]
    return not check(problem, doc, PLAN_RULES)


def _with_cohorts_of(problem: Problem, plan: Plan) -> Problem:
    """``problem`` with only the cohorts that ``plan`` seats or a fixed session names.

    The checker's verdict on the plan is the same: a cohort with no session in it breaks no rule
    (it is listed unscheduled whole), nor does a learner or conflict group it shares with a
    cohort of the plan (a clash needs a session of each). The fixed sections of a tenth of
    10,000 cohorts' sections seat 1,321 of them: reading the others' 8,700 unscheduled entries
    and counting their learners was an eighth of the check."""
    named = {c for section in plan.sections for c in section.parts}
    named.update(part.cohort for fx in problem.fixed for part in fx.cohorts)
    if len(named) >= len(problem.cohorts):
        return problem
    cohorts = {c: cohort for c, cohort in problem.cohorts.items() if c in named}
    return replace(problem, cohorts=cohorts)


def _section(cand: Candidates, sec: Any, fixed_ids: set[str]) -> PlannedSection | None:
    try:
        parts = {str(p["cohort"]): int(p["learners"]) for p in sec["cohorts"]}
        sid = str(sec["id"])
        group_keys = {cand.group_of[c] for c in parts}
        if len(group_keys) != 1:
            return None
        group = cand.groups[group_keys.pop()]
        sessions = []
        for x in sorted(sec["sessions"], key=lambda x: x["index"]):
            i = int(x["index"])
            start = cand.grid.text_minute(x["start"])
            room = x.get("room") if group.program.in_person else None
            # a facilitator or room who is no longer in the problem: the plan cannot stay as is
            problem = cand.problem
            if x["facilitator"] not in problem.facilitators or (
                room is not None and room not in problem.rooms
            ):
                return None
            sessions.append(
                PlannedSession(i, start, group.program.sessions[i], x["facilitator"], room)
            )
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if sid in fixed_ids:
        return PlannedSection(group.key, parts, sessions, fixed_id=sid)
    return PlannedSection(group.key, parts, sessions, previous_id=sid)
