"""A cohort's mask of starts read from the kept sums of its hours' days
(``cohort_windows.window_starts``) is the one the loop over its days made: the same mask, and
None for the same cohorts, whatever their hours, zones and dates (also outside the horizon and
across a change of the clocks)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny import doc, problem

from solver import candidates
from solver.cohort_windows import window_starts
from solver.problem import AttendanceHours, LocalInterval
from solver.startsets import StartSets
from solver.timegrid import TimeGrid
from solver.validate import parse_problem

_DAY = timedelta(days=1)


def looped_starts(grid, sets, kept, cohort, minutes):
    """``window_starts`` as it was: the union of the kept masks of each of the cohort's days."""
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


def _grid(**top):
    """A grid and its masks: 8 weeks from 1 March 2027 (clocks change in New York on 14 March, in
    London on 28 March, in Paris on 28 March, in Sydney on 4 April)."""
    p = problem(doc(horizon={"start": "2027-03-01", "end": "2027-04-25"}, **top))
    grid = TimeGrid(p)
    return p, grid, StartSets(grid)


GRIDS = {
    "london-30": _grid(slot_minutes=30),
    "new-york-15": _grid(slot_minutes=15, timezone="America/New_York"),
    "sydney-60": _grid(slot_minutes=60, timezone="Australia/Sydney"),
}
ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Asia/Singapore",
         "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]  # fmt: skip
CLOCK = [time(h, m) for h in range(24) for m in (0, 15, 30, 45)]
START = date(2027, 3, 1)


def _compare(grid, sets, cohorts, minutes_each):
    """Each cohort's mask from ``window_starts`` (one kept dict for them all, as in
    ``candidates.build``) and from the loop; how many were None."""
    kept, looped, nones = {}, {}, 0
    for c in cohorts:
        for minutes in minutes_each:
            expected = looped_starts(grid, sets, looped, c, minutes)
            assert window_starts(grid, sets, kept, c, minutes) == expected, (c, minutes)
            nones += expected is None
    return nones


@st.composite
def cohorts(draw, base):
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    start, end = draw(st.sampled_from(CLOCK)), draw(st.sampled_from(CLOCK))
    earliest = START + draw(st.integers(-40, 100)) * _DAY
    deadline = earliest + draw(st.integers(-3, 120)) * _DAY
    blocked = ()
    if draw(st.booleans()):
        at = datetime.combine(
            START + draw(st.integers(-2, 60)) * _DAY, draw(st.sampled_from(CLOCK))
        )
        blocked = (LocalInterval(at, at + draw(st.integers(1, 96)) * timedelta(minutes=30)),)
    return replace(
        base,
        hours=AttendanceHours(days, start, end),
        timezone=draw(st.sampled_from(ZONES)),
        earliest=earliest,
        deadline=deadline,
        unavailable=blocked,
    )


@pytest.mark.parametrize("name", list(GRIDS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_mask_of_any_cohorts_is_the_looped_one(name, data):
    p, grid, sets = GRIDS[name]
    base = next(iter(p.cohorts.values()))
    drawn = data.draw(st.lists(cohorts(base), min_size=1, max_size=12))
    minutes = data.draw(st.lists(st.sampled_from([15, 30, 60, 90, 120, 240, 480]), min_size=1,
                                 max_size=3, unique=True))  # fmt: skip
    _compare(grid, sets, drawn, minutes)


def _hours(days, start, end, zone, earliest, deadline):
    p, _, _ = GRIDS["london-30"]
    base = next(iter(p.cohorts.values()))
    return replace(
        base,
        hours=AttendanceHours(frozenset(days), start, end),
        timezone=zone,
        earliest=START + earliest * _DAY,
        deadline=START + deadline * _DAY,
    )


WEEK, EVERY = range(5), range(7)
MIDNIGHT = time(0)
# Dates as days after 1 March 2027 (a Monday); the horizon runs from 0 to 55.
HAND_MADE = [
    (EVERY, MIDNIGHT, MIDNIGHT, "Europe/London", 0, 55),  # 00:00-24:00: every day reaches the next
    (EVERY, MIDNIGHT, MIDNIGHT, "Europe/London", 9, 9),  # one such day: nothing before it
    ([2], MIDNIGHT, MIDNIGHT, "Europe/London", 0, 55),  # Wednesdays only: a day apart
    (WEEK, time(9), MIDNIGHT, "Europe/London", 0, 55),  # to midnight, not into the next day
    (WEEK, time(22), time(6), "America/New_York", -5, 60),  # overnight, out of the horizon
    (EVERY, time(18), time(18), "Asia/Kolkata", -30, 90),
    (EVERY, time(9), time(17), "Pacific/Kiritimati", -3, -1),  # before the horizon, yet inside it
    (EVERY, time(9), time(17), "Pacific/Pago_Pago", 56, 58),  # after it, yet inside it
    (EVERY, time(9), time(17), "Europe/London", -100, -60),  # far before: nothing
    (EVERY, time(9), time(17), "Europe/London", 200, 400),  # far after: nothing
    (WEEK, time(9), time(17), "Europe/London", 3, 2),  # deadline before earliest: no day
    # London's clocks go forward at 01:00 on Sunday 28 March (day 27): 02:15 on the 28th is 01:15
    # GMT, before the 01:30 (taken as GMT) that the 27th's hours end at, so only that day reaches
    # the one before it.
    (EVERY, time(2, 15), time(1, 30), "Europe/London", 0, 55),
    (EVERY, time(2, 15), time(1, 30), "Europe/London", 0, 26),
    (EVERY, time(2, 15), time(1, 30), "Europe/London", 27, 55),
    (EVERY, time(2, 15), time(1, 30), "Europe/London", 26, 27),
    (EVERY, time(2, 15), time(1, 30), "Europe/London", 28, 55),
    # 02:00 on the 28th is 01:00 GMT, 45 minutes before the 27th's hours end: both days hold the
    # starts between, so the dates from the 28th must not take the 27th's as well.
    (EVERY, time(2), time(1, 45), "Europe/London", 27, 55),
    (EVERY, time(2), time(1, 45), "Europe/London", 27, 27),
]


@pytest.mark.parametrize("name", list(GRIDS))
def test_hand_made_hours_give_the_looped_masks(name):
    _, grid, sets = GRIDS[name]
    cohorts = [_hours(*case) for case in HAND_MADE]
    assert _compare(grid, sets, cohorts, [30, 60, 120]) >= 3 * 3  # Nones seen too
    for case in HAND_MADE:  # each on its own, with nothing kept by the others
        assert _compare(grid, sets, [_hours(*case)], [60]) in (0, 1)


def test_a_day_reaching_the_one_before_counts_only_inside_the_dates():
    _, grid, sets = GRIDS["london-30"]
    kept = {}
    for first, last, none in [(0, 55, True), (0, 26, False), (27, 55, False), (26, 27, True)]:
        c = _hours(EVERY, time(2, 15), time(1, 30), "Europe/London", first, last)
        found = window_starts(grid, sets, kept, c, 60)
        assert (found is None) is none
        assert found == looped_starts(grid, sets, {}, c, 60)


@pytest.mark.parametrize("size,seed", [("S", 1), ("M", 11)])
def test_generated_cohorts_give_the_looped_masks(tmp_path, size, seed):
    path = tmp_path / "problem.json"
    subprocess.run([sys.executable, "-m", "bench.generate", size, "--seed", str(seed), "-o",
                    str(path)], check=True, capture_output=True)  # fmt: skip
    p, errors = parse_problem(json.loads(path.read_text()))
    assert errors == []
    cand = candidates.build(p)
    cohorts = list(p.cohorts.values())
    lengths = sorted({m for prog in p.programs.values() for m in prog.sessions})
    _compare(cand.grid, cand.sets, cohorts, lengths)
    # the same cohorts with their dates moved out of the horizon, each way
    moved = [replace(c, earliest=c.earliest - k * _DAY, deadline=c.deadline + 2 * k * _DAY)
             for k, c in enumerate(cohorts[:200])]  # fmt: skip
    _compare(cand.grid, cand.sets, moved, lengths)


def test_cohorts_sharing_blocked_periods_each_keep_their_own_zone_and_length():
    """Blocked periods are kept per list, zone and session length (the cohorts of a site share
    its closed days): no cohort gets another's, whatever order they come in."""
    _, grid, sets = GRIDS["london-30"]
    closed = (LocalInterval(datetime(2027, 3, 29), datetime(2027, 3, 30)),
              LocalInterval(datetime(2027, 4, 5), datetime(2027, 4, 6)))  # fmt: skip
    morning = (LocalInterval(datetime(2027, 3, 29, 9), datetime(2027, 3, 29, 13)),)
    cohorts = [
        replace(_hours(WEEK, time(9), time(17), zone, 0, 55), unavailable=blocked)
        for blocked in (closed, morning, closed, ())
        for zone in ("Europe/London", "America/New_York", "Europe/London")
    ]
    _compare(grid, sets, cohorts, [60, 120])
    masks = {window_starts(grid, sets, {}, c, 60) for c in cohorts}
    assert len(masks) == 6  # three lists of blocked periods, two zones: all different
