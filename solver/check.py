"""The independent checker: verify any schedule document against its problem.

It shares no code with the optimisation model (``model``, ``rules``, ``timegrid``, ``solve``): every
rule is re-derived from the problem's raw data with ``zoneinfo``, so a bug in the model cannot vouch
for itself. Each rule is one function whose docstring states it; ``check`` runs them all and returns
violations ``{"rule", "path", "message"}`` with paths into the schedule document.

Rules about sections, dates and cost are here; facilitators, rooms and learner clashes are in
``solver.check_resources``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from solver.check_resources import (
    RESOURCE_RULES,
    SESSION_RESOURCE_RULES,
    SHARED_RESOURCE_RULES,
)
from solver.cost import cost_of, recompute_cost
from solver.fields import join
from solver.hiring import hired_ids, hired_pool_members, staffed
from solver.localtime import (
    attendance_windows,
    covers,
    intervals,
    local_span,
    on_slot_grid,
    to_local,
    touches,
)
from solver.problem import Problem
from solver.schedule import COST_COMPONENTS, FEASIBLE, OPTIMAL
from solver.scheduled import PlacedSchedule, PlacedSession, Violation, read_schedule, violation

__all__ = [
    "COMPOSITION_RULES",
    "COST_RULES",
    "PLAN_RULES",
    "RULES",
    "SECTION_RULES",
    "SHARED_RESOURCE_RULES",
    "check",
    "recompute_cost",
]

Rule = Callable[[Problem, PlacedSchedule], Iterator[Violation]]
COST_TOLERANCE = 0.01
# Components a cost object has only for some problems (hiring: with a hiring pool).
_EXTRA_COMPONENTS = ("hiring",)


def check(
    problem: Problem, schedule: dict[str, Any], rules: tuple[Rule, ...] | None = None
) -> list[Violation]:
    """Every rule the schedule breaks, as ``{"rule", "path", "message"}``; empty when it is valid.

    A schedule whose status is "infeasible" or "invalid" carries no sections: only its form is
    checked. ``rules`` (default ``RULES``, every one) are those looked at, in that order."""
    if problem.hiring_pool:  # hired pool members teach like facilitators
        problem = staffed(problem, hired_ids(schedule))
    placed = read_schedule(problem, schedule)
    found = list(placed.problems)
    if placed.status not in (OPTIMAL, FEASIBLE):
        if placed.sections:
            found.append(
                violation(
                    "schedule_format", "sections", f"a {placed.status} schedule has no sections"
                )
            )
        return found
    for rule in RULES if rules is None else rules:
        found.extend(rule(problem, placed))
    return found


def _section_sessions(placed: PlacedSchedule) -> Iterator[tuple[PlacedSession, list[str]]]:
    """Each session with the ids of the known cohorts in its section."""
    for session in placed.sessions:
        yield session, sorted(session.section.cohort_ids)


# --- sessions and dates -------------------------------------------------------------------------


def program_sessions(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A section has exactly one session per session of its program, in order, each as long as
    the program says."""
    for section in placed.sections:
        program = section.program
        if program is None:
            continue
        if section.listed != len(program.sessions):
            yield violation(
                "program_sessions", join(section.path, "sessions"),
                f"{section.listed} sessions listed, program '{program.id}' has {len(program.sessions)}",
            )  # fmt: skip
        for session in section.sessions:
            if session.index != session.position:
                yield violation(
                    "program_sessions", join(session.path, "index"),
                    f"session {session.index} is listed at position {session.position}: list them in program order",
                )  # fmt: skip
            elif (
                session.index < len(program.sessions)
                and session.minutes != program.sessions[session.index]
            ):
                yield violation(
                    "program_sessions", session.path,
                    f"lasts {session.minutes} minutes, session {session.index} of '{program.id}' "
                    f"lasts {program.sessions[session.index]}",
                )  # fmt: skip


def slot_grid(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Every session starts a whole number of slots after local midnight of the problem's zone."""
    for session in placed.sessions:
        if not on_slot_grid(session.start, problem.timezone, problem.slot_minutes):
            yield violation(
                "slot_grid", join(session.path, "start"),
                f"starts {local_span(session.start, session.end, problem.timezone)}, "
                f"off the {problem.slot_minutes}-minute slot grid",
            )  # fmt: skip


def horizon(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Every session lies within the horizon's local dates (problem's zone)."""
    for session in placed.sessions:
        first = to_local(session.start, problem.timezone).date()
        last = to_local(session.end - timedelta(minutes=1), problem.timezone).date()
        if first < problem.horizon_start or last > problem.horizon_end:
            yield violation(
                "horizon", session.path,
                f"{local_span(session.start, session.end, problem.timezone)} is outside the horizon "
                f"{problem.horizon_start} to {problem.horizon_end}",
            )  # fmt: skip


def cohort_dates(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Every session lies within each of its cohorts' earliest and deadline local dates."""
    for session, cohort_ids in _section_sessions(placed):
        for cohort in (problem.cohorts[c] for c in cohort_ids):
            first = to_local(session.start, cohort.timezone).date()
            last = to_local(session.end - timedelta(minutes=1), cohort.timezone).date()
            if first < cohort.earliest or last > cohort.deadline:
                yield violation(
                    "cohort_dates", session.path,
                    f"{local_span(session.start, session.end, cohort.timezone)} is outside cohort "
                    f"'{cohort.id}' dates {cohort.earliest} to {cohort.deadline}",
                )  # fmt: skip


def cohort_hours(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Every session lies within each of its cohorts' attendance hours, in the cohort's zone."""
    for session, cohort_ids in _section_sessions(placed):
        for cohort in (problem.cohorts[c] for c in cohort_ids):
            start, end = (to_local(t, cohort.timezone) for t in (session.start, session.end))
            if not covers(attendance_windows(cohort.hours, start.date(), end.date()), start, end):
                yield violation(
                    "cohort_hours", session.path,
                    f"{local_span(session.start, session.end, cohort.timezone)} is outside the "
                    f"hours of cohort '{cohort.id}'",
                )  # fmt: skip


def cohort_unavailable(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """No session overlaps a blocked period of one of its cohorts."""
    for session, cohort_ids in _section_sessions(placed):
        for cohort in (problem.cohorts[c] for c in cohort_ids):
            start, end = (to_local(t, cohort.timezone) for t in (session.start, session.end))
            if touches(intervals(cohort.unavailable), start, end):
                yield violation(
                    "cohort_unavailable", session.path,
                    f"{local_span(session.start, session.end, cohort.timezone)} overlaps a blocked "
                    f"period of cohort '{cohort.id}'",
                )  # fmt: skip


def gap_days(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Consecutive sessions of a section are gap_days [min, max] calendar days apart (local dates
    of their starts in the problem's zone), and each starts after the previous one ends."""
    for section in placed.sections:
        if section.program is None:
            continue
        low, high = section.program.gap_days
        ordered = sorted(section.sessions, key=lambda s: s.index)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after.start < before.end:
                yield violation(
                    "session_order", join(after.path, "start"),
                    f"session {after.index} starts before session {before.index} ends",
                )  # fmt: skip
            days = (
                to_local(after.start, problem.timezone).date()
                - to_local(before.start, problem.timezone).date()
            ).days
            if not low <= days <= high:
                yield violation(
                    "gap_days", join(after.path, "start"),
                    f"{days} days after session {before.index}, program '{section.program.id}' "
                    f"needs {low} to {high}",
                )  # fmt: skip


# --- sections and learners ----------------------------------------------------------------------


def section_cohorts(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A section holds only cohorts of its own program, and its size is the sum of their learners."""
    for section in placed.sections:
        for k, part in enumerate(section.parts):
            cohort = problem.cohorts[part.cohort]
            if section.program is not None and cohort.program != section.program.id:
                yield violation(
                    "section_program", join(join(section.path, "cohorts"), k),
                    f"cohort '{cohort.id}' takes program '{cohort.program}', not '{section.program.id}'",
                )  # fmt: skip
        if section.size != section.learners:
            yield violation(
                "section_size", join(section.path, "size"),
                f"size {section.size!r} but its cohorts bring {section.learners} learners",
            )  # fmt: skip


def seats(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A section seats between its program's minimum and maximum number of learners."""
    for section in placed.sections:
        if section.program is None:
            continue
        low, high = section.program.seats
        if not low <= section.learners <= high:
            yield violation(
                "seats", join(section.path, "cohorts"),
                f"{section.learners} learners, program '{section.program.id}' seats {low} to {high}",
            )  # fmt: skip


def mergeable(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A cohort that is not mergeable is alone in its section."""
    for section in placed.sections:
        if len(section.cohort_ids) < 2:
            continue
        for k, part in enumerate(section.parts):
            if not problem.cohorts[part.cohort].mergeable:
                yield violation(
                    "mergeable", join(join(section.path, "cohorts"), k),
                    f"cohort '{part.cohort}' is not mergeable but shares section '{section.id}'",
                )  # fmt: skip


def splittable(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A cohort that is not splittable sits in one section only."""
    first_section: dict[str, str] = {}
    for section in placed.sections:
        for k, part in enumerate(section.parts):
            seen = first_section.setdefault(part.cohort, section.id)
            if seen != section.id and not problem.cohorts[part.cohort].splittable:
                yield violation(
                    "splittable", join(join(section.path, "cohorts"), k),
                    f"cohort '{part.cohort}' is not splittable but is also in section '{seen}'",
                )  # fmt: skip


def learners_accounted(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A cohort's learners in sections plus its unscheduled learners add up to its size."""
    seated = Counter()
    for section in placed.sections:
        for part in section.parts:
            seated[part.cohort] += part.learners
    for cohort in problem.cohorts.values():
        left_out = placed.unscheduled.get(cohort.id, 0)
        if seated[cohort.id] + left_out != cohort.size:
            yield violation(
                "learners_accounted", "unscheduled",
                f"cohort '{cohort.id}' has {cohort.size} learners: {seated[cohort.id]} in sections "
                f"and {left_out} unscheduled",
            )  # fmt: skip


def fixed_kept(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Every fixed session appears exactly as published: same section, cohorts, session, start,
    facilitator and room (a fixed entry without facilitator or room leaves that choice open)."""
    sessions = {(s.section.id, s.index): s for s in placed.sessions}
    for k, fixed in enumerate(problem.fixed):
        path = join("fixed", k)
        session = sessions.get((fixed.section, fixed.session))
        if session is None:
            yield violation(
                "fixed_session",
                "sections",
                f"{path}: section '{fixed.section}' session {fixed.session} is missing",
            )
            continue
        wanted = {
            "start": (fixed.start, session.start),
            "facilitator": (fixed.facilitator, session.facilitator if fixed.facilitator else None),
            "room": (fixed.room, session.room if fixed.room else None),
            "cohorts": (Counter(fixed.cohorts), Counter(session.section.parts)),
        }
        for key, (expected, actual) in wanted.items():
            if expected != actual:
                yield violation(
                    "fixed_session", join(session.path, key), f"differs from {path}.{key}"
                )


# --- cost ---------------------------------------------------------------------------------------


def cost_matches(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Every reported cost component, the total and per_trained_learner equal the recomputed
    ones to the cent, and the total is the sum of the reported components."""
    reported = placed.cost or {}
    expected = cost_of(problem, placed)
    for key, value in expected.items():
        got = reported.get(key)
        if not _is_number(got) or abs(got - value) > COST_TOLERANCE:
            yield violation("cost", join("cost", key), f"reports {got!r}, recomputed {value:.2f}")
    parts = [reported.get(key) for key in (*COST_COMPONENTS, *_EXTRA_COMPONENTS) if key in expected]
    if all(_is_number(p) for p in parts) and _is_number(reported.get("total")):
        if abs(sum(parts) - reported["total"]) > COST_TOLERANCE:
            yield violation(
                "cost_total",
                "cost.total",
                f"{reported['total']} is not the sum {sum(parts):.2f} of the components",
            )


def bound_below_cost(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A reported lower bound (``lower_bound``, ``solver.bound``) is null or a number no greater
    than the recomputed total cost: no schedule, this one included, costs less than a bound."""
    yield from bound_violations(placed.bounds, cost_of(problem, placed)["total"])


def bound_violations(bounds: dict[str, Any], total: float) -> Iterator[Violation]:
    """The ``bound_below_cost`` rule on reported bounds (path -> value) and a total cost."""
    for path, value in bounds.items():
        if value is None:
            continue
        if not _is_number(value) or not math.isfinite(value):
            yield violation("schedule_format", path, "must be a number or null")
        elif value > total + COST_TOLERANCE:
            yield violation(
                "lower_bound", path, f"{value:.2f} is above the recomputed cost {total:.2f}"
            )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: Rules that read only which cohorts sit in which section: no move of a session changes them.
COMPOSITION_RULES: tuple[Rule, ...] = (
    section_cohorts,
    seats,
    mergeable,
    splittable,
    learners_accounted,
)
#: Rules that read each section and its own sessions alone (``fixed_kept`` each fixed entry's
#: section): moving a session can only break them in its section.
SECTION_RULES: tuple[Rule, ...] = (
    program_sessions,
    slot_grid,
    horizon,
    cohort_dates,
    cohort_hours,
    cohort_unavailable,
    gap_days,
    fixed_kept,
    *SESSION_RESOURCE_RULES,
    hired_pool_members,  # a session's teacher must be hired by then: its own section's sessions
)
#: Rules that compare the whole schedule's cost.
COST_RULES: tuple[Rule, ...] = (cost_matches, bound_below_cost)

#: Every rule, in the order violations are reported; ``solver.check_move`` runs the same
#: functions on the part of a schedule a move of one session can change.
RULES: tuple[Rule, ...] = (
    program_sessions,
    slot_grid,
    horizon,
    cohort_dates,
    cohort_hours,
    cohort_unavailable,
    gap_days,
    section_cohorts,
    seats,
    mergeable,
    splittable,
    learners_accounted,
    fixed_kept,
    *RESOURCE_RULES,
    hired_pool_members,
    cost_matches,
    bound_below_cost,
)
#: Every rule but those about the cost a schedule reports: what decides whether a plan the
#: engine priced itself may be kept (``solver.previous.keeps_every_rule``).
PLAN_RULES: tuple[Rule, ...] = tuple(rule for rule in RULES if rule not in COST_RULES)
