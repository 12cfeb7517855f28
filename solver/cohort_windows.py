"""When each cohort can be in session, as masks of grid starts made day by day.

Pre-filtering 2,000 cohorts spent most of its time turning each cohort's hours into model-minute
intervals for every day between its earliest date and its deadline, merging them, and finding the
grid starts inside them (bench/results/log.md, "First schedule on L and XL"). Cohorts share a few
hours and zones, so the starts of one day's hours are kept and each cohort's mask is their union;
the intervals (``TimeGrid.cohort_windows``) and the lists of starts are made only when something
asks for them.
"""

from __future__ import annotations

from datetime import timedelta

from solver.problem import Cohort
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
    hours, zone = cohort.hours, cohort.timezone
    mask, last_end, day = 0, None, cohort.earliest
    while day <= cohort.deadline:
        if day.weekday() in hours.days:
            key = (day, hours.start, hours.end, zone, minutes)
            found = kept.get(key)
            if found is None:
                a, b = grid._daily(day, hours.start, hours.end, zone)  # the grid's own, kept
                found = kept[key] = (a, b, sets.within([(max(a, 0), min(b, grid.end))], minutes))
            a, b, starts = found
            if last_end is not None and a <= last_end:
                return None
            last_end = b
            mask |= starts
        day += _DAY
    if cohort.unavailable and mask:
        blocked = grid.local_intervals(cohort.unavailable, zone)
        mask &= ~sets.clashing(blocked, minutes)
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
