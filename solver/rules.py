"""The rules of a schedule, one function each, posted on a :class:`solver.model.ScheduleModel`.

Each function opens with the sentence of the rule it enforces. Hard rules post constraints; the
cost rules and redundant cuts live in :mod:`solver.cost_rules` and are listed here too.
Pre-filtering in :mod:`solver.candidates` already removed starts that no cohort,
facilitator or room could take; the rules here decide between the options that remain.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from solver.cost_rules import (
    change_cost,
    facilitator_capacity,
    facilitator_cost,
    room_capacity,
    room_cost,
    seat_cost,
)
from solver.pricing import reluctance_cents, unscheduled_cents

if TYPE_CHECKING:
    from solver.model import ScheduleModel


def _restrict(
    model: cp_model.CpModel, var, allowed: list[int], domain: list[int], literals
) -> None:
    """``literals`` imply ``var`` in ``allowed`` (skipped when that changes nothing)."""
    if len(allowed) == len(domain):
        return
    if not allowed:
        model.add_bool_or([lit.negated() for lit in literals])
        return
    model.add_linear_expression_in_domain(
        var, cp_model.Domain.from_values(allowed)
    ).only_enforce_if(literals)


def seats_per_section(sm: ScheduleModel) -> None:
    """A section that is held seats between the program's minimum and maximum learners, all from
    cohorts that take part in it."""
    m = sm.model
    for s in sm.sections:
        low, high = s.group.program.seats
        m.add(s.size >= low).only_enforce_if(s.present)
        m.add(s.size <= high * s.present)
        for c, member in s.members.items():
            m.add(s.learners[c] <= sm.problem.cohorts[c].size * member)
            m.add(s.learners[c] >= member)
            m.add_implication(member, s.present)


def cohort_learners_placed_once(sm: ScheduleModel) -> None:
    """Each learner sits in at most one section; every learner left out costs the cohort's
    unscheduled_cost."""
    placed = defaultdict(list)
    for s in sm.sections:
        for c, n in s.learners.items():
            placed[c].append(n)
    for c in sm.problem.cohorts.values():
        total = sum(placed[c.id])
        sm.model.add(total <= c.size)
        sm.costs["unscheduled"].append(unscheduled_cents(c, 1) * (c.size - total))


def unsplittable_cohorts(sm: ScheduleModel) -> None:
    """A cohort that is not splittable sits whole in a single section, or is left out."""
    memberships = defaultdict(list)
    for s in sm.sections:
        for c, member in s.members.items():
            cohort = sm.problem.cohorts[c]
            if not cohort.splittable:
                memberships[c].append(member)
                sm.model.add(s.learners[c] == cohort.size * member)
    for members in memberships.values():
        sm.model.add_at_most_one(members)


def unmergeable_cohorts(sm: ScheduleModel) -> None:
    """A cohort that is not mergeable shares its sections with no other cohort."""
    for s in sm.sections:
        for c, member in s.members.items():
            if not sm.problem.cohorts[c].mergeable:
                others = [lit for other, lit in s.members.items() if other != c]
                if others:
                    sm.model.add(sum(others) == 0).only_enforce_if(member)


def attendance_hours(sm: ScheduleModel) -> None:
    """Every session lies within the hours, earliest/deadline dates and open periods of every
    cohort in its section (so cohorts in different time zones share a virtual section only where
    their hours overlap)."""
    for s in sm.sections:
        for x in s.sessions:
            for c, member in s.members.items():
                allowed = sm.cand.cohort_starts[(c, x.index)]
                _restrict(sm.model, x.start, allowed, x.domain, [member])


def gap_days(sm: ScheduleModel) -> None:
    """Consecutive sessions of a section are gap_days [min, max] local days apart, and the next one
    starts after the previous one ends."""
    m = sm.model
    for s in sm.sections:
        low, high = s.group.program.gap_days
        for a, b in zip(s.sessions, s.sessions[1:], strict=False):
            m.add(b.day - a.day >= low).only_enforce_if(s.present)
            m.add(b.day - a.day <= high).only_enforce_if(s.present)
            m.add(b.start >= a.start + a.minutes).only_enforce_if(s.present)


def facilitator_skill(sm: ScheduleModel) -> None:
    """Every session of a held section is taught by exactly one facilitator who lists the
    program's skill."""
    for s in sm.sections:
        for x in s.sessions:
            sm.model.add(sum(x.facilitators.values()) == s.present)


def facilitator_availability(sm: ScheduleModel) -> None:
    """A facilitator teaches only within their weekly, one-off or if_need_be windows and never when
    unavailable; a session touching if_need_be time costs their if_need_be_cost."""
    m, cand = sm.model, sm.cand
    for s in sm.sections:
        for x in s.sessions:
            for f, lit in x.facilitators.items():
                free = cand.facilitator_starts(f, x.minutes)
                allowed = [t for t in x.domain if t in free]
                _restrict(m, x.start, allowed, x.domain, [lit])
                fee = reluctance_cents(sm.problem.facilitators[f])
                regular = [t for t in allowed if not cand.reluctantly(f, t, x.minutes)]
                if fee <= 0 or len(regular) == len(allowed):
                    continue
                reluctant = m.new_bool_var(f"{s.name}.{x.index}.if_need_be.{f}")
                m.add_implication(reluctant, lit)
                _restrict(m, x.start, regular, allowed, [lit, reluctant.negated()])
                x.reluctant[f] = reluctant
                sm.costs["preferences"].append(fee * reluctant)


def facilitator_no_double_booking(sm: ScheduleModel) -> None:
    """A facilitator teaches one session at a time, with buffer_minutes free between two."""
    intervals = defaultdict(list)
    for s in sm.sections:
        for x in s.sessions:
            for f, lit in x.facilitators.items():
                length = x.minutes + sm.problem.facilitators[f].buffer_minutes
                intervals[f].append(
                    sm.model.new_optional_fixed_size_interval_var(x.start, length, lit, "")
                )
    for items in intervals.values():
        if len(items) > 1:
            sm.model.add_no_overlap(items)


def facilitator_daily_maximum(sm: ScheduleModel) -> None:
    """A facilitator teaches at most max_minutes_per_day minutes on one of their local days."""
    m, cand, grid = sm.model, sm.cand, sm.grid
    for f in sm.problem.facilitators.values():
        if f.max_minutes_per_day is None:
            continue
        options = []  # (session vars, literal, {local day: starts})
        load = defaultdict(int)  # local day -> minutes that could be taught then
        for s in sm.sections:
            for x in s.sessions:
                if f.id in x.facilitators:
                    free = cand.facilitator_starts(f.id, x.minutes)
                    by_day = defaultdict(list)
                    for t in x.domain:
                        if t in free:
                            by_day[grid.local_date(t, f.timezone)].append(t)
                    options.append((x, x.facilitators[f.id], by_day))
                    for day in by_day:
                        load[day] += x.minutes
        taught = defaultdict(list)
        left = {d: f.max_minutes_per_day - cand.day_minutes.get((f.id, d), 0) for d in load}
        for x, lit, by_day in options:
            if all(load[d] <= left[d] for d in by_day):
                continue  # the maximum cannot bind on any of its days
            day_lits = []
            for day, starts in by_day.items():
                on = m.new_bool_var(f"{x.start.name}.{f.id}.{day}")
                _restrict(m, x.start, starts, x.domain, [on])
                x.teaching_day[(f.id, (day - sm.problem.horizon_start).days)] = on
                day_lits.append(on)
                taught[day].append(x.minutes * on)
            m.add(sum(day_lits) == lit)
        for day, terms in taught.items():
            if load[day] > left[day]:
                m.add(sum(terms) <= left[day])


def same_facilitator(sm: ScheduleModel) -> None:
    """When the program asks for it, one facilitator teaches every session of a section."""
    for s in sm.sections:
        if not s.group.program.same_facilitator or len(s.sessions) < 2:
            continue
        names = set().union(*(x.facilitators for x in s.sessions))
        for f in names:
            lits = [x.facilitators.get(f) for x in s.sessions]
            if any(lit is None for lit in lits):
                for lit in lits:
                    if lit is not None:
                        sm.model.add(lit == 0)
                continue
            for lit in lits[1:]:
                sm.model.add(lit == lits[0])


def room_at_site(sm: ScheduleModel) -> None:
    """An in-person session takes exactly one room at the cohorts' site, open at that time and
    seating the whole section."""
    m, cand = sm.model, sm.cand
    for s in sm.sections:
        if not s.group.program.in_person:
            continue
        for x in s.sessions:
            m.add(sum(x.rooms.values()) == s.present)
            for r, lit in x.rooms.items():
                m.add(s.size <= sm.problem.rooms[r].capacity).only_enforce_if(lit)
                free = cand.room_starts(r, x.minutes)
                _restrict(m, x.start, [t for t in x.domain if t in free], x.domain, [lit])


def room_no_double_booking(sm: ScheduleModel) -> None:
    """A room hosts one session at a time."""
    intervals = defaultdict(list)
    for s in sm.sections:
        for x in s.sessions:
            for r, lit in x.rooms.items():
                intervals[r].append(
                    sm.model.new_optional_fixed_size_interval_var(x.start, x.minutes, lit, "")
                )
    for items in intervals.values():
        if len(items) > 1:
            sm.model.add_no_overlap(items)


def learner_conflicts(sm: ScheduleModel) -> None:
    """Cohorts that share a learner or a conflict group are never in session at the same time
    (in one section they are in the same session, which is allowed). A split cohort's own sections
    are kept apart too, because the model does not know which part holds the shared learner."""
    m = sm.model
    for key, cohorts in sm.cand.conflicts.items():
        items = []
        for s in sm.sections:
            members = [s.members[c] for c in cohorts if c in s.members]
            if not members:
                continue
            if len(members) == 1:
                involved = members[0]
            else:  # the section holds at least one cohort of this conflict
                involved = m.new_bool_var(f"{s.name}.{key}")
                m.add_max_equality(involved, members)
                s.in_conflict[key] = (involved, [c for c in cohorts if c in s.members])
            items.extend(
                m.new_optional_fixed_size_interval_var(x.start, x.minutes, involved, "")
                for x in s.sessions
            )
        if len(items) > 1:
            m.add_no_overlap(items)


def fixed_sessions_kept(sm: ScheduleModel) -> None:
    """A fixed session stays as published: its section holds those learners and the session keeps
    its start, facilitator and room. Each fixed session gets a literal so that explanations can
    ask which of them clash; the solve requires them all."""
    m = sm.model
    by_id = {s.fixed_id: s for s in sm.sections if s.fixed_id}
    for k, fx in enumerate(sm.problem.fixed):
        lit = m.new_bool_var(f"fixed[{k}]")
        sm.fixed.append((lit, k))
        s = by_id.get(fx.section)
        if s is None or fx.session >= len(s.sessions):
            m.add_bool_or([lit.negated()])
            continue
        m.add_implication(lit, s.present)
        for part in fx.cohorts:
            if part.cohort in s.learners:
                m.add(s.learners[part.cohort] == part.learners).only_enforce_if(lit)
            else:
                m.add_bool_or([lit.negated()])
        x = s.sessions[fx.session]
        m.add(x.start == sm.grid.minute(fx.start)).only_enforce_if(lit)
        pins = [(fx.facilitator, x.facilitators)]
        if s.group.program.in_person:
            pins.append((fx.room, x.rooms))
        for who, options in pins:
            if who in options:
                m.add_implication(lit, options[who])
            elif who is not None:
                m.add_bool_or([lit.negated()])


def interchangeable_sections_ordered(sm: ScheduleModel) -> None:
    """Symmetry breaking: the generic candidate sections of a group are used in order, and a used
    one starts no later than the next."""
    by_group = defaultdict(list)
    for s in sm.sections:
        if s.interchangeable:
            by_group[s.group.key].append(s)
    for sections in by_group.values():
        for a, b in zip(sections, sections[1:], strict=False):
            sm.model.add_implication(b.present, a.present)
            sm.model.add(a.sessions[0].start <= b.sessions[0].start).only_enforce_if(b.present)


ALL_RULES = (
    seats_per_section,
    cohort_learners_placed_once,
    unsplittable_cohorts,
    unmergeable_cohorts,
    attendance_hours,
    gap_days,
    facilitator_skill,
    facilitator_availability,
    facilitator_no_double_booking,
    facilitator_daily_maximum,
    facilitator_capacity,
    same_facilitator,
    room_at_site,
    room_no_double_booking,
    room_capacity,
    learner_conflicts,
    fixed_sessions_kept,
    interchangeable_sections_ordered,
    facilitator_cost,
    room_cost,
    seat_cost,
    change_cost,
)
