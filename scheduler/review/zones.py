"""Reads of the review calendar's time zones: which zone the grid shows, the zones it may show,
and each session's time in its own site's zone with the zone named.

One calendar grid has one time zone, but a plan's sites may lie in several: a 09:00 session in
New York and a 09:00 session in London cannot both sit at 09:00 on one grid without the grid
lying about which happens first. So the grid shows every session at its true instant in one
zone the coordinator picks (the period's by default: the zone the plan was made in), and each
event's text and side panel give the session's time where it happens: its site's wall clock
with the zone named ("09:00–11:00 America/New_York (EDT)"). A virtual session has no site; it is
labelled in the grid's zone and says so.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Room, ScheduledSection, ScheduledSession, ScheduleVersion, Site


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def shown_zone(version: ScheduleVersion, asked: str | None) -> str:
    """The zone the grid shows: ``asked`` when it is a time zone name (the coordinator's choice,
    their browser's zone among them), else the period's."""
    if asked and asked in _known_zones():
        return asked
    return version.period.timezone


def zone_choices(version: ScheduleVersion) -> list[tuple[str, str]]:
    """(zone, label) of the zones the grid may show: the period's first (the default), then
    each other zone of the sites the version's sessions use, with those sites' names."""
    rows = db.session.execute(
        select(Site.timezone, Site.name)
        .join(Room, Room.site_id == Site.id)
        .join(ScheduledSession, ScheduledSession.room_id == Room.id)
        .join(ScheduledSession.section)
        .where(ScheduledSection.version_id == version.id)
        .distinct()
    ).all()
    period_zone = version.period.timezone
    sites: dict[str, list[str]] = {}
    for zone, name in rows:
        sites.setdefault(zone, []).append(name)
    here = sorted(sites.pop(period_zone, []))
    choices = [(period_zone, _label(period_zone, ["the period's zone", *here]))]
    choices += [(zone, _label(zone, sorted(names))) for zone, names in sorted(sites.items())]
    return choices


def _label(zone: str, what: list[str]) -> str:
    return f"{zone} ({', '.join(what)})"


def abbreviation(instant: datetime, zone: ZoneInfo) -> str:
    """The zone's abbreviation at ``instant`` ("GMT", "EDT"); zones without one (their
    database entry is an offset such as "+04") read "UTC+04"."""
    name = instant.astimezone(zone).tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" and name else name


def local_times(start: datetime, end: datetime, zone_name: str) -> dict[str, str]:
    """A session's date and times in ``zone_name``, with the zone named: ``date``
    ("2027-03-16"), ``time`` ("09:00–11:00 America/New_York (EDT)"; an end on a later day says
    so), ``zone``, and for a month's small cells ``short`` ("09:00 EDT")."""
    zone = ZoneInfo(zone_name)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    until = f"{local_end:%H:%M}"
    if local_end.date() != local_start.date():
        until += f" on {local_end.date().isoformat()}"
    named = abbreviation(start, zone)
    suffix = f" ({named})" if named and named != zone_name else ""
    return {
        "date": local_start.date().isoformat(),
        "time": f"{local_start:%H:%M}–{until} {zone_name}{suffix}",
        "zone": zone_name,
        "short": f"{local_start:%H:%M} {named or zone_name}",
    }
