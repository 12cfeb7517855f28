"""A neighbourhood of a plan: some groups set free, the rest of the plan frozen around them.

Large-neighbourhood search re-optimises a few groups at a time. The frozen sections stay exactly as
they are and become occupied time: their facilitators (with buffers) and rooms are no longer
bookable then, their learners' conflict partners cannot be in session then, and their teaching
minutes count against the facilitators' daily maximum. What remains is an ordinary, small
:class:`solver.candidates.Candidates` that :class:`solver.model.ScheduleModel` builds as usual, so
every rule of the full model holds inside the neighbourhood and, with the frozen part, in the plan.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

from solver.candidates import Candidates, Group, _section_bound
from solver.plan import Plan, PlannedSection
from solver.timegrid import Intervals, normalise, overlaps, subtract


@dataclass
class Neighbourhood:
    """The sub-problem of the free groups and how the plan splits between frozen and free."""

    cand: Candidates  # the sub-problem, with the frozen occupancy taken out
    frozen: list[PlannedSection]
    free: Plan  # the current plan of the free groups, a complete hint of the sub-problem

    def merge(self, free: Plan) -> Plan:
        """The whole plan with ``free`` in place of the free groups' sections."""
        return Plan([*self.frozen, *free.sections])


def is_free(section: PlannedSection, groups: set[str], cohorts: set[str] | None) -> bool:
    """Generic sections of the chosen groups (holding a chosen cohort) move; fixed and previous
    ones never do."""
    if section.group not in groups or section.fixed_id or section.previous_id:
        return False
    return cohorts is None or not cohorts.isdisjoint(section.parts)


def freeze(
    cand: Candidates, plan: Plan, groups: set[str], cohorts: set[str] | None = None
) -> Neighbourhood:
    """The sub-problem where only the generic sections of ``groups`` may change; with ``cohorts``,
    only the sections holding one of them, and those cohorts (with their section partners) are
    the ones to place."""
    problem = cand.problem
    frozen = [s for s in plan.sections if not is_free(s, groups, cohorts)]
    free = Plan([s for s in plan.sections if is_free(s, groups, cohorts)])
    chosen = None if cohorts is None else set(cohorts).union(*(s.parts for s in free.sections))
    placed: dict[str, int] = defaultdict(int)  # learners of free cohorts held in frozen sections
    for s in frozen:
        for c, n in s.parts.items():
            placed[c] += n
    cohorts = {}
    for key in groups:
        for c in cand.groups[key].cohorts:
            if chosen is not None and c not in chosen:
                continue
            left = problem.cohorts[c].size - placed[c]
            if left > 0:
                cohorts[c] = dataclasses.replace(problem.cohorts[c], size=left)
    sub_problem = dataclasses.replace(problem, cohorts=cohorts, fixed=(), previous=None)
    sub_groups = {}
    for key in groups:
        g = cand.groups[key]
        members = [c for c in g.cohorts if c in cohorts]
        if members:
            sub = Group(g.key, g.program, g.site, members, g.capacity)
            sub.sections = _section_bound(sub_problem, sub)
            sub_groups[key] = sub
    programs = {g.program.id for g in sub_groups.values()}
    facilitators = {f for p in programs for f in cand.qualified[p]}
    sites = {g.site for g in sub_groups.values() if g.program.in_person}
    rooms = {r for site in sites for r in cand.rooms_at.get(site or "", [])}
    busy_f: dict[str, list[tuple[int, int]]] = defaultdict(list)
    busy_r: dict[str, list[tuple[int, int]]] = defaultdict(list)
    busy_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
    day_minutes: dict[tuple[str, object], int] = defaultdict(int)
    keys_of = _conflict_keys(cand, set(cohorts))
    for s in frozen:
        keys = {k for c in s.parts for k in keys_of.get(c, ())}
        for x in s.sessions:
            fac = problem.facilitators[x.facilitator]
            if x.facilitator in facilitators:
                b = fac.buffer_minutes
                busy_f[x.facilitator].append((x.start - b, x.end + b))
                if fac.max_minutes_per_day is not None:
                    day_minutes[(fac.id, cand.grid.local_date(x.start, fac.timezone))] += x.minutes
            if x.room in rooms:
                busy_r[x.room].append((x.start, x.end))
            for k in keys:
                busy_key[k].append((x.start, x.end))
    bookable = dict(cand.bookable)
    for f, items in busy_f.items():
        bookable[f] = subtract(cand.bookable[f], normalise(items))
    room_bookable = dict(cand.room_bookable)
    for r, items in busy_r.items():
        room_bookable[r] = subtract(cand.room_bookable[r], normalise(items))
    busy = {k: normalise(v) for k, v in busy_key.items()}
    cohort_starts = {}
    for c, cohort in cohorts.items():
        blocked = [busy[k] for k in keys_of.get(c, ()) if k in busy]
        for i, minutes in enumerate(problem.programs[cohort.program].sessions):
            cohort_starts[(c, i)] = _unblocked(cand.cohort_starts[(c, i)], minutes, blocked)
    conflicts = {}
    for key, members in cand.conflicts.items():
        inside = [c for c in members if c in cohorts]
        if inside:
            conflicts[key] = inside
    sub = Candidates(
        problem=sub_problem,
        grid=cand.grid,
        cohort_windows=cand.cohort_windows,
        cohort_starts=cohort_starts,
        bookable=bookable,
        reluctant=cand.reluctant,
        room_bookable=room_bookable,
        qualified=cand.qualified,
        rooms_at=cand.rooms_at,
        conflicts=conflicts,
        groups=sub_groups,
        group_of={c: cand.group_of[c] for c in cohorts},
        day_minutes=dict(day_minutes),
    )
    return Neighbourhood(sub, frozen, free)


def _conflict_keys(cand: Candidates, cohorts: set[str]) -> dict[str, list[str]]:
    """Conflict keys per cohort, only for keys that hold one of ``cohorts``."""
    out: dict[str, list[str]] = defaultdict(list)
    for key, members in cand.conflicts.items():
        if cohorts.intersection(members):
            for c in members:
                out[c].append(key)
    return out


def _unblocked(starts: list[int], minutes: int, blocked: list[Intervals]) -> list[int]:
    if not blocked:
        return starts
    return [t for t in starts if not any(overlaps(b, t, t + minutes) for b in blocked)]
