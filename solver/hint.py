"""Warm start: a plan (greedy or previous) written as a complete CP-SAT hint.

Every variable gets a value, auxiliaries included: a partial hint leaves CP-SAT to complete it, and
a complete one lets the first solution be the plan itself.
"""

from __future__ import annotations

from collections import defaultdict

from solver.model import ScheduleModel, SectionVars
from solver.plan import Plan, PlannedSection


def _targets(sm: ScheduleModel, plan: Plan) -> dict[int, PlannedSection]:
    """Which candidate section (by position in ``sm.sections``) holds which planned section."""
    by_fixed = {s.fixed_id: k for k, s in enumerate(sm.sections) if s.fixed_id}
    by_previous = {s.previous_id: k for k, s in enumerate(sm.sections) if s.previous_id}
    generic = defaultdict(list)
    for k, s in enumerate(sm.sections):
        if s.interchangeable:
            generic[s.group.key].append(k)
    targets: dict[int, PlannedSection] = {}
    # Generic sections are hinted in order of first start, as the symmetry rule requires.
    for p in sorted(plan.sections, key=lambda p: p.sessions[0].start if p.sessions else 0):
        if p.fixed_id:
            k = by_fixed.get(p.fixed_id)
        elif p.previous_id:
            k = by_previous.get(p.previous_id)
        else:
            k = generic[p.group].pop(0) if generic[p.group] else None
        if k is not None and _fits(sm.sections[k], p):
            targets[k] = p
    return targets


def _fits(s: SectionVars, p: PlannedSection) -> bool:
    return set(p.parts) <= set(s.members) and len(p.sessions) == len(s.sessions)


def add_hint(sm: ScheduleModel, plan: Plan) -> None:
    """Hint every variable of ``sm`` with the values of ``plan``."""
    m, grid, cand = sm.model, sm.grid, sm.cand
    m.clear_hints()
    targets = _targets(sm, plan)
    for k, s in enumerate(sm.sections):
        p = targets.get(k)
        m.add_hint(s.present, p is not None)
        for c in s.members:
            n = p.parts.get(c, 0) if p else 0
            m.add_hint(s.members[c], n > 0)
            m.add_hint(s.learners[c], n)
        for involved, cohorts in s.in_conflict.values():
            m.add_hint(involved, bool(p and any(p.parts.get(c, 0) for c in cohorts)))
        for x in s.sessions:
            planned = p.sessions[x.index] if p else None
            start = planned.start if planned else x.domain[0]
            m.add_hint(x.start, start)
            m.add_hint(x.day, grid.day_index(start))
            for at, after in x.clock_changes:
                m.add_hint(after, start >= at)
            for f, lit in x.facilitators.items():
                m.add_hint(lit, bool(planned and planned.facilitator == f))
            for r, lit in x.rooms.items():
                m.add_hint(lit, bool(planned and planned.room == r))
            for f, lit in x.reluctant.items():
                m.add_hint(
                    lit,
                    bool(planned and planned.facilitator == f)
                    and cand.reluctantly(f, start, x.minutes),
                )
            for (f, day), lit in x.teaching_day.items():
                tz = sm.problem.facilitators[f].timezone
                local = (grid.local_date(start, tz) - sm.problem.horizon_start).days
                m.add_hint(lit, bool(planned and planned.facilitator == f) and local == day)
    for lit, _ in sm.fixed:
        m.add_hint(lit, True)
    for kept in sm.kept:
        p = targets.get(sm.sections.index(kept.section))
        x = p.sessions[kept.index] if p else None
        m.add_hint(
            kept.literal,
            x is not None
            and (x.start, x.facilitator, x.room) == (kept.start, kept.facilitator, kept.room),
        )
