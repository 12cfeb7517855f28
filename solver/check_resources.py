"""Checker rules about people and rooms: facilitators, rooms and learners who cannot be in two
places at once. See ``solver.check`` for the contract shared by every rule."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from solver.localtime import bookable_windows, covers, local_span, to_local
from solver.problem import Availability, Problem
from solver.scheduled import PlacedSchedule, PlacedSession, Violation, violation

Rule = Callable[[Problem, PlacedSchedule], Iterator[Violation]]


def _overlapping(
    sessions: Iterable[PlacedSession], gap: timedelta = timedelta()
) -> Iterator[tuple[PlacedSession, PlacedSession]]:
    """Pairs ``(earlier, later)`` of sessions less than ``gap`` apart or overlapping."""
    ordered = sorted(sessions, key=lambda s: (s.start, s.end, s.path))
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.start >= first.end + gap:
                break
            yield first, second


def _is_available(availability: Availability, tz: str, session: PlacedSession) -> bool:
    start, end = (to_local(t, tz) for t in (session.start, session.end))
    return covers(bookable_windows(availability, start.date(), end.date()), start, end)


# --- facilitators -------------------------------------------------------------------------------


def facilitator_assigned(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Every session has a facilitator."""
    for session in placed.sessions:
        if session.facilitator is None:
            yield violation("facilitator_missing", session.path, "has no facilitator")


def facilitator_skill(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A facilitator lists the skill of every program they teach."""
    for session in placed.sessions:
        facilitator = problem.facilitators.get(session.facilitator)
        program = session.section.program
        if facilitator and program and program.skill and program.skill not in facilitator.skills:
            yield violation(
                "facilitator_skill", f"{session.path}.facilitator",
                f"'{facilitator.id}' lacks skill '{program.skill}' of program '{program.id}'",
            )  # fmt: skip


def facilitator_available(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A facilitator teaches only within their availability (weekly, available and if-need-be
    windows, minus unavailable), read in their own zone."""
    for session in placed.sessions:
        facilitator = problem.facilitators.get(session.facilitator)
        if facilitator and not _is_available(
            facilitator.availability, facilitator.timezone, session
        ):
            yield violation(
                "facilitator_unavailable", f"{session.path}.facilitator",
                f"'{facilitator.id}' is not available "
                f"{local_span(session.start, session.end, facilitator.timezone)}",
            )  # fmt: skip


def facilitator_double_booked(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A facilitator teaches one session at a time, with buffer_minutes free between two."""
    by_facilitator: dict[str, list[PlacedSession]] = defaultdict(list)
    for session in placed.sessions:
        if session.facilitator in problem.facilitators:
            by_facilitator[session.facilitator].append(session)
    for fid, sessions in by_facilitator.items():
        facilitator = problem.facilitators[fid]
        buffer = timedelta(minutes=facilitator.buffer_minutes)
        for first, second in _overlapping(sessions, buffer):
            yield violation(
                "facilitator_double_booked", second.path,
                f"'{fid}' also teaches {first.path} "
                f"({local_span(first.start, first.end, facilitator.timezone)}) "
                f"with less than {facilitator.buffer_minutes} minutes between",
            )  # fmt: skip


def facilitator_daily_maximum(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A facilitator teaches at most max_minutes_per_day minutes per local day; a session counts
    whole on the local day it starts."""
    minutes: dict[tuple[str, object], int] = defaultdict(int)
    for session in sorted(placed.sessions, key=lambda s: s.start):
        facilitator = problem.facilitators.get(session.facilitator)
        if facilitator is None or facilitator.max_minutes_per_day is None:
            continue
        day = to_local(session.start, facilitator.timezone).date()
        before = minutes[facilitator.id, day]
        minutes[facilitator.id, day] += session.minutes
        if before <= facilitator.max_minutes_per_day < minutes[facilitator.id, day]:
            yield violation(
                "facilitator_daily_maximum", session.path,
                f"'{facilitator.id}' teaches {minutes[facilitator.id, day]} minutes on {day} "
                f"({facilitator.timezone}), more than {facilitator.max_minutes_per_day}",
            )  # fmt: skip


def same_facilitator(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """When a program asks for the same facilitator, one person teaches every session of a section."""
    for section in placed.sections:
        if section.program is None or not section.program.same_facilitator:
            continue
        first = section.sessions[0].facilitator if section.sessions else None
        for session in section.sessions[1:]:
            if session.facilitator != first:
                yield violation(
                    "same_facilitator", f"{session.path}.facilitator",
                    f"'{session.facilitator}' differs from '{first}' who teaches the first session",
                )  # fmt: skip


# --- rooms and sites ----------------------------------------------------------------------------


def room_mode(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """An in-person session has a room; a virtual session has none."""
    for session in placed.sessions:
        program = session.section.program
        if program is None:
            continue
        if program.in_person and session.room is None:
            yield violation(
                "room_missing", session.path, f"in-person program '{program.id}' needs a room"
            )
        elif not program.in_person and session.room is not None:
            yield violation(
                "room_not_allowed",
                f"{session.path}.room",
                f"virtual program '{program.id}' has no room",
            )


def section_site(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """All cohorts of an in-person section are at one site."""
    for section in placed.sections:
        if section.program is None or not section.program.in_person:
            continue
        sites = sorted({problem.cohorts[c].site or "(no site)" for c in section.cohort_ids})
        if len(sites) > 1:
            yield violation(
                "section_site",
                f"{section.path}.cohorts",
                f"cohorts from several sites: {', '.join(sites)}",
            )


def room_site(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """An in-person session's room is at the site of the section's cohorts."""
    for session in placed.sessions:
        room = problem.rooms.get(session.room)
        if room is None or session.section.program is None or not session.section.program.in_person:
            continue
        for cohort_id in sorted(session.section.cohort_ids):
            site = problem.cohorts[cohort_id].site
            if site != room.site:
                yield violation(
                    "room_site", f"{session.path}.room",
                    f"room '{room.id}' is at '{room.site}', cohort '{cohort_id}' "
                    + (f"at '{site}'" if site else "has no site"),
                )  # fmt: skip


def room_capacity(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A room holds every learner of the section."""
    for session in placed.sessions:
        room = problem.rooms.get(session.room)
        if room is not None and session.section.learners > room.capacity:
            yield violation(
                "room_capacity", f"{session.path}.room",
                f"room '{room.id}' seats {room.capacity}, the section has {session.section.learners} learners",
            )  # fmt: skip


def room_available(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A room is booked only within its availability, read in its own zone."""
    for session in placed.sessions:
        room = problem.rooms.get(session.room)
        if room is not None and not _is_available(room.availability, room.timezone, session):
            yield violation(
                "room_unavailable", f"{session.path}.room",
                f"room '{room.id}' is not available {local_span(session.start, session.end, room.timezone)}",
            )  # fmt: skip


def room_double_booked(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """A room holds one session at a time."""
    by_room: dict[str, list[PlacedSession]] = defaultdict(list)
    for session in placed.sessions:
        if session.room in problem.rooms:
            by_room[session.room].append(session)
    for rid, sessions in by_room.items():
        for first, second in _overlapping(sessions):
            yield violation(
                "room_double_booked", second.path, f"room '{rid}' also holds {first.path}"
            )


# --- learners -----------------------------------------------------------------------------------


def learner_conflict(problem: Problem, placed: PlacedSchedule) -> Iterator[Violation]:
    """Two cohorts that share a learner id or a conflict group are never in session at the same
    time (parts of one split cohort may be, as they are different learners)."""
    shared = _shared_keys(problem)
    by_key: dict[str, list[tuple[PlacedSession, str]]] = defaultdict(list)
    for session in placed.sessions:
        for cohort_id in session.section.cohort_ids:
            for key in shared.get(cohort_id, ()):
                by_key[key].append((session, cohort_id))
    reported: set[tuple[str, str]] = set()
    for key, entries in by_key.items():
        entries.sort(key=lambda entry: (entry[0].start, entry[0].path))
        for i, (first, a) in enumerate(entries):
            for second, b in entries[i + 1 :]:
                if second.start >= first.end:
                    break
                if (
                    a == b
                    or first.section is second.section
                    or (first.path, second.path) in reported
                ):
                    continue
                reported.add((first.path, second.path))
                yield violation(
                    "learner_conflict", second.path,
                    f"cohort '{b}' shares {key} with cohort '{a}', in session at {first.path} at the same time",
                )  # fmt: skip


def _shared_keys(problem: Problem) -> dict[str, list[str]]:
    """Per cohort, its learner ids and conflict groups that another cohort has too (a key held
    by one cohort alone never makes a conflict: parts of one cohort are different learners).
    The cohorts holding each are counted before any key is named: 10,000 cohorts list 185,000
    learners, nearly all in one cohort only."""
    cohorts = problem.cohorts.values()
    learners = Counter(x for cohort in cohorts for x in set(cohort.learners))
    groups = Counter(g for cohort in cohorts for g in set(cohort.conflict_groups))
    return {
        cohort.id: [f"learner {x}" for x in cohort.learners if learners[x] > 1]
        + [f"group {g}" for g in cohort.conflict_groups if groups[g] > 1]
        for cohort in cohorts
    }


#: Rules that read each session (or section) on its own: moving one session can only break them
#: in that session's section.
SESSION_RESOURCE_RULES: tuple[Rule, ...] = (
    facilitator_assigned,
    facilitator_skill,
    facilitator_available,
    same_facilitator,
    room_mode,
    section_site,
    room_site,
    room_capacity,
    room_available,
)
#: Rules about what sessions share: a facilitator's sessions and day, a room, learners. Moving a
#: session can break them with any section that uses its facilitator, room or learners.
SHARED_RESOURCE_RULES: tuple[Rule, ...] = (
    facilitator_double_booked,
    facilitator_daily_maximum,
    room_double_booked,
    learner_conflict,
)
RESOURCE_RULES: tuple[Rule, ...] = (
    facilitator_assigned,
    facilitator_skill,
    facilitator_available,
    facilitator_double_booked,
    facilitator_daily_maximum,
    same_facilitator,
    room_mode,
    section_site,
    room_site,
    room_capacity,
    room_available,
    room_double_booked,
    learner_conflict,
)
