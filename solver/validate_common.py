"""Readers shared by several parts of a problem document: [min, max] ranges, lists of names,
local intervals, daily ranges and weekly availability patterns."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import time
from typing import Any, TypeVar

from solver.fields import Reader, is_text, join
from solver.limits import MAX_TEXT
from solver.problem import WEEKDAYS, Availability, LocalInterval

T = TypeVar("T")
_MISSING = object()


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
    if plain_names(value):
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


def plain_names(value: Any) -> bool:
    """Whether ``value`` is a list that ``read_names`` accepts without an error: checked in one
    pass, since the JSON path of each name is only needed to report one (a period of 51,000
    learners spent a tenth of a second making paths no error used)."""
    if not isinstance(value, list):
        return False
    if all_str(value):
        # What ``is_text`` asks of each name (not blank, at most MAX_TEXT characters), asked of
        # all at once in loops that run in C: a name at a time in Python was the largest part of
        # reading 10,000 cohorts (280,000 learner ids). Only for exact ``str``, all JSON gives.
        # No name is too long if all of them together are not (a sum is quicker than a max).
        texts = all(map(str.strip, value)) and (
            sum(map(len, value)) <= MAX_TEXT or max(map(len, value)) <= MAX_TEXT
        )
    else:
        texts = all(is_text(v) for v in value)
    return texts and len(set(value)) == len(value)


def all_str(values: Iterable[Any]) -> bool:
    """Whether every value is exactly a ``str`` (checked in C, without a Python call per value)."""
    return _ONLY_STR.issuperset(map(type, values))


_ONLY_STR = frozenset({str})


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


def plain_intervals(r: Reader, value: Any) -> tuple[LocalInterval, ...] | None:
    """``read_intervals`` of a list of [start, end] string pairs, each pair remembered: what
    ``read_intervals`` gives for a pair does not depend on the others."""
    if value is None:
        return ()
    if type(value) is not list:
        return None
    out = []
    for pair in value:
        if type(pair) is not list or len(pair) != 2 or not all_str(pair):
            return None
        one = remembered(r, ("interval", pair[0], pair[1]), read_intervals, [pair])
        if one is None:
            return None
        out.append(one[0])
    return tuple(out)


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


def _remembered_weekly(
    r: Reader, value: Any, path: str
) -> dict[int, tuple[tuple[time, time], ...]] | None:
    """``read_weekly``, read once per document for each plain pattern: the facilitators and rooms
    of a large organisation share a few dozen (1,750 facilitators read one by one: 0.3 s)."""
    found = remembered(r, _weekly_key(value), read_weekly, value)
    return dict(found) if found is not None else read_weekly(r, value, path)


def _weekly_key(value: Any) -> tuple | None:
    """A memo key for a weekly pattern of strings only, its days in their order; else None."""
    if type(value) is not dict or not all_str(value):
        return None
    days = []
    for day, ranges in value.items():
        if type(ranges) is not list:
            return None
        if not all(type(pair) is list and all_str(pair) for pair in ranges):
            return None
        days.append((day, tuple(tuple(pair) for pair in ranges)))
    return ("weekly", tuple(days))


def read_availability(
    r: Reader, obj: dict[str, Any], path: str, reluctant: bool
) -> Availability | None:
    """Weekly, available and unavailable windows (plus if_need_be for facilitators)."""
    weekly = r.field(obj, "weekly", path, lambda v, p: _remembered_weekly(r, v, p), default={})
    intervals = {
        key: r.field(obj, key, path, lambda v, p: _remembered_intervals(r, v, p), default=())
        for key in ("available", "unavailable") + (("if_need_be",) if reluctant else ())
    }
    if weekly is None or None in intervals.values():
        return None
    return Availability(weekly=weekly, **intervals)


def plain_availability(r: Reader, obj: dict[str, Any], reluctant: bool) -> Availability | None:
    """``read_availability`` of a pattern and windows of plain strings that it reads without an
    error (each remembered per document), else None; ``r.errors`` untouched."""
    weekly = obj.get("weekly")
    if weekly is not None:
        weekly = remembered(r, _weekly_key(weekly), read_weekly, weekly)
        if weekly is None:
            return None
    intervals = {}
    for key in ("available", "unavailable") + (("if_need_be",) if reluctant else ()):
        found = plain_intervals(r, obj.get(key))
        if found is None:
            return None
        intervals[key] = found
    return Availability(weekly={} if weekly is None else dict(weekly), **intervals)


def _remembered_intervals(r: Reader, value: Any, path: str) -> tuple[LocalInterval, ...] | None:
    """``read_intervals``, each plain pair read once per document, for an owner the plain
    reader (``plain_availability``) did not take: a site's holidays and closures are every
    owner's there."""
    if type(value) is list:
        found = plain_intervals(r, value)
        if found is not None:
            return found
    return read_intervals(r, value, path)


# --- values that repeat across a document's entries ---------------------------------------------


def remembered(
    r: Reader, key: Hashable | None, read: Callable[[Reader, Any, str], T | None], value: Any
) -> T | None:
    """What ``read(reader, value, path)`` gives for a value that reads without an error, kept in
    the document's ``r.memo`` under ``key``; None when ``key`` is None or the value has an error.

    ``key`` holds everything the result depends on: the value's content, with the types of its
    parts (the caller builds it, or gives None for a value it cannot describe that way). Nothing
    is recorded in ``r.errors`` and only successful reads are kept: a caller given None reads the
    value again at its own path with ``r``, which reports the error there, every time."""
    if key is None:
        return None
    found = r.memo.get(key, _MISSING)
    if found is not _MISSING:
        return found
    scratch = Reader()
    parsed = read(scratch, value, "")
    if parsed is None or scratch.errors:
        return None
    r.memo[key] = parsed
    return parsed


def scalar_key(kind: str, value: Any) -> tuple[str, type, Any] | None:
    """A memo key for a plain JSON string or number read as ``kind``, else None. The type is part
    of the key: ``1``, ``1.0`` and ``True`` are equal in Python but not to a reader."""
    kind_of_value = type(value)
    if kind_of_value is str or kind_of_value is int or kind_of_value is float:
        return kind, kind_of_value, value
    return None
