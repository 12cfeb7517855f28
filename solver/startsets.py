"""Sets of grid starts as integer bit masks: bit k stands for the grid's k-th start.

The greedy plan asks, for every section, at which starts its learners, a room and a facilitator
are all still free. Asked one start at a time, that was most of the first schedule's time on 1,000
cohorts and more (bench/results/log.md, "First schedule on L and XL"); one AND of two masks
answers it for every start of the horizon at once (a horizon of 8 weeks in 30-minute slots is a
2,688-bit integer).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

from solver.timegrid import Intervals, TimeGrid


def union(masks: Iterable[int]) -> int:
    """The starts in any of ``masks``."""
    out = 0
    for mask in masks:
        out |= mask
    return out


class StartSets:
    """Masks of the grid starts of one :class:`~solver.timegrid.TimeGrid`."""

    def __init__(self, grid: TimeGrid) -> None:
        self.grid = grid
        self.starts = grid.slot_starts
        self.position = {t: k for k, t in enumerate(self.starts)}
        # position of the first start of each horizon day, and one past the last start
        self.day_first = [bisect_left(self.starts, m) for m in grid.day_starts]
        self.day_masks = [
            self.span(a, b) for a, b in zip(self.day_first, self.day_first[1:], strict=False)
        ]
        self.everything = self.span(0, len(self.starts))
        # days_of and on_days, kept by their argument: cohorts of one program and the same hours
        # ask them of the same masks (on 10,000 cohorts 4,400 calls, 2,100 and 770 masks)
        self._days_of: dict[int, int] = {}
        self._on_days: dict[int, int] = {}

    @staticmethod
    def span(lo: int, hi: int) -> int:
        """The positions ``lo`` to ``hi - 1``."""
        return ((1 << (hi - lo)) - 1) << lo if hi > lo else 0

    def within(self, intervals: Intervals, minutes: int) -> int:
        """Starts ``t`` whose ``[t, t + minutes)`` lies inside one interval (as
        ``TimeGrid.starts_within``)."""
        starts, mask = self.starts, 0
        for a, b in intervals:
            mask |= self.span(bisect_left(starts, a), bisect_right(starts, b - minutes))
        return mask

    def clashing(self, booked: Iterable[tuple[int, int]], minutes: int, buffer: int = 0) -> int:
        """Starts ``t`` whose ``[t - buffer, t + minutes + buffer)`` overlaps a booked interval:
        those with ``s - minutes - buffer < t < e + buffer`` for a booking ``[s, e)``."""
        starts, mask = self.starts, 0
        for s, e in booked:
            mask |= self.span(
                bisect_right(starts, s - minutes - buffer), bisect_left(starts, e + buffer)
            )
        return mask

    def from_minute(self, minute: int) -> int:
        """Starts at or after ``minute``."""
        return self.everything ^ self.span(0, bisect_left(self.starts, minute))

    def between(self, first: int, last: int) -> int:
        """Starts from model minute ``first`` (included) to ``last`` (excluded)."""
        return self.span(bisect_left(self.starts, first), bisect_left(self.starts, last))

    def of(self, starts: Iterable[int]) -> int:
        """The mask of grid starts (minutes off the grid have no bit and are left out)."""
        position, mask = self.position, 0
        for t in starts:
            k = position.get(t)
            if k is not None:
                mask |= 1 << k
        return mask

    def days_of(self, mask: int) -> int:
        """Horizon days (``TimeGrid.day_index``) holding at least one start of ``mask``, as a
        mask of days: bit d for day d."""
        days = self._days_of.get(mask)
        if days is None:
            days = 0
            for d, day in enumerate(self.day_masks):
                if mask & day:
                    days |= 1 << d
            self._days_of[mask] = days
        return days

    def on_days(self, days: int) -> int:
        """Every start of the days of a mask of days (``days_of``)."""
        mask = self._on_days.get(days)
        if mask is None:
            mask, d, left = 0, 0, days
            while left:
                if left & 1:
                    mask |= self.day_masks[d]
                left >>= 1
                d += 1
            self._on_days[days] = mask
        return mask

    def days(self, first: int, last: int) -> int:
        """Every start of horizon days ``first`` to ``last`` (both included, clipped)."""
        first, last = max(first, 0), min(last, len(self.day_masks) - 1)
        return self.span(self.day_first[first], self.day_first[last + 1]) if first <= last else 0

    def minutes(self, mask: int) -> Iterator[int]:
        """The starts of ``mask`` in increasing order, as model minutes."""
        starts = self.starts
        while mask:
            low = mask & -mask
            yield starts[low.bit_length() - 1]
            mask ^= low

    def has(self, mask: int, t: int) -> bool:
        """Whether grid start ``t`` is in ``mask``."""
        k = self.position.get(t)
        return k is not None and (mask >> k) & 1 == 1

    def listed(self, mask: int) -> list[int]:
        """The starts of ``mask`` as a sorted list of model minutes, a run of bits at a time
        (found in its binary digits, lowest first: fewer steps than shifting the integer)."""
        bits = bin(mask)[:1:-1]
        out, find, starts = [], bits.find, self.starts
        k = find("1")
        while k >= 0:
            end = find("0", k)
            if end < 0:
                end = len(bits)
            out.extend(starts[k:end])
            k = find("1", end)
        return out
