"""Reads of the review area: a version with its rows, its costs, its calendar and its diff.

A version is loaded once with everything its pages show (sections, cohorts, seats, sessions,
facilitators, rooms and sites) so that a page costs a fixed number of queries however large
the schedule is.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import (
    Facilitator,
    PlanningPeriod,
    Room,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionCohort,
    SectionSeat,
    VersionStatus,
)
from scheduler.planning.versions import problem_of
from scheduler.review.diff import Diff, Person, Session, diff

#: The cost items of the schedule document, in the order and words the page uses.
COST_ITEMS = (
    ("facilitators", "Facilitators"),
    ("travel", "Travel"),
    ("rooms", "Rooms"),
    ("seats", "Seats"),
    ("preferences", "If-need-be hours"),
    ("unscheduled", "Learners left out"),
    ("changes", "Changes to the published plan"),
)

_ROWS = (
    selectinload(ScheduleVersion.period),
    selectinload(ScheduleVersion.sections).selectinload(ScheduledSection.program),
    selectinload(ScheduleVersion.sections)
    .selectinload(ScheduledSection.cohorts)
    .selectinload(SectionCohort.cohort),
    selectinload(ScheduleVersion.sections)
    .selectinload(ScheduledSection.seats)
    .selectinload(SectionSeat.learner),
    selectinload(ScheduleVersion.sections)
    .selectinload(ScheduledSection.sessions)
    .selectinload(ScheduledSession.facilitator)
    .selectinload(Facilitator.user),
    selectinload(ScheduleVersion.sections)
    .selectinload(ScheduledSection.sessions)
    .selectinload(ScheduledSession.room)
    .selectinload(Room.site),
)


def load_version(version_id: int) -> ScheduleVersion | None:
    """The version with all the rows its pages show, or None."""
    return db.session.get(ScheduleVersion, version_id, options=_ROWS)


def published_with_rows(period: PlanningPeriod) -> ScheduleVersion | None:
    """The period's published version with all its rows, or None."""
    return db.session.scalar(
        select(ScheduleVersion)
        .where(
            ScheduleVersion.period_id == period.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
        )
        .options(*_ROWS)
    )


# --- costs and solver status ---------------------------------------------------------------------


def cost_lines(schedule: dict) -> list[tuple[str, float]]:
    """(label, amount) of each cost item; items that are zero in both meaning and amount drop out."""
    cost = schedule["cost"]
    always = {"facilitators", "travel", "rooms", "seats"}
    return [
        (label, cost.get(key, 0.0))
        for key, label in COST_ITEMS
        if key in always or cost.get(key, 0.0)
    ]


def against_greedy(total: float, greedy: float | None) -> str | None:
    """How the plan compares with the greedy plan of the same problem, in words; None if unknown."""
    if not greedy:
        return None
    change = (greedy - total) / greedy * 100
    if round(change, 1) == 0:
        return "the same cost as the greedy plan"
    side = "below" if change > 0 else "above"
    return f"{abs(change):.1f}% {side} the greedy plan"


def solver_summary(schedule: dict) -> dict:
    """Status, proven bound and gap as the page words them."""
    solver = schedule.get("solver") or {}
    status = schedule["status"]
    return {
        "status": status,
        "meaning": {
            "optimal": "proven optimal: no cheaper schedule exists",
            "feasible": "a valid schedule, not proven to be the cheapest",
        }.get(status, "no schedule"),
        "bound": schedule.get("lower_bound", solver.get("bound")),
        "gap": solver.get("gap"),
        "seconds": solver.get("wall_seconds"),
    }


# --- sections and learners left out --------------------------------------------------------------


def unscheduled(version: ScheduleVersion, schedule: dict) -> list[dict]:
    """Each cohort with learners left out: its name, how many, and the solver's reasons."""
    names = {c["id"]: c.get("name") or c["id"] for c in problem_of(version)["cohorts"]}
    return [
        {
            "cohort": names.get(entry["cohort"], entry["cohort"]),
            "learners": entry["learners"],
            "reasons": entry.get("reasons", []),
        }
        for entry in schedule.get("unscheduled", [])
    ]


def learners_in(version: ScheduleVersion) -> int:
    return sum(part.learners for section in version.sections for part in section.cohorts)


# --- the calendar --------------------------------------------------------------------------------


def site_of(session: ScheduledSession) -> tuple[str, str]:
    """(filter value, name) of where a session takes place; virtual sessions have no site."""
    if session.room is None:
        return "virtual", "Virtual (no room)"
    return f"site-{session.room.site_id}", session.room.site.name


def calendar_events(version: ScheduleVersion) -> list[dict]:
    """The sessions as FullCalendar events, in the period's wall-clock time.

    FullCalendar can only show named zones with a date library plugin; instead the times are
    sent as the period's local wall-clock time without an offset and the calendar is told to
    treat them as UTC ("floating"), so it shows them exactly as written whatever the browser's
    zone, even on days the browser's own clocks change.
    """
    zone = ZoneInfo(version.period.timezone)
    events = []
    for section in version.sections:
        for session in section.sessions:
            site_value, site_name = site_of(session)
            facilitator = session.facilitator
            events.append(
                {
                    "id": str(session.id),
                    "title": f"{section.program.name} · {section.key} ({session.position + 1})",
                    "start": _wall_clock(session.start, zone),
                    "end": _wall_clock(session.end, zone),
                    "extendedProps": {
                        "facilitator": facilitator.name if facilitator else "No facilitator",
                        "room": session.room.name if session.room else "Virtual",
                        "site": site_name,
                        "filters": [
                            f"facilitator-{session.facilitator_id}",
                            f"room-{session.room_id}" if session.room_id else "room-none",
                            site_value,
                        ],
                    },
                }
            )
    return sorted(events, key=lambda e: (e["start"], e["title"]))


def closed_day_events(version: ScheduleVersion) -> list[dict]:
    """The public holidays and closures the solver kept clear, as FullCalendar background
    events (one per site and day), from the version's own problem document: what this plan
    honoured, not what the sites say today. Their filters are the site's, its rooms' and its
    facilitators', so the "Show" list keeps a site's closed days with its sessions."""
    problem = problem_of(version)
    filters = defaultdict(list)
    for room in problem.get("rooms", []):
        filters[room["site"]].append(f"room-{room['x-id']}")
    for facilitator in problem.get("facilitators", []):
        if facilitator.get("site"):
            filters[facilitator["site"]].append(f"facilitator-{facilitator['x-id']}")
    events = []
    for site in problem.get("x-closed-days", []):
        for day, name in site["days"].items():
            events.append(
                {
                    "id": f"closed-{site['site']}-{day}",
                    "title": f"{name} · {site['name']}",
                    "start": day,
                    "end": (date.fromisoformat(day) + timedelta(days=1)).isoformat(),
                    "allDay": True,
                    "display": "background",
                    "classNames": ["closed-day"],
                    "extendedProps": {
                        "closed": True,
                        "filters": [f"site-{site['x-id']}", *filters[site["site"]]],
                    },
                }
            )
    return events


def _wall_clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def calendar_filters(version: ScheduleVersion) -> dict[str, list[tuple[str, str]]]:
    """The choices of the calendar's "Show" list: (value, name) per facilitator, room and site."""
    facilitators, rooms, sites = {}, {}, {}
    for section in version.sections:
        for session in section.sessions:
            if session.facilitator is not None:
                facilitators[f"facilitator-{session.facilitator_id}"] = session.facilitator.name
            if session.room is not None:
                rooms[f"room-{session.room_id}"] = f"{session.room.name} ({session.room.site.name})"
            value, name = site_of(session)
            sites[value] = name
    return {
        "By facilitator": _by_name(facilitators),
        "By room": _by_name(rooms),
        "By site": _by_name(sites),
    }


def _by_name(choices: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(choices.items(), key=lambda item: item[1].casefold())


def first_day(version: ScheduleVersion) -> str:
    """The local date the calendar opens at: the first session's, else the period's start."""
    starts = [s.start for section in version.sections for s in section.sessions]
    if not starts:
        return version.period.start.isoformat()
    return min(starts).astimezone(ZoneInfo(version.period.timezone)).date().isoformat()


# --- the diff ------------------------------------------------------------------------------------


def sessions_of(version: ScheduleVersion | None) -> list[Session]:
    """The version's sessions as the diff compares them (no version: none)."""
    if version is None:
        return []
    out = []
    for section in version.sections:
        learners = frozenset(Person(seat.learner_id, seat.learner.name) for seat in section.seats)
        for session in section.sessions:
            facilitator = session.facilitator
            out.append(
                Session(
                    section=section.key,
                    position=session.position,
                    program=section.program.name,
                    start=session.start,
                    end=session.end,
                    facilitator=Person(facilitator.id, facilitator.name) if facilitator else None,
                    room=session.room.name if session.room else None,
                    learners=learners,
                )
            )
    return out


def diff_against_published(version: ScheduleVersion) -> tuple[ScheduleVersion | None, Diff]:
    """(the period's published version or None, what publishing ``version`` would change)."""
    published = published_with_rows(version.period)
    return published, diff(sessions_of(published), sessions_of(version))
