"""The time axis of the engine: integer minutes on a DST-correct slot grid.

Model time is the number of minutes since the UTC instant of local midnight of ``horizon.start`` in
the problem's top-level time zone. Working in absolute minutes (not local wall clock) is what makes
two people in different zones, or one person across a daylight-saving change, comparable; every
local window (weekly availability, attendance hours, leave) is converted once, here, with
``zoneinfo`` in its owner's own zone.

Interval lists are sorted, disjoint, half-open ``[(start, end), ...]`` in model minutes.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from solver.problem import Availability, Cohort, LocalInterval, Problem

Intervals = list[tuple[int, int]]

# Local windows are expanded over a margin around the horizon so that a zone far east or west of the
# problem's zone still covers every instant of the horizon.
_MARGIN_DAYS = 2


@cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name (cached: the engine converts thousands of instants)."""
    return ZoneInfo(name)


def normalise(intervals: Iterable[tuple[int, int]]) -> Intervals:
    """Sort intervals, drop empty ones and merge those that overlap or touch."""
    out: Intervals = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def subtract(base: Intervals, removed: Intervals) -> Intervals:
    """The parts of ``base`` not covered by ``removed`` (both normalised).

    Each removed interval finds the base intervals it cuts by bisection, and those between
    are copied whole: a person's weekly hours over the horizon are a hundred intervals, their
    leave and holidays a few (looking at every pair was half of reading 2,800 people's
    availability on 10,000 cohorts)."""
    out: Intervals = []
    i = 0  # base[:i] is done with
    rest = None  # what the removed intervals so far left of base[i - 1], after the last of them
    for ra, rb in removed:
        if rest is not None:
            a, b = rest
            if b <= ra:  # wholly before this one
                out.append(rest)
            else:
                if a < ra:
                    out.append((a, ra))
                if b > rb:  # this one ends inside it: the base after it is untouched
                    rest = (rb, b)
                    continue
            rest = None
        # base[i:j] start at or before ra: all are kept whole but the last, if it runs past ra
        j = bisect.bisect_right(base, (ra, math.inf), i)
        k = j - 1 if j > i and base[j - 1][1] > ra else j
        out.extend(base[i:k])
        # base[k:m] start before rb, so they overlap this one: what is outside it is kept
        m = bisect.bisect_left(base, (rb, -math.inf), k)
        if m > k:
            if base[k][0] < ra:
                out.append((base[k][0], ra))
            if base[m - 1][1] > rb:
                rest = (rb, base[m - 1][1])
        i = m
    if rest is not None:
        out.append(rest)
    out.extend(base[i:])
    return out


def intersect(first: Intervals, second: Intervals) -> Intervals:
    """The parts covered by both (normalised) interval lists."""
    out: Intervals = []
    i = j = 0
    while i < len(first) and j < len(second):
        a = max(first[i][0], second[j][0])
        b = min(first[i][1], second[j][1])
        if a < b:
            out.append((a, b))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return out


def bookable_intervals(regular: Intervals, blocked: Intervals, reluctant: Intervals) -> Intervals:
    """(regular ∪ if-need-be) − blocked, of normalised lists (``TimeGrid.availability_parts``).

    Merged again only with if-need-be windows, and cut only where something is blocked: most of
    3,100 people and rooms on 10,000 cohorts have neither."""
    merged = normalise(regular + reluctant) if reluctant else regular
    return subtract(merged, blocked) if blocked else merged


def contains(intervals: Intervals, start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside one interval of the normalised list."""
    k = bisect.bisect_right(intervals, (start, float("inf"))) - 1
    return k >= 0 and intervals[k][0] <= start and end <= intervals[k][1]


def overlaps(intervals: Intervals, start: int, end: int) -> bool:
    """Whether ``[start, end)`` shares at least one minute with the normalised list."""
    k = bisect.bisect_left(intervals, (end, end))
    return k > 0 and intervals[k - 1][1] > start


class TimeGrid:
    """Converts between local times, UTC instants and model minutes for one problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.tz = zone(problem.timezone)
        self._local_dates: dict[tuple[int, str | None], date] = {}
        self._text_minutes: dict[str, int] = {}  # text_minute
        self._local_minutes: dict[tuple[datetime, int, str], int] = {}  # local_minute
        self._isos: dict[int, str] = {}  # iso
        self._daily_cache: dict[tuple[date, time, time, str], tuple[int, int]] = {}
        # (weekly pattern, zone) -> its intervals over the horizon (weekly_intervals)
        self._weekly_cache: dict[tuple, Intervals] = {}
        self.origin = self._utc_midnight(problem.horizon_start, problem.timezone)
        self.days: list[date] = []
        self.day_starts: list[int] = []  # model minute of each local midnight, plus the end
        day = problem.horizon_start
        while day <= problem.horizon_end:
            self.days.append(day)
            self.day_starts.append(
                self.local_minute(datetime.combine(day, time()), problem.timezone)
            )
            day += timedelta(days=1)
        self.day_starts.append(self.local_minute(datetime.combine(day, time()), problem.timezone))
        self.slot_starts: list[int] = [
            start
            for first, nxt in zip(self.day_starts, self.day_starts[1:], strict=False)
            for start in range(first, nxt, problem.slot_minutes)
        ]
        # day_index of every grid start, looked up rather than bisected: pre-filtering 10,000
        # cohorts asks it tens of millions of times
        self.slot_day: dict[int, int] = {t: self.day_index(t) for t in self.slot_starts}

    @property
    def end(self) -> int:
        """Model minute just after the last local day of the horizon."""
        return self.day_starts[-1]

    @staticmethod
    def _utc_midnight(day: date, tz: str) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone(tz)).astimezone(UTC)

    def minute(self, instant: datetime) -> int:
        """Model minute of a timezone-aware instant (rounded down to the minute)."""
        return int((instant - self.origin).total_seconds() // 60)

    def text_minute(self, text: str) -> int:
        """Model minute of an instant written as in a schedule document (ISO 8601 with its
        offset), kept by its text: a re-plan of 10,000 cohorts reads 25,000 starts, a few
        thousand different ones, and parsing each was a tenth of its first schedule's time.
        Raises as ``datetime.fromisoformat`` and ``minute`` do (ValueError, TypeError)."""
        found = self._text_minutes.get(text)
        if found is None:
            found = self._text_minutes[text] = self.minute(datetime.fromisoformat(text))
        return found

    def local_minute(self, local: datetime, tz: str) -> int:
        """Model minute of a naive local wall-clock time in zone ``tz``.

        Times in a spring-forward gap resolve with the offset before the change (``fold=0``).
        Kept by time, fold and zone: people and cohorts share holidays, closures and hours (on
        10,000 cohorts, 24,000 conversions of 3,450 different times). The fold is part of the key
        because naive times that differ only by it are equal, and convert differently."""
        key = (local, local.fold, tz)
        found = self._local_minutes.get(key)
        if found is None:
            found = self._local_minutes[key] = self.minute(local.replace(tzinfo=zone(tz)))
        return found

    def instant(self, minute: int) -> datetime:
        """The UTC instant of a model minute."""
        return self.origin + timedelta(minutes=minute)

    def iso(self, minute: int) -> str:
        """A model minute as the UTC ISO string used in schedule documents (kept: a document
        of 10,000 cohorts writes 50,000 starts and ends, a few thousand different ones)."""
        found = self._isos.get(minute)
        if found is None:
            found = self._isos[minute] = self.instant(minute).isoformat()
        return found

    def local_date(self, minute: int, tz: str | None = None) -> date:
        """The local calendar date of a model minute in ``tz`` (default: the problem's zone)."""
        key = (minute, tz)
        found = self._local_dates.get(key)
        if found is None:  # memoised: model building asks for the same few thousand minutes
            found = self.instant(minute).astimezone(zone(tz or self.problem.timezone)).date()
            self._local_dates[key] = found
        return found

    def clock_offsets(self) -> tuple[int, list[tuple[int, int]]]:
        """How to turn a grid start into local wall-clock minutes since the horizon's first local
        midnight: ``(offset, [(first grid start after a DST change, change in minutes), ...])``.

        Outside a DST change the offset is 0; after the spring change in Europe it is +60."""
        if not hasattr(self, "_clock_offsets"):
            first = datetime.combine(self.problem.horizon_start, time())
            offsets = []
            for t in self.slot_starts:
                wall = self.instant(t).astimezone(self.tz).replace(tzinfo=None)
                offsets.append(int((wall - first).total_seconds() // 60) - t)
            changes = [
                (t, b - a)
                for t, a, b in zip(self.slot_starts[1:], offsets, offsets[1:], strict=False)
                if a != b
            ]
            self._clock_offsets = (offsets[0] if offsets else 0, changes)
        return self._clock_offsets

    def day_index(self, minute: int) -> int:
        """Index of the horizon day (problem zone) that contains a model minute."""
        return bisect.bisect_right(self.day_starts, minute) - 1

    def _local_days(self, first: date | None = None, last: date | None = None) -> list[date]:
        first = first or self.problem.horizon_start - timedelta(days=_MARGIN_DAYS)
        last = last or self.problem.horizon_end + timedelta(days=_MARGIN_DAYS)
        return [first + timedelta(days=k) for k in range((last - first).days + 1)]

    def _daily(self, day: date, start: time, end: time, tz: str) -> tuple[int, int]:
        # Kept: cohorts and people share a few hours and zones, and converting each day's
        # wall-clock times was a third of the pre-filtering of 1,000 cohorts.
        key = (day, start, end, tz)
        found = self._daily_cache.get(key)
        if found is None:
            # An end at or before the start (e.g. "24:00" parsed as midnight) runs into the
            # next day.
            end_day = day if end > start else day + timedelta(days=1)
            found = (
                self.local_minute(datetime.combine(day, start), tz),
                self.local_minute(datetime.combine(end_day, end), tz),
            )
            self._daily_cache[key] = found
        return found

    def local_intervals(self, windows: Sequence[LocalInterval], tz: str) -> Intervals:
        """One-off local windows as model-minute intervals."""
        return normalise(
            (self.local_minute(w.start, tz), self.local_minute(w.end, tz)) for w in windows
        )

    def availability(self, availability: Availability, tz: str) -> tuple[Intervals, Intervals]:
        """``(bookable, if_need_be)`` intervals of a facilitator or room.

        Bookable is (weekly ∪ available ∪ if_need_be) − unavailable, or the whole horizon when
        neither weekly nor available is given; if_need_be is the reluctant part, also minus
        unavailable, used to price sessions that touch it."""
        regular, blocked, reluctant = self.availability_parts(availability, tz)
        return bookable_intervals(regular, blocked, reluctant), reluctant

    def availability_parts(
        self, availability: Availability, tz: str
    ) -> tuple[Intervals, Intervals, Intervals]:
        """``(regular, blocked, if_need_be)``: the regular hours (weekly ∪ available, or the
        whole horizon), the unavailable periods, and the if-need-be windows minus those, each
        normalised; ``bookable_intervals`` makes the bookable intervals of them."""
        if availability.always:
            regular = [(-_MARGIN_DAYS * 1440, self.end + _MARGIN_DAYS * 1440)]
        elif availability.available:
            weekly = self.weekly_intervals(availability.weekly, tz)
            regular = normalise(weekly + self.local_intervals(availability.available, tz))
        else:
            regular = self.weekly_intervals(availability.weekly, tz)
        blocked = self.local_intervals(availability.unavailable, tz)
        reluctant = subtract(self.local_intervals(availability.if_need_be, tz), blocked)
        return regular, blocked, reluctant

    def weekly_intervals(self, weekly: dict, tz: str) -> Intervals:
        """A weekly pattern's ranges on every local day of the horizon (with its margin), as
        model-minute intervals. Kept per pattern and zone: thousands of facilitators share a
        few office hours, and listing every day of each was a third of reading their
        availability on 10,000 cohorts."""
        key = (tuple(sorted(weekly.items())), tz)
        found = self._weekly_cache.get(key)
        if found is None:
            found = self._weekly_cache[key] = normalise(
                self._daily(day, start, end, tz)
                for day in self._local_days()
                for start, end in weekly.get(day.weekday(), ())
            )
        return list(found)

    def cohort_windows(self, cohort: Cohort) -> Intervals:
        """When a cohort can be in session: its hours on its days between earliest and deadline,
        inside the horizon, minus its blocked periods (all in the cohort's own zone)."""
        hours = cohort.hours
        windows = normalise(
            self._daily(day, hours.start, hours.end, cohort.timezone)
            for day in self._local_days(cohort.earliest, cohort.deadline)
            if day.weekday() in hours.days
        )
        windows = intersect(windows, [(0, self.end)])
        return subtract(windows, self.local_intervals(cohort.unavailable, cohort.timezone))

    def starts_within(self, windows: Intervals, duration: int) -> list[int]:
        """Grid starts ``t`` such that ``[t, t + duration)`` lies inside one window."""
        out: list[int] = []
        for a, b in windows:
            lo = bisect.bisect_left(self.slot_starts, a)
            hi = bisect.bisect_right(self.slot_starts, b - duration)
            out.extend(self.slot_starts[lo:hi])
        return out
