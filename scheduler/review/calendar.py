"""Reads of the review calendar: a version's sessions as FullCalendar events for one visible
range and one choice of facilitator, room, site and program, the programs' colours and the
choices of the filters.

The page itself carries no events: FullCalendar asks ``events.json`` for the range it shows
(``start`` and ``end``), so a page with a thousand sessions weighs what a page with ten does.
The grid shows one time zone, each event its site's (``scheduler.review.zones`` says why).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from scheduler.extensions import db
from scheduler.models import (
    Facilitator,
    Learner,
    Program,
    Room,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionCohort,
    SectionSeat,
    SessionPin,
)
from scheduler.planning.versions import problem_of
from scheduler.review.zones import local_times
from scheduler.sorting import natural_key, naturally

#: Program colours (background, text): distinct at a glance and readable with their text colour
#: (contrast of at least 4.5:1). Programs beyond the twelfth reuse them in order.
PALETTE = (
    ("#1f5f99", "#ffffff"),
    ("#b8420f", "#ffffff"),
    ("#2e7d32", "#ffffff"),
    ("#7b1fa2", "#ffffff"),
    ("#00695c", "#ffffff"),
    ("#ad1457", "#ffffff"),
    ("#f2c14e", "#1a1a1a"),
    ("#5d4037", "#ffffff"),
    ("#8ecae6", "#1a1a1a"),
    ("#c5e1a5", "#1a1a1a"),
    ("#455a64", "#ffffff"),
    ("#ffab91", "#1a1a1a"),
)

VIRTUAL = "virtual"
NO_ROOM = "none"


@dataclass(frozen=True)
class Chosen:
    """What the calendar shows: a local date range (end excluded) in the grid's time zone
    ``zone`` (None: the period's) and at most one facilitator, room, site and program (None:
    every one). ``room`` may be ``NO_ROOM`` and ``site`` ``VIRTUAL`` (virtual sessions have
    neither)."""

    start: date | None = None
    end: date | None = None
    facilitator: int | None = None
    room: int | str | None = None
    site: int | str | None = None
    program: int | None = None
    zone: str | None = None


def program_colours() -> dict[int, tuple[str, str]]:
    """(background, text) colour of every program by id: its place in the natural order of
    the programs' keys, so a program keeps its colour in every range, filter and version."""
    keys = db.session.execute(select(Program.id, Program.key)).all()
    ordered = naturally(keys, key=lambda row: row.key)
    return {row.id: PALETTE[place % len(PALETTE)] for place, row in enumerate(ordered)}


def sessions_in(version: ScheduleVersion, chosen: Chosen) -> list[ScheduledSession]:
    """The version's sessions that overlap ``chosen``'s range and match its filters, with
    everything an event shows loaded (a fixed number of queries)."""
    zone = ZoneInfo(chosen.zone or version.period.timezone)
    query = (
        select(ScheduledSession)
        .join(ScheduledSession.section)
        .outerjoin(ScheduledSession.room)
        .where(ScheduledSection.version_id == version.id)
        .options(
            contains_eager(ScheduledSession.section).options(
                selectinload(ScheduledSection.program),
                selectinload(ScheduledSection.cohorts).selectinload(SectionCohort.cohort),
            ),
            contains_eager(ScheduledSession.room).selectinload(Room.site),
            selectinload(ScheduledSession.facilitator).selectinload(Facilitator.user),
        )
    )
    if chosen.start is not None:
        query = query.where(ScheduledSession.end > _local_midnight(chosen.start, zone))
    if chosen.end is not None:
        query = query.where(ScheduledSession.start < _local_midnight(chosen.end, zone))
    if chosen.facilitator is not None:
        query = query.where(ScheduledSession.facilitator_id == chosen.facilitator)
    if chosen.room == NO_ROOM:
        query = query.where(ScheduledSession.room_id.is_(None))
    elif chosen.room is not None:
        query = query.where(ScheduledSession.room_id == chosen.room)
    if chosen.site == VIRTUAL:
        query = query.where(ScheduledSession.room_id.is_(None))
    elif chosen.site is not None:
        query = query.where(Room.site_id == chosen.site)
    if chosen.program is not None:
        query = query.where(ScheduledSection.program_id == chosen.program)
    return list(db.session.scalars(query).unique())


def calendar_events(version: ScheduleVersion, chosen: Chosen = Chosen()) -> list[dict]:
    """The sessions ``chosen`` selects as FullCalendar events placed in the wall-clock time of
    the grid's zone (``chosen.zone``, else the period's), ordered by start and then by section
    in natural order (S2 before S10). Each also carries its time in its site's zone, named
    (``extendedProps.local``; a virtual session's in the grid's zone), which its text shows.

    FullCalendar can only show named zones with a date library plugin; instead the times are
    sent as the grid zone's local wall-clock time without an offset and the calendar is told to
    treat them as UTC ("floating"), so it shows them exactly as written whatever the browser's
    zone, even on days the browser's own clocks change.
    """
    zone = ZoneInfo(chosen.zone or version.period.timezone)
    colours = program_colours()
    pins = _pins(version)
    sessions = sessions_in(version, chosen)
    counts = _session_counts({session.section_id for session in sessions})
    events = [
        _event(
            session,
            zone,
            colours,
            counts[session.section_id],
            pins.get((session.section.key, session.position)),
        )
        for session in sessions
    ]
    return sorted(
        events, key=lambda e: (e["start"], natural_key(e["extendedProps"]["section"]), e["title"])
    )


def _session_counts(section_ids: set[int]) -> dict[int, int]:
    """How many sessions each of these sections has (one query, not one per section)."""
    rows = db.session.execute(
        select(ScheduledSession.section_id, func.count())
        .where(ScheduledSession.section_id.in_(section_ids))
        .group_by(ScheduledSession.section_id)
    )
    return dict(rows.all())


def _event(session, zone: ZoneInfo, colours: dict, count: int, pin: SessionPin | None) -> dict:
    section = session.section
    _, site_name = site_of(session)
    facilitator = session.facilitator
    background, text = colours.get(section.program_id, PALETTE[0])
    # Where the session happens, its site's wall clock; a virtual one happens wherever each
    # person is, so it reads in the zone the grid shows (and says so).
    local = local_times(
        session.start, session.end, session.room.site.timezone if session.room else zone.key
    )
    local["virtual"] = session.room is None
    return {
        "id": str(session.id),
        "title": f"{section.program.name} · {section.key} ({session.position + 1})",
        "start": _wall_clock(session.start, zone),
        "end": _wall_clock(session.end, zone),
        "backgroundColor": background,
        "borderColor": background,
        "textColor": text,
        "extendedProps": {
            "section": section.key,
            "session": f"{session.position + 1} of {count}",
            "program": section.program.name,
            "cohorts": [
                f"{part.cohort.key} ({part.learners})"
                for part in naturally(section.cohorts, key=lambda part: part.cohort.key)
            ],
            "learners": sum(part.learners for part in section.cohorts),
            "facilitator": facilitator.name if facilitator else "No facilitator",
            "room": session.room.name if session.room else "Virtual",
            "site": site_name,
            "local": local,
            "pinned": ("locked" if pin.locked else "pinned") if pin else None,
            "links": _links(session),
        },
    }


def _links(session: ScheduledSession) -> dict[str, str]:
    """Where the side panel's actions go (the adjustments area owns moves, pins and locks)."""
    return {
        "details": url_for(
            "review.session_details", version_id=session.section.version_id, session_id=session.id
        ),
        "alternatives": url_for("adjustments.move", session_id=session.id),
        "pin": url_for("adjustments.pin", session_id=session.id),
        "lock": url_for("adjustments.lock", session_id=session.id),
    }


def _pins(version: ScheduleVersion) -> dict[tuple[str, int], SessionPin]:
    pins = db.session.scalars(select(SessionPin).where(SessionPin.period_id == version.period_id))
    return {(pin.section_key, pin.position): pin for pin in pins}


def learner_names(version: ScheduleVersion, session_id: int) -> list[str] | None:
    """The names of the learners seated in the session's section, in natural order; None when
    the session is not one of ``version``'s (so an id from another version reveals nothing)."""
    section_id = db.session.scalar(
        select(ScheduledSession.section_id)
        .join(ScheduledSession.section)
        .where(ScheduledSession.id == session_id, ScheduledSection.version_id == version.id)
    )
    if section_id is None:
        return None
    names = db.session.scalars(
        select(Learner.name)
        .join(SectionSeat, SectionSeat.learner_id == Learner.id)
        .where(SectionSeat.section_id == section_id)
    )
    return naturally(names)


def site_of(session: ScheduledSession) -> tuple[str, str]:
    """(filter value, name) of where a session takes place; virtual sessions have no site."""
    if session.room is None:
        return VIRTUAL, "Virtual (no room)"
    return f"site-{session.room.site_id}", session.room.site.name


def closed_day_events(version: ScheduleVersion, chosen: Chosen = Chosen()) -> list[dict]:
    """The public holidays and closures the solver kept clear, in ``chosen``'s range, as
    FullCalendar background events (one per site and day), from the version's own problem
    document: what this plan honoured, not what the sites say today. A filter keeps a site's
    days when it names that site, one of its rooms or a facilitator based there (a program
    filter keeps every site's)."""
    problem = problem_of(version)
    filters = defaultdict(list)
    for room in problem.get("rooms", []):
        filters[room["site"]].append(f"room-{room['x-id']}")
    for facilitator in problem.get("facilitators", []):
        if facilitator.get("site"):
            filters[facilitator["site"]].append(f"facilitator-{facilitator['x-id']}")
    wanted = [
        f"{name}-{value}"
        for name, value in (
            ("site", chosen.site),
            ("room", chosen.room),
            ("facilitator", chosen.facilitator),
        )
        if value is not None
    ]
    events = []
    for site in problem.get("x-closed-days", []):
        site_filters = [f"site-{site['x-id']}", *filters[site["site"]]]
        if any(value not in site_filters for value in wanted):
            continue
        for day, name in site["days"].items():
            local = date.fromisoformat(day)
            if chosen.start is not None and local < chosen.start:
                continue
            if chosen.end is not None and local >= chosen.end:
                continue
            events.append(
                {
                    "id": f"closed-{site['site']}-{day}",
                    "title": f"{name} · {site['name']}",
                    "start": day,
                    "end": (local + timedelta(days=1)).isoformat(),
                    "allDay": True,
                    "display": "background",
                    "classNames": ["closed-day"],
                    "extendedProps": {"closed": True, "filters": site_filters},
                }
            )
    return events


def _wall_clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)


# --- the page around the calendar ----------------------------------------------------------------


def calendar_choices(version: ScheduleVersion) -> dict[str, list[tuple[str, str]]]:
    """The choices of the calendar's four filters, (value, name) in natural order of the names:
    the facilitators, rooms, sites and programs of the version's sessions."""
    rows = db.session.execute(
        select(
            ScheduledSession.facilitator_id,
            ScheduledSession.room_id,
            ScheduledSection.program_id,
        )
        .join(ScheduledSession.section)
        .where(ScheduledSection.version_id == version.id)
        .distinct()
    ).all()
    facilitator_ids = {r.facilitator_id for r in rows if r.facilitator_id is not None}
    room_ids = {r.room_id for r in rows if r.room_id is not None}
    program_ids = {r.program_id for r in rows}
    facilitators = db.session.scalars(
        select(Facilitator)
        .where(Facilitator.id.in_(facilitator_ids))
        .options(selectinload(Facilitator.user))
    )
    rooms = list(
        db.session.scalars(
            select(Room).where(Room.id.in_(room_ids)).options(selectinload(Room.site))
        )
    )
    programs = db.session.scalars(select(Program).where(Program.id.in_(program_ids)))
    sites = {str(room.site_id): room.site.name for room in rooms}
    if any(r.room_id is None for r in rows):
        sites[VIRTUAL] = "Virtual (no room)"
    return {
        "facilitator": _by_name((str(f.id), f.name) for f in facilitators),
        "room": _by_name((str(r.id), f"{r.name} ({r.site.name})") for r in rooms),
        "site": _by_name(sites.items()),
        "program": _by_name((str(p.id), p.name) for p in programs),
    }


def legend(version: ScheduleVersion) -> list[tuple[str, str, str]]:
    """(program name, background, text colour) of each of the version's programs."""
    colours = program_colours()
    programs = db.session.scalars(
        select(Program).where(
            Program.id.in_(
                select(ScheduledSection.program_id).where(ScheduledSection.version_id == version.id)
            )
        )
    )
    return [(p.name, *colours[p.id]) for p in naturally(programs, key=lambda p: p.name)]


def _by_name(choices) -> list[tuple[str, str]]:
    return naturally(choices, key=lambda item: item[1])


def first_day(version: ScheduleVersion) -> str:
    """The local date the calendar opens at: the first session's, else the period's start."""
    first = db.session.scalar(
        select(ScheduledSession.start)
        .join(ScheduledSession.section)
        .where(ScheduledSection.version_id == version.id)
        .order_by(ScheduledSession.start)
        .limit(1)
    )
    if first is None:
        return version.period.start.isoformat()
    return first.astimezone(ZoneInfo(version.period.timezone)).date().isoformat()
