"""Readers shared by several parts of a problem document: [min, max] ranges, lists of names,
local intervals, daily ranges and weekly availability patterns."""

from __future__ import annotations

from datetime import time
from typing import Any

from solver.fields import Reader, is_text, join
from solver.problem import WEEKDAYS, Availability, LocalInterval


def clock_time(minutes: int) -> time:
    """Minutes after midnight as a ``time``; 1440 ("24:00") becomes 00:00 of the next day."""
    return time(minutes // 60 % 24, minutes % 60)


def clock_text(minutes: int) -> str:
    """Minutes after midnight as "HH:MM" ("24:00" for the end of the day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def read_range(
    r: Reader, value: Any, path: str, minimum: int, unit: str, maximum: int
) -> tuple[int, int] | None:
    """A ``[min, max]`` pair of whole numbers from ``minimum`` to ``maximum``, ``min <= max``."""
    items = r.items(value, path)
    if items is None:
        return None
    if len(items) != 2:
        r.error(path, f"must be a [minimum, maximum] pair, not {len(items)} values")
        return None
    low, high = (r.whole(v, join(path, k), minimum, maximum=maximum) for k, v in enumerate(items))
    if low is None or high is None:
        return None
    if low > high:
        r.error(path, f"minimum {low} {unit} is greater than maximum {high} {unit}")
        return None
    return low, high


def read_names(r: Reader, value: Any, path: str) -> tuple[str, ...] | None:
    """A list of distinct non-empty strings (learner ids, tags, skills)."""
    if _plain_names(value):
        return tuple(value)
    names = r.list_of(r.text)(value, path)
    if names is None:
        return None
    seen: dict[str, int] = {}
    for k, name in enumerate(names):
        if name in seen:
            r.error(join(path, k), f"'{name}' is listed twice (also at {join(path, seen[name])})")
        seen.setdefault(name, k)
    return tuple(names)


def _plain_names(value: Any) -> bool:
    """Whether ``value`` is a list that ``read_names`` accepts without an error: checked in one
    pass, since the JSON path of each name is only needed to report one (a period of 51,000
    learners spent a tenth of a second making paths no error used)."""
    return (
        isinstance(value, list) and all(is_text(v) for v in value) and len(set(value)) == len(value)
    )


def read_intervals(r: Reader, value: Any, path: str) -> tuple[LocalInterval, ...] | None:
    """A list of local ``[start, end]`` intervals, each ending after it starts."""
    items = r.items(value, path)
    if items is None:
        return None
    out: list[LocalInterval] = []
    for k, item in enumerate(items):
        here = join(path, k)
        pair = r.items(item, here)
        if pair is None:
            continue
        if len(pair) != 2:
            r.error(here, f"must be a [start, end] pair, not {len(pair)} values")
            continue
        start, end = (r.local_datetime(v, join(here, j)) for j, v in enumerate(pair))
        if start is None or end is None:
            continue
        if end <= start:
            r.error(here, f"end {pair[1]} is not after start {pair[0]}")
            continue
        out.append(LocalInterval(start, end))
    return tuple(out) if len(out) == len(items) else None


def read_day_range(r: Reader, value: Any, path: str) -> tuple[time, time] | None:
    """A daily ``["09:00", "17:00"]`` range; "24:00" may end it."""
    pair = r.items(value, path)
    if pair is None:
        return None
    if len(pair) != 2:
        r.error(path, f"must be a [from, to] pair, not {len(pair)} values")
        return None
    start, end = (r.clock(v, join(path, k)) for k, v in enumerate(pair))
    if start is None or end is None:
        return None
    if end <= start:
        r.error(path, f"end {clock_text(end)} is not after start {clock_text(start)}")
        return None
    return clock_time(start), clock_time(end)


def read_weekly(
    r: Reader, value: Any, path: str
) -> dict[int, tuple[tuple[time, time], ...]] | None:
    """A weekly pattern ``{"mon": [["09:00", "12:00"]], ...}`` keyed by weekday number."""
    obj = r.obj(value, path, WEEKDAYS)
    if obj is None:
        return None
    out: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, ranges in obj.items():
        if day not in WEEKDAYS:
            continue
        read = r.list_of(lambda v, p: read_day_range(r, v, p))
        parsed = read(ranges, join(path, day))
        if parsed is None:
            return None
        if parsed:
            out[WEEKDAYS.index(day)] = tuple(parsed)
    return out


def read_availability(
    r: Reader, obj: dict[str, Any], path: str, reluctant: bool
) -> Availability | None:
    """Weekly, available and unavailable windows (plus if_need_be for facilitators)."""
    weekly = r.field(obj, "weekly", path, lambda v, p: read_weekly(r, v, p), default={})
    intervals = {
        key: r.field(obj, key, path, lambda v, p: read_intervals(r, v, p), default=())
        for key in ("available", "unavailable") + (("if_need_be",) if reluctant else ())
    }
    if weekly is None or None in intervals.values():
        return None
    return Availability(weekly=weekly, **intervals)
