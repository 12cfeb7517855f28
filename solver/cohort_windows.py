"""When each cohort can be in session, as masks of grid starts made day by day.

Pre-filtering 2,000 cohorts spent most of its time turning each cohort's hours into model-minute
intervals for every day between its earliest date and its deadline, merging them, and finding the
grid starts inside them (bench/results/log.md, "First schedule on L and XL"). Cohorts share a few
hours and zones, so the starts of one day's hours are kept and each cohort's mask is their union;
the intervals (``TimeGrid.cohort_windows``) and the lists of starts are made only when something
asks for them.

Taking that union day by day was still the largest part of pre-filtering 10,000 cohorts (0.35 s
of 0.9 s: 20,000 unions of some 40 days). Cohorts with the same hours and zone differ only in
their dates, so the days' masks are kept summed up over a stretch of dates (``_Days``), and any
cohort's union is read from two of the sums.
"""

from __future__ import annotations

from datetime import date, timedelta

from solver.problem import AttendanceHours, Cohort
from solver.startsets import StartSets
from solver.timegrid import Intervals, TimeGrid

_DAY = timedelta(days=1)


def window_starts(
    grid: TimeGrid, sets: StartSets, kept: dict, cohort: Cohort, minutes: int
) -> int | None:
    """The grid starts of sessions of ``minutes`` inside the cohort's windows: its hours on its
    days from earliest to deadline, inside the horizon, clear of its blocked periods — what
    ``grid.starts_within(grid.cohort_windows(cohort), minutes)`` lists, as a mask.

    None when one day's hours reach the next day's (hours to midnight or overnight): the windows
    then merge across midnight, and only the intervals say which starts fit."""
    if cohort.earliest > cohort.deadline:
        return 0  # no day at all
    days = _days(grid, sets, kept, cohort, minutes)
    mask = days.starts(cohort.earliest, cohort.deadline)
    if mask is None:
        return None
    if cohort.unavailable and mask:
        mask &= ~_blocked(grid, sets, kept, cohort, minutes)
    return mask


def _blocked(grid: TimeGrid, sets: StartSets, kept: dict, cohort: Cohort, minutes: int) -> int:
    """The starts a session of ``minutes`` may not take for the cohort's blocked periods, kept:
    cohorts of one site share its closed days (a period of 2,040 cohorts has 10,000 blocked
    periods and a few dozen different lists of them)."""
    key = ("blocked", cohort.unavailable, cohort.timezone, minutes)
    mask = kept.get(key)
    if mask is None:
        blocked = grid.local_intervals(cohort.unavailable, cohort.timezone)
        mask = kept[key] = sets.clashing(blocked, minutes)
    return mask


class WindowLists(dict):
    """``Candidates.cohort_windows``: each cohort's intervals made when first looked up."""

    def __init__(self, grid: TimeGrid, cohorts: dict[str, Cohort]) -> None:
        super().__init__()
        self.grid, self.cohorts = grid, cohorts

    def __missing__(self, cohort: str) -> Intervals:
        windows = self[cohort] = self.grid.cohort_windows(self.cohorts[cohort])
        return windows


class StartLists(dict):
    """``Candidates.cohort_starts``: each list of starts made from its mask when first looked
    up. The greedy plan needs only the masks, so the first schedule does not wait for 1.7 million
    list items on 2,000 cohorts."""

    def __init__(self, masks: dict[tuple[str, int], int], sets: StartSets) -> None:
        super().__init__()
        self.masks, self.sets = masks, sets

    def __missing__(self, key: tuple[str, int]) -> list[int]:
        starts = self[key] = self.sets.listed(self.masks[key])
        return starts


class _Days:
    """The starts of one cohort's hours in its zone on each day from ``first`` to ``last``,
    summed up so that the union over any run of those days takes two lookups.

    Position ``i`` stands for the day ``first + i`` (its ordinal ``self.first + i``):
    ``sums[i]`` is the XOR of the masks of the hours' days before it, ``reaching[i]`` the number
    of those days whose hours begin at or before the end of the previous such day, and
    ``next_day[i]`` the first such day at or after it."""

    def __init__(
        self,
        grid: TimeGrid,
        sets: StartSets,
        hours: AttendanceHours,
        zone: str,
        minutes: int,
        first: date,
        last: date,
    ) -> None:
        self.dates = (first, last)
        self.first, self.last = first.toordinal(), last.toordinal()
        self.sums, self.reaching = [0], [0]
        mask, reaching, last_end, day = 0, 0, None, first
        while day <= last:
            if day.weekday() in hours.days:
                a, b = grid._daily(day, hours.start, hours.end, zone)  # the grid's own, kept
                # XOR, not OR: the sums before two days then differ by exactly the days between
                mask ^= sets.within([(max(a, 0), min(b, grid.end))], minutes)
                reaching += last_end is not None and a <= last_end
                last_end = b
            self.sums.append(mask)
            self.reaching.append(reaching)
            day += _DAY
        self.next_day = _next_days(first, hours, len(self.sums))

    def covers(self, first: date, last: date) -> bool:
        """Whether the days ``first`` to ``last`` are all here."""
        return self.first <= first.toordinal() and last.toordinal() <= self.last

    def starts(self, first: date, last: date) -> int | None:
        """The union of the masks of days ``first`` to ``last`` (covered, ``first <= last``), or
        None when one of their days reaches the next (as the loop over the days found)."""
        lo, hi = first.toordinal() - self.first, last.toordinal() - self.first + 1
        day = self.next_day[lo]
        if day >= hi:
            return 0
        # The run's first day has no earlier day in the run to reach it: its own count is left out.
        if self.reaching[hi] != self.reaching[day + 1]:
            return None
        # No day reaches the next, so their masks share no start and the XOR is their union.
        return self.sums[hi] ^ self.sums[lo]


def _next_days(first: date, hours: AttendanceHours, size: int) -> list[int]:
    """For each of ``size`` positions from day ``first``, the position of the first day of the
    hours at or after it (``size - 1``, past every day, when there is none)."""
    out, following = [size - 1] * size, size - 1
    for i in range(size - 2, -1, -1):
        if (first + i * _DAY).weekday() in hours.days:
            following = i
        out[i] = following
    return out


def _days(grid: TimeGrid, sets: StartSets, kept: dict, cohort: Cohort, minutes: int) -> _Days:
    """The kept ``_Days`` of the cohort's hours, zone and session length, made (again) over the
    horizon and the cohort's dates when they do not cover them."""
    hours, zone = cohort.hours, cohort.timezone
    key = (hours.days, hours.start, hours.end, zone, minutes)
    days = kept.get(key)
    if days is not None and days.covers(cohort.earliest, cohort.deadline):
        return days
    first = min(cohort.earliest, grid.problem.horizon_start)
    last = max(cohort.deadline, grid.problem.horizon_end)
    if days is not None:
        # Grown by at least its own length, so that cohorts reaching ever further out of the
        # horizon make it again a few times, not once each.
        (old_first, old_last), length = days.dates, (days.last - days.first + 1) * _DAY
        first = min(first, old_first - length) if first < old_first else old_first
        last = max(last, old_last + length) if last > old_last else old_last
    days = kept[key] = _Days(grid, sets, hours, zone, minutes, first, last)
    return days
