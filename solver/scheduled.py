"""A schedule document read into plain objects for the checker and the cost recomputation.

Reading is forgiving: a malformed part becomes a ``schedule_format`` or ``unknown_reference``
violation and is left out, so the remaining rules still check everything that can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from solver.fields import join, shown
from solver.hiring import read_hires
from solver.limits import MAX_LEARNERS
from solver.problem import SCHEDULE_FORMAT, CohortPart, Problem, Program
from solver.schedule import STATUSES, parse_utc

Violation = dict[str, str]


def violation(rule: str, path: str, message: str) -> Violation:
    """One broken rule at a JSON path of the schedule."""
    return {"rule": rule, "path": path, "message": message}


@dataclass
class PlacedSession:
    """One session of a section as the schedule places it (instants in UTC).

    ``facilitator`` and ``room`` are the ids as written, possibly unknown to the problem (that is
    reported once, while reading); rules look them up and skip what they cannot find."""

    section: PlacedSection
    position: int  # where it is listed in its section
    index: int  # which session of the program it claims to be
    start: datetime
    end: datetime
    facilitator: str | None
    room: str | None
    path: str

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class PlacedSection:
    """One section: its program, which cohorts sit in it, and its sessions."""

    id: str
    program: Program | None
    parts: list[CohortPart]
    size: Any
    path: str
    listed: int = 0  # sessions listed in the document, readable or not
    sessions: list[PlacedSession] = field(default_factory=list)

    @property
    def learners(self) -> int:
        return sum(part.learners for part in self.parts)

    @property
    def cohort_ids(self) -> set[str]:
        return {part.cohort for part in self.parts}


@dataclass
class PlacedSchedule:
    """The readable parts of a schedule document."""

    status: str | None
    sections: list[PlacedSection]
    unscheduled: dict[str, int]  # cohort id -> learners left out
    cost: dict[str, Any] | None
    problems: list[Violation]  # what could not be read
    bounds: dict[str, Any] = field(default_factory=dict)  # path -> a reported lower bound
    hires: list[Any] = field(default_factory=list)  # solver.hiring.Hire, when there is a pool

    @property
    def sessions(self) -> list[PlacedSession]:
        return [s for section in self.sections for s in section.sessions]


def read_schedule(problem: Problem, doc: Any) -> PlacedSchedule:
    """Read a schedule document against its problem, noting every part that cannot be read."""
    problems: list[Violation] = []
    if not isinstance(doc, dict):
        return PlacedSchedule(
            None, [], {}, None, [violation("schedule_format", "$", "must be an object")]
        )
    if doc.get("format") != SCHEDULE_FORMAT:
        problems.append(violation("schedule_format", "format", f'must be "{SCHEDULE_FORMAT}"'))
    status = doc.get("status")
    if status not in STATUSES:
        problems.append(violation("schedule_format", "status", f"unknown status {status!r}"))
    sections = [
        section
        for k, item in enumerate(_list(doc, "sections", "", problems))
        if (section := _read_section(problem, item, join("sections", k), problems)) is not None
    ]
    unscheduled = _read_unscheduled(problem, _list(doc, "unscheduled", "", problems), problems)
    cost = doc.get("cost") if isinstance(doc.get("cost"), dict) else None
    if cost is None:
        problems.append(violation("schedule_format", "cost", "must be an object"))
    info = doc.get("solver") if isinstance(doc.get("solver"), dict) else {}
    bounds = {"lower_bound": doc.get("lower_bound"), "solver.bound": info.get("bound")}
    hires = read_hires(problem, doc, problems) if problem.hiring_pool else []
    return PlacedSchedule(status, sections, unscheduled, cost, problems, bounds, hires)


def _list(obj: dict[str, Any], key: str, path: str, problems: list[Violation]) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        problems.append(violation("schedule_format", join(path, key), "must be a list"))
        return []
    return value


def _read_section(
    problem: Problem, item: Any, path: str, problems: list[Violation]
) -> PlacedSection | None:
    if not isinstance(item, dict):
        problems.append(violation("schedule_format", path, "must be an object"))
        return None
    program = problem.programs.get(item.get("program")) if _is_id(item.get("program")) else None
    if program is None:
        problems.append(
            violation(
                "unknown_reference",
                join(path, "program"),
                f"unknown program {item.get('program')!r}",
            )
        )
    section = PlacedSection(
        id=str(item.get("id")),
        program=program,
        parts=_read_parts(problem, _list(item, "cohorts", path, problems), path, problems),
        size=item.get("size"),
        path=path,
    )
    raw_sessions = _list(item, "sessions", path, problems)
    section.listed = len(raw_sessions)
    for k, raw in enumerate(raw_sessions):
        session = _read_session(problem, section, k, raw, join(join(path, "sessions"), k), problems)
        if session is not None:
            section.sessions.append(session)
    return section


def _read_parts(
    problem: Problem, items: list[Any], path: str, problems: list[Violation]
) -> list[CohortPart]:
    parts = []
    for k, item in enumerate(items):
        here = join(join(path, "cohorts"), k)
        cohort = item.get("cohort") if isinstance(item, dict) else None
        learners = item.get("learners") if isinstance(item, dict) else None
        if not _is_id(cohort) or cohort not in problem.cohorts:
            problems.append(violation("unknown_reference", here, f"unknown cohort {shown(cohort)}"))
        elif not _learner_count(learners, 1):
            problems.append(
                violation(
                    "schedule_format",
                    join(here, "learners"),
                    f"must be a whole number from 1 to {MAX_LEARNERS:,}",
                )
            )
        else:
            parts.append(CohortPart(cohort, learners))
    return parts


def _read_session(
    problem: Problem,
    section: PlacedSection,
    position: int,
    item: Any,
    path: str,
    problems: list[Violation],
) -> PlacedSession | None:
    if not isinstance(item, dict):
        problems.append(violation("schedule_format", path, "must be an object"))
        return None
    start, end = parse_utc(item.get("start")), parse_utc(item.get("end"))
    index = item.get("index")
    for key, ok in (("start", start), ("end", end)):
        if ok is None:
            message = "must be a date and time with a UTC offset, like 2027-01-05T09:00:00+00:00"
            problems.append(violation("schedule_format", join(path, key), message))
    if isinstance(index, bool) or not isinstance(index, int):
        problems.append(violation("schedule_format", join(path, "index"), "must be a whole number"))
        return None
    facilitator = _reference(item, "facilitator", problem.facilitators, path, problems)
    room = _reference(item, "room", problem.rooms, path, problems)
    if start is None or end is None:
        return None
    return PlacedSession(section, position, index, start, end, facilitator, room, path)


def _learner_count(value: Any, minimum: int) -> bool:
    """Whether ``value`` is a whole number of learners a problem could hold (larger ones would
    only overflow the cost arithmetic)."""
    return (
        isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= MAX_LEARNERS
    )


def _is_id(value: Any) -> bool:
    return isinstance(value, str)


def _reference(
    item: dict[str, Any], key: str, known: dict[str, Any], path: str, problems: list[Violation]
) -> str | None:
    """The id a session names for ``key`` (kept even when unknown, which is reported here)."""
    value = item.get(key)
    if value is None:
        return None
    if not _is_id(value):
        problems.append(violation("schedule_format", join(path, key), "must be an id or null"))
        return None
    if value not in known:
        problems.append(
            violation("unknown_reference", join(path, key), f"unknown {key} {shown(value)}")
        )
    return value


def _read_unscheduled(
    problem: Problem, items: list[Any], problems: list[Violation]
) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, item in enumerate(items):
        path = join("unscheduled", k)
        cohort = item.get("cohort") if isinstance(item, dict) else None
        learners = item.get("learners") if isinstance(item, dict) else None
        if not _is_id(cohort) or cohort not in problem.cohorts:
            problems.append(violation("unknown_reference", path, f"unknown cohort {shown(cohort)}"))
        elif not _learner_count(learners, 0):
            problems.append(
                violation(
                    "schedule_format",
                    join(path, "learners"),
                    f"must be a whole number from 0 to {MAX_LEARNERS:,}",
                )
            )
        else:
            out[cohort] = out.get(cohort, 0) + learners
    return out
