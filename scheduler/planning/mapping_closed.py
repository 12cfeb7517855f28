"""Public holidays and closures in the solver problem (part of ``scheduler.planning.mapping``).

Closed days (``scheduler.sites.closed_days``) become ``unavailable`` windows, whole local days
at the site they belong to: a room's site's holidays and closures close the room; a cohort's
site's holidays and the organisation's closures close the cohort, virtual sessions too; a
facilitator's home site's holidays and the organisation's closures close the facilitator. The
closed days also travel as ``x-closed-days`` (per site at the top level, per cohort on its entry)
for the data check and the review calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from scheduler.models import Room, Site
from scheduler.sites.closed_days import ClosedDays, ClosedDaysBySite, day_ranges

if TYPE_CHECKING:
    from scheduler.planning.mapping import CohortRow, FacilitatorRow

T = TypeVar("T")


def close_room(entry: dict, room: Room, closed: ClosedDaysBySite) -> dict:
    """Add its site's holidays and closures, and the organisation's, to a room's windows."""
    site, zone = room.site_id, room.site.timezone
    windows = _once(
        closed, ("room", site, zone), lambda: _closed_intervals(closed.of_site(site), zone, zone)
    )
    entry["unavailable"] += [list(window) for window in windows]
    return entry


def close_cohort(entry: dict, cohort: CohortRow, closed: ClosedDaysBySite) -> dict:
    """Add its site's public holidays and the organisation's closures to a cohort's blocked
    periods: its learners are off, whether the session is in person or not. A closure of the
    site alone (a refit) only closes the rooms."""
    zone = cohort.site_timezone if cohort.site_id is not None else cohort.timezone

    def closed_windows() -> tuple[list[list[str]], dict[str, str]]:
        days = closed.of_site(cohort.site_id, with_site_closures=False)
        named = {day.isoformat(): name for day, name in days.items()}
        return _closed_intervals(days, zone, cohort.timezone), named

    key = ("cohort", cohort.site_id, zone, cohort.timezone)
    windows, named = _once(closed, key, closed_windows)
    entry["unavailable"] += [list(window) for window in windows]
    if named:
        entry["x-closed-days"] = dict(named)
    return entry


def close_facilitator(entry: dict, facilitator: FacilitatorRow, closed: ClosedDaysBySite) -> dict:
    """Add their home site's public holidays and the organisation's closures to a
    facilitator's unavailable windows (no home site: the closures, in their own zone)."""
    zone = facilitator.site_timezone if facilitator.site_id is not None else facilitator.timezone

    def closed_windows() -> list[list[str]]:
        days = closed.of_site(facilitator.site_id, with_site_closures=False)
        return _closed_intervals(days, zone, facilitator.timezone)

    key = ("facilitator", facilitator.site_id, zone, facilitator.timezone)
    windows = _once(closed, key, closed_windows)
    entry["unavailable"] += [list(window) for window in windows]
    return entry


def _once(closed: ClosedDaysBySite, key: tuple, work_out: Callable[[], T]) -> T:
    """``work_out()``, kept in ``closed.memo`` under ``key``: the closed windows are the same for
    every owner of a site and zone (thousands of cohorts, facilitators and rooms share a few
    dozen). Each caller copies what it adds to an entry."""
    if key not in closed.memo:
        closed.memo[key] = work_out()
    return closed.memo[key]


def site_closed_days(sites: list[Site], closed: ClosedDaysBySite, start: date, end: date) -> list:
    """``x-closed-days``: each site's closed days within the period, for the review calendar."""
    out = []
    for site in sites:
        days = {d: name for d, name in closed.of_site(site.id).items() if start <= d <= end}
        if days:
            out.append(
                {
                    "site": site.key,
                    "x-id": site.id,
                    "name": site.name,
                    "days": {day.isoformat(): name for day, name in days.items()},
                }
            )
    return out


def _closed_intervals(days: ClosedDays, day_zone: str, owner_zone: str) -> list[list[str]]:
    """Closed days, local dates in ``day_zone``, as whole-day intervals in ``owner_zone``'s
    wall-clock time: local midnight to midnight at the site, whatever length DST makes it."""
    zone = ZoneInfo(day_zone)
    instants = [
        (
            datetime.combine(first, time(), zone).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC),
        )
        for first, last in day_ranges(days)
    ]
    return local_intervals(instants, owner_zone)


# --- local wall-clock time ---------------------------------------------------------------------


def local_intervals(
    intervals: Iterable[tuple[datetime, datetime]], timezone: str
) -> list[list[str]]:
    """UTC intervals as ``[["2027-07-05T09:00", "2027-07-05T12:00"], ...]`` local to ``timezone``.

    Local wall-clock time repeats an hour when clocks go back: an interval lying wholly inside
    that hour would end before it starts in local time and is left out (the format has no way
    to say which of the two 01:30s is meant).
    """
    zone = ZoneInfo(timezone)
    out = []
    for start, end in intervals:
        first, last = wall_clock_text(start, zone), wall_clock_text(end, zone)
        if last > first:  # texts of one width: in the order of the wall-clock times
            out.append([first, last])
    return out


def wall_clock_text(instant: datetime, zone: ZoneInfo) -> str:
    """The local time of an instant to the minute (the format's precision), as
    "2027-07-05T09:00": the offset is cut off the ISO text (half the time of dropping the zone
    and seconds from the time and formatting that: 4 against 8 microseconds)."""
    return instant.astimezone(zone).isoformat(timespec="minutes")[:16]
