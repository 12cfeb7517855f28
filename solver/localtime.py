"""Local wall-clock windows for validation and the checker, computed straight from the problem.

This module deliberately does not use ``solver.timegrid``: the checker must re-derive every rule on
its own, so a mistake in the model's time axis cannot hide itself. Windows here are naive local
datetimes in their owner's zone; an instant is compared with them after converting it to that zone
with ``zoneinfo``, which is what keeps a weekly 09:00 at 09:00 local on both sides of a DST change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from solver.problem import AttendanceHours, Availability, LocalInterval

Window = tuple[datetime, datetime]


@cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` of an IANA name, cached because the checker converts many instants."""
    return ZoneInfo(name)


def to_local(instant: datetime, tz: str) -> datetime:
    """The naive local wall-clock time of an aware instant in zone ``tz``."""
    return instant.astimezone(zone(tz)).replace(tzinfo=None)


def local_text(instant: datetime, tz: str) -> str:
    """An instant as people read it: "Tue 2027-01-05 09:00 Europe/London"."""
    return f"{to_local(instant, tz):%a %Y-%m-%d %H:%M} {tz}"


def local_span(start: datetime, end: datetime, tz: str) -> str:
    """A session's time as people read it: "Tue 2027-01-05 09:00–12:00 Europe/London"."""
    first, last = to_local(start, tz), to_local(end, tz)
    until = f"{last:%H:%M}" if last.date() == first.date() else f"{last:%a %Y-%m-%d %H:%M}"
    return f"{first:%a %Y-%m-%d %H:%M}–{until} {tz}"


def on_slot_grid(instant: datetime, tz: str, slot_minutes: int) -> bool:
    """Whether an instant is a whole multiple of ``slot_minutes`` after local midnight in ``tz``.

    Elapsed real minutes are counted, as on the engine's grid: on a DST change day the slots
    keep their length and the wall-clock labels shift with the change."""
    local_day = to_local(instant, tz).date()
    midnight = datetime.combine(local_day, time(), tzinfo=zone(tz))
    # Subtract in UTC: two datetimes sharing one tzinfo subtract as wall clocks, ignoring DST.
    elapsed = instant.astimezone(UTC) - midnight.astimezone(UTC)
    whole, rest = divmod(elapsed, timedelta(minutes=1))
    return not rest and whole % slot_minutes == 0


def daily_window(day: date, start: time, end: time) -> Window:
    """A daily range on ``day``; an end at or before the start ("24:00" is stored as 00:00) is on
    the next day."""
    end_day = day if end > start else day + timedelta(days=1)
    return datetime.combine(day, start), datetime.combine(end_day, end)


def days_between(first: date, last: date) -> list[date]:
    """Every calendar day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def merge(windows: Iterable[Window]) -> list[Window]:
    """Sort windows, drop empty ones and join those that overlap or touch."""
    out: list[Window] = []
    for start, end in sorted(w for w in windows if w[1] > w[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(windows: list[Window], removed: list[Window]) -> list[Window]:
    """The parts of merged ``windows`` that no window of merged ``removed`` covers."""
    out: list[Window] = []
    for start, end in windows:
        cursor = start
        for r_start, r_end in removed:
            if r_end <= cursor or r_start >= end:
                continue
            if r_start > cursor:
                out.append((cursor, r_start))
            cursor = max(cursor, r_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def covers(windows: Iterable[Window], start: datetime, end: datetime) -> bool:
    """Whether ``[start, end)`` lies inside a single window of a merged list."""
    return any(w_start <= start and end <= w_end for w_start, w_end in windows)


def touches(windows: Iterable[Window], start: datetime, end: datetime) -> bool:
    """Whether ``[start, end)`` shares at least a moment with one of the windows."""
    return any(w_start < end and start < w_end for w_start, w_end in windows)


def intervals(items: Iterable[LocalInterval]) -> list[Window]:
    """One-off local intervals as merged windows."""
    return merge((item.start, item.end) for item in items)


def weekly_windows(
    weekly: Mapping[int, Iterable[tuple[time, time]]], first: date, last: date
) -> list[Window]:
    """A weekly pattern (weekday 0 = Monday) laid out over the days ``first``..``last``."""
    return merge(
        daily_window(day, start, end)
        for day in days_between(first, last)
        for start, end in weekly.get(day.weekday(), ())
    )


def bookable_windows(availability: Availability, first: date, last: date) -> list[Window]:
    """When a facilitator or room can be booked between two local dates.

    Weekly plus available plus if_need_be, minus unavailable; the whole period when neither
    weekly nor available is given. Days are widened by one on each side so that a window running
    over midnight at either end is complete."""
    first, last = first - timedelta(days=1), last + timedelta(days=1)
    if availability.always:
        base = [
            (datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time()))
        ]
    else:
        base = weekly_windows(availability.weekly, first, last) + intervals(availability.available)
    base = merge(base + intervals(availability.if_need_be))
    return subtract(base, intervals(availability.unavailable))


def attendance_windows(hours: AttendanceHours, first: date, last: date) -> list[Window]:
    """When a cohort can attend between two local dates (widened by a day on each side)."""
    pattern = {day: ((hours.start, hours.end),) for day in hours.days}
    return weekly_windows(pattern, first - timedelta(days=1), last + timedelta(days=1))


def minutes(window: Window) -> int:
    """Length of a local window in wall-clock minutes."""
    return int((window[1] - window[0]).total_seconds() // 60)
