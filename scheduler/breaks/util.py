"""Which published sessions a change breaks, decided by the solver's own checker.

There is one judge of "impossible": the period's data is mapped onto the solver's problem
(``scheduler.planning.mapping.period_problem``) and the published schedule is checked against it
by the solver's independent checker (``solver.check``). A change breaks the sessions with a
violation that appears only after it: a session that was already at odds with the data before
(say, published before a rule existed) is not blamed on the change.

``preview_breaks`` applies a change inside a savepoint, finds what it breaks and rolls the
savepoint back, so the coordinator sees the consequences before anything is saved;
``find_breaks`` does the same without rolling back, for "Save anyway".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import (
    BrokenSession,
    Facilitator,
    PlanningPeriod,
    ScheduleVersion,
    VersionStatus,
)
from scheduler.planning.mapping import period_problem
from scheduler.planning.versions import problem_of, schedule_of
from scheduler.templating import localtime
from solver import check, parse_problem
from solver.refusals import refusals

#: Rules that say nothing about whether a session can take place: the cost moves with any
#: change of a rate, and a learner who joins a cohort after publishing is a late joiner
#: (``scheduler.adjustments.late_joiners``), not a reason to cancel anyone's session.
IGNORED_RULES = frozenset({"cost", "cost_total", "lower_bound", "learners_accounted"})

_SECTION = re.compile(r"^sections\[(\d+)\](?:\.sessions\[(\d+)\])?")

T = TypeVar("T")
SessionKey = tuple[str, int]  # (section key, 0-based position)


@dataclass(frozen=True)
class Break:
    """A published session a change makes impossible, and why (the checker's findings)."""

    period_id: int
    period_name: str
    timezone: str
    version_id: int
    program_name: str
    section_key: str
    position: int
    start: datetime
    facilitator_id: int | None  # who teaches it (database id), as the version knows them
    facilitator_name: str | None
    reasons: tuple[str, ...]

    @property
    def session_name(self) -> str:
        """ "Onboarding, section S3 session 2 (Mon 04 Jan 2027 09:00 CET)": numbered from 1."""
        when = localtime(self.start, self.timezone)
        return (
            f"{self.program_name}, section {self.section_key} session {self.position + 1} ({when})"
        )

    def describe(self) -> str:
        return f"{self.period_name}: {self.session_name}: {' '.join(self.reasons)}"


def published_versions() -> list[ScheduleVersion]:
    """Every period's published version, with its period."""
    query = (
        select(ScheduleVersion)
        .where(ScheduleVersion.status == VersionStatus.PUBLISHED)
        .options(selectinload(ScheduleVersion.period))
        .order_by(ScheduleVersion.period_id)
    )
    return list(db.session.scalars(query))


def session_problems(version: ScheduleVersion) -> dict[SessionKey, set[str]]:
    """What the checker finds wrong with each session of a published version against the
    current data, in the coordinator's words (sessions without a problem are absent).

    A finding about a whole section (its seats, its cohorts) concerns each of its sessions.
    When the data no longer even makes a valid problem (a site deleted leaves its in-person
    cohorts without one), the checker cannot run: the sessions that use an invalid program,
    cohort, facilitator or room are the ones known to be broken, and *Check the data* lists
    every error.
    """
    document = period_problem(version.period)
    problem, errors = parse_problem(document)
    then = problem_of(version)
    schedule = in_current_keys(schedule_of(version), then, document)
    if problem is None:
        found = _using_invalid_entries(document, errors, schedule)
        for section in schedule.get("sections") or []:
            for session in section.get("sessions") or []:
                key = (section["id"], session["index"])
                if gone := _gone(key, schedule, then, document):
                    found.setdefault(key, set()).update(gone)
        return found
    found: dict[SessionKey, set[str]] = defaultdict(set)
    gone: dict[SessionKey, set[str]] = defaultdict(set)
    for violation in check(problem, schedule):
        if violation["rule"] in IGNORED_RULES:
            continue
        for key in _sessions_at(violation["path"], schedule):
            if violation["rule"] == "unknown_reference":
                gone[key].update(_gone(key, schedule, then, document))
            else:
                # Worded from this session's side: what else is in its way, by name.
                found[key].add(refusals(document, schedule, [violation], key)[0])
    # A session whose cohort, room or facilitator is gone is broken by that alone; what the
    # checker adds (a section below its seats once its cohort is gone) only follows from it.
    found.update(gone)
    return dict(found)


#: How a session's missing program, cohort, room or facilitator is said: they were deleted,
#: or (a facilitator) disabled, since the plan was published.
GONE = {
    "programs": "Program {} no longer exists.",
    "cohorts": "Cohort {} no longer exists.",
    "rooms": "Room {} no longer exists.",
    "facilitators": "{} can no longer teach (their account is disabled or removed).",
}


def _references(section: dict, session: dict) -> dict[str, list[str | None]]:
    """The keys of the program, cohorts, room and facilitator a scheduled session uses."""
    return {
        "programs": [section.get("program")],
        "cohorts": [part.get("cohort") for part in section.get("cohorts") or []],
        "rooms": [session.get("room")],
        "facilitators": [session.get("facilitator")],
    }


def _gone(key: SessionKey, schedule: dict, then: dict, now: dict) -> set[str]:
    """What a session names that the current data no longer has, by the names the published
    plan knew them by."""
    section = next(s for s in schedule["sections"] if s["id"] == key[0])
    session = next(s for s in section["sessions"] if s["index"] == key[1])
    out = set()
    for kind, keys in _references(section, session).items():
        known = {entry["id"] for entry in now.get(kind, [])}
        names = {entry["id"]: entry.get("name") or entry["id"] for entry in then.get(kind, [])}
        for item in keys:
            if item is not None and item not in known:
                out.add(GONE[kind].format(names.get(item, item)))
    return out


#: The kinds of object a schedule names by key, and the schedule fields that name them.
KEYED = {"programs": "program", "cohorts": "cohort", "facilitators": "facilitator", "rooms": "room"}


def in_current_keys(schedule: dict, then: dict, now: dict) -> dict:
    """``schedule`` (made for the problem ``then``) with every key renamed to what the same row
    is called in ``now``: a room whose key was edited is still the same room, not a missing one.
    Rows are matched by their database id (``x-id``); keys of rows gone since stay as they were.
    """
    renamed = {}
    for kind in KEYED:
        by_id = {entry.get("x-id"): entry["id"] for entry in now.get(kind, [])}
        renamed[kind] = {
            entry["id"]: by_id[entry.get("x-id")]
            for entry in then.get(kind, [])
            if entry.get("x-id") in by_id
        }

    def new(kind: str, key):
        return renamed[kind].get(key, key)

    for section in schedule.get("sections") or []:
        section["program"] = new("programs", section.get("program"))
        for part in section.get("cohorts") or []:
            part["cohort"] = new("cohorts", part.get("cohort"))
        for session in section.get("sessions") or []:
            session["facilitator"] = new("facilitators", session.get("facilitator"))
            if session.get("room") is not None:
                session["room"] = new("rooms", session["room"])
    for item in schedule.get("unscheduled") or []:
        item["cohort"] = new("cohorts", item.get("cohort"))
    return schedule


_ENTRY = re.compile(r"^(programs|cohorts|facilitators|rooms)\[(\d+)\]")
_KIND_WORDS = {"programs": "Program", "cohorts": "Cohort", "facilitators": "", "rooms": "Room"}


def _using_invalid_entries(
    document: dict, errors: list[dict], schedule: dict
) -> dict[SessionKey, set[str]]:
    """The sessions using a program, cohort, facilitator or room the validator finds an error
    in, each with that error in words ("Cohort A: a cohort of in-person program ... needs a
    site.")."""
    found: dict[SessionKey, set[str]] = defaultdict(set)
    for error in errors:
        match = _ENTRY.match(error["path"])
        entries = document.get(match[1]) or [] if match else []
        if match is None or int(match[2]) >= len(entries):
            continue  # about the period as a whole: no session in particular
        kind, entry = match[1], entries[int(match[2])]
        owner = f"{_KIND_WORDS[kind]} {entry.get('name') or entry['id']}".strip()
        sentence = f"{owner}: {error['message']}."
        for section in schedule.get("sections") or []:
            for session in section.get("sessions") or []:
                if entry["id"] in _references(section, session)[kind]:
                    found[(section["id"], session["index"])].add(sentence)
    return dict(found)


def _sessions_at(path: str, schedule: dict) -> list[SessionKey]:
    """The sessions a violation's path points into: one session, a whole section, or none."""
    match = _SECTION.match(path)
    sections = schedule.get("sections") or []
    if match is None or int(match[1]) >= len(sections):
        return []
    section = sections[int(match[1])]
    sessions = section.get("sessions") or []
    if match[2] is not None:
        index = int(match[2])
        return [(section["id"], sessions[index]["index"])] if index < len(sessions) else []
    return [(section["id"], session["index"]) for session in sessions]


def find_breaks(apply: Callable[[], T]) -> tuple[T, list[Break]]:
    """Apply a change (``apply`` writes it to the session) and return what ``apply`` returned
    and the published sessions the change breaks. The change stays in the session: the caller
    commits or rolls back."""
    versions = published_versions()
    before = {version.id: session_problems(version) for version in versions}
    result = apply()
    db.session.flush()
    # The change may have loaded the periods again (a savepoint, a refresh): read them anew.
    out: list[Break] = []
    for version in published_versions():
        old = before.get(version.id, {})
        for key, reasons in sorted(session_problems(version).items()):
            new = reasons - old.get(key, set())
            if new:
                out.append(_break(version, key, sorted(new)))
    return result, out


def preview_breaks(apply: Callable[[], object]) -> list[Break]:
    """The published sessions a change would break; nothing of the change stays in the session
    (it is applied inside a savepoint that is always rolled back)."""
    savepoint = db.session.begin_nested()
    try:
        return find_breaks(apply)[1]
    finally:
        savepoint.rollback()


def _break(version: ScheduleVersion, key: SessionKey, reasons: list[str]) -> Break:
    schedule = schedule_of(version)
    section = next(s for s in schedule["sections"] if s["id"] == key[0])
    session = next(s for s in section["sessions"] if s["index"] == key[1])
    then = problem_of(version)
    teachers = {f["id"]: f for f in then.get("facilitators", [])}
    teacher = teachers.get(session.get("facilitator"), {})
    programs = {p["id"]: p.get("name") or p["id"] for p in then.get("programs", [])}
    period = version.period
    return Break(
        period_id=period.id,
        period_name=period.name,
        timezone=period.timezone,
        version_id=version.id,
        program_name=programs.get(section.get("program"), section.get("program") or ""),
        section_key=key[0],
        position=key[1],
        start=datetime.fromisoformat(session["start"]),
        facilitator_id=teacher.get("x-id"),
        facilitator_name=teacher.get("name") or session.get("facilitator"),
        reasons=tuple(reasons),
    )


# --- what is recorded -------------------------------------------------------------------------


def broken_sessions(period: PlanningPeriod) -> list[BrokenSession]:
    """The sessions of the period's published version recorded as broken (a version published
    since has its own rows: older ones no longer describe the plan)."""
    query = (
        select(BrokenSession)
        .join(BrokenSession.version)
        .where(
            BrokenSession.period_id == period.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
        )
        .options(selectinload(BrokenSession.facilitator))
        .order_by(BrokenSession.start, BrokenSession.section_key, BrokenSession.position)
    )
    return list(db.session.scalars(query))


def broken_sessions_of(facilitator: Facilitator) -> list[BrokenSession]:
    """A facilitator's broken sessions in every published plan."""
    query = (
        select(BrokenSession)
        .join(BrokenSession.version)
        .where(
            BrokenSession.facilitator_id == facilitator.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
        )
        .options(selectinload(BrokenSession.period))
        .order_by(BrokenSession.start)
    )
    return list(db.session.scalars(query))


def breaks_of_facilitator(breaks: list[Break], facilitator: Facilitator) -> list[Break]:
    """The breaks among ``breaks`` that are sessions ``facilitator`` teaches."""
    return [item for item in breaks if item.facilitator_id == facilitator.id]
