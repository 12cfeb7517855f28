"""Grid starts as bit masks (solver.startsets) and the greedy's masks of free starts
(solver.free_starts): each mask holds exactly the starts the plain computation or the exact
test accepts, so filtering with them changes nothing but the time."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from tiny import cohort, doc, facilitator, problem, program, room

from solver import candidates
from solver.bookings import Bookings, Calendar
from solver.plan import PlannedSession
from solver.startsets import StartSets, union
from solver.timegrid import TimeGrid


def _generated(size: str, seed: int):
    from bench.generate import generate
    from solver.validate import parse_problem

    parsed, errors = parse_problem(generate(size, seed))
    assert errors == []
    return parsed


@pytest.fixture(scope="module")
def small():
    """Candidates of a generated S problem (4 weeks, 30-minute slots, four zones)."""
    return candidates.build(_generated("S", 1))


def test_within_holds_the_starts_that_starts_within_lists(small):
    grid, sets = small.grid, small.sets
    checked = 0
    windows = [small.cohort_windows[c] for c in small.problem.cohorts]
    for intervals in [*small.bookable.values(), *windows]:
        for minutes in (30, 90, 180):
            expected = grid.starts_within(intervals, minutes)
            assert sets.listed(sets.within(intervals, minutes)) == expected
            checked += len(expected)
    assert checked > 10_000


def test_each_facilitators_and_rooms_mask_holds_the_starts_within_their_bookable_intervals():
    """A mask made of regular hours less blocked periods (most people and rooms) is the one made
    of their bookable intervals, where a blocked period starts or ends inside the hours, covers
    them, touches them, or is off the grid; and where if-need-be windows or one-off available
    ones are given too."""
    office = {day: [["08:00", "12:30"], ["13:30", "17:00"]] for day in ("mon", "tue", "wed")}
    blocked = [["2027-01-04T10:10", "2027-01-04T11:00"], ["2027-01-05T07:00", "2027-01-05T09:00"],
               ["2027-01-06T12:30", "2027-01-06T13:30"], ["2027-01-11T00:00", "2027-01-13T00:00"],
               ["2027-01-18T16:45", "2027-01-19T08:15"], ["2027-01-20T09:59", "2027-01-20T10:31"]]  # fmt: skip
    document = doc(
        horizon={"start": "2027-01-04", "end": "2027-01-22"},
        programs=[program(mode="in_person")],
        facilitators=[
            facilitator("regular", weekly=office),
            facilitator("blocked", weekly=office, unavailable=blocked),
            facilitator("far", weekly=office, unavailable=blocked, timezone="Asia/Tokyo"),
            facilitator("reluctant", weekly=office, unavailable=blocked,
                        if_need_be=[["2027-01-06T17:00", "2027-01-06T19:00"],
                                    ["2027-01-07T06:00", "2027-01-07T07:30"],
                                    ["2027-01-12T07:00", "2027-01-12T09:00"],
                                    ["2027-01-14T12:00", "2027-01-14T14:00"]]),
            facilitator("evenings", weekly=office,
                        if_need_be=[["2027-01-04T17:00", "2027-01-04T20:00"]]),
            facilitator("extra", weekly=office, unavailable=blocked,
                        available=[["2027-01-09T09:00", "2027-01-09T12:00"]]),
            facilitator("always", unavailable=blocked),
        ],
        rooms=[room("open"), room("shut", unavailable=blocked)],
    )  # fmt: skip
    cand = candidates.build(problem(document))
    assert {name for kind, name in cand._cut} == {"regular", "blocked", "far", "reluctant",
                                                   "evenings", "extra", "always", "open", "shut"}  # fmt: skip
    sets = cand.sets
    for minutes in (30, 60, 90, 240):
        for f in cand.problem.facilitators:
            assert cand.facilitator_mask(f, minutes) == sets.within(cand.bookable[f], minutes)
        for r in cand.problem.rooms:
            assert cand.room_mask(r, minutes) == sets.within(cand.room_bookable[r], minutes)
    assert cand.facilitator_mask("blocked", 60) != cand.facilitator_mask("regular", 60)
    # a session across the end of the hours and into an if-need-be window after them
    across = cand.grid.local_minute(datetime(2027, 1, 4, 16, 0), "Europe/London")
    assert sets.has(cand.facilitator_mask("evenings", 180), across)
    assert not sets.has(cand.facilitator_mask("regular", 180), across)


def test_clashing_holds_exactly_the_starts_whose_session_overlaps_a_booking(small):
    grid, sets = small.grid, small.sets
    rng = random.Random(7)
    for buffer in (0, 15, 30):
        booked = Bookings()
        for _ in range(12):
            start = rng.choice(grid.slot_starts) + rng.choice((0, 10))
            end = start + rng.choice((45, 60, 120))
            if not booked.clashes(start, end):
                booked.add(start, end)
        for minutes in (60, 90):
            mask = sets.clashing(zip(booked.starts, booked.ends, strict=True), minutes, buffer)
            blocked = [
                t for t in grid.slot_starts if booked.clashes(t - buffer, t + minutes + buffer)
            ]
            assert sets.listed(mask) == blocked
            assert len(blocked) > 12


def test_masks_and_lists_of_starts_turn_into_each_other(small):
    sets, starts = small.sets, small.grid.slot_starts
    picked = sorted(random.Random(3).sample(starts, 200))
    mask = sets.of([*picked, starts[0] + 1])  # a minute off the grid has no bit
    assert sets.listed(mask) == list(sets.minutes(mask)) == picked
    assert all(sets.has(mask, t) for t in picked)
    assert not sets.has(mask, starts[0] + 1)
    assert sets.listed(sets.everything) == starts
    assert union([sets.of(picked[:50]), sets.of(picked[50:])]) == mask


def test_day_and_minute_ranges_hold_the_starts_of_those_days(small):
    grid, sets = small.grid, small.sets
    middle = grid.slot_starts[len(grid.slot_starts) // 2]
    assert sets.listed(sets.from_minute(middle)) == [t for t in grid.slot_starts if t >= middle]
    assert sets.listed(sets.days(3, 5)) == [
        t for t in grid.slot_starts if 3 <= grid.day_index(t) <= 5
    ]
    assert sets.days(-2, -1) == 0
    days = sets.days_of(sets.of([middle]))
    assert days == 1 << grid.day_index(middle)
    assert sets.on_days(days) == sets.days(grid.day_index(middle), grid.day_index(middle))


def _plain_cohort_starts(cand, c):
    """Allowed starts as the pre-filter computed them before masks: sets of minutes."""
    problem, grid = cand.problem, cand.grid
    program = problem.programs[c.program]
    site = c.site if program.in_person else None
    per_session = []
    for minutes in program.sessions:
        people = set()
        for f in cand.qualified[program.id]:
            people.update(grid.starts_within(cand.bookable[f], minutes))
        if program.in_person:
            rooms = set()
            for r in cand.rooms_at.get(site or "", []):
                if problem.rooms[r].capacity >= program.seats[0]:
                    rooms.update(grid.starts_within(cand.room_bookable[r], minutes))
            people &= rooms
        windows = grid.starts_within(cand.cohort_windows[c.id], minutes)
        per_session.append(sorted(set(windows) & people))
    lo, hi = program.gap_days
    days = [{grid.day_index(t) for t in starts} for starts in per_session]
    for _ in range(2):
        for i in range(1, len(days)):
            days[i] = {d for d in days[i] if any(d - k in days[i - 1] for k in range(lo, hi + 1))}
        for i in range(len(days) - 2, -1, -1):
            days[i] = {d for d in days[i] if any(d + k in days[i + 1] for k in range(lo, hi + 1))}
    if len(per_session) == 1:
        return per_session
    return [
        [t for t in s if grid.day_index(t) in d] for s, d in zip(per_session, days, strict=True)
    ]


@pytest.mark.parametrize("size,seed", [("S", 1), ("S", 2), ("M", 3)])
def test_allowed_starts_from_masks_are_those_the_plain_computation_lists(size, seed):
    cand = candidates.build(_generated(size, seed))
    compared = 0
    for c in cand.problem.cohorts.values():
        for i, expected in enumerate(_plain_cohort_starts(cand, c)):
            assert cand.cohort_starts[(c.id, i)] == expected
            assert cand.start_mask(c.id, i) == cand.sets.of(expected)
            compared += len(expected)
    assert compared > 1000


@pytest.mark.parametrize("hours", [("09:00", "17:00"), ("00:00", "24:00")])
def test_starts_inside_a_cohorts_windows_are_those_of_its_intervals_whatever_its_hours(hours):
    """Hours to midnight merge the windows across it: a session may then
    span it, which the day-by-day masks cannot see, so the intervals decide."""
    days = ["mon", "tue", "wed", "thu", "fri"]
    blocked = [["2027-01-05T10:00:00", "2027-01-05T14:00:00"]]
    team = cohort("c1", hours={"days": days, "from": hours[0], "to": hours[1]},
                  unavailable=blocked)  # fmt: skip
    p = problem(doc(programs=[program(sessions=[120])], cohorts=[team]))
    cand = candidates.build(p)
    expected = cand.grid.starts_within(cand.grid.cohort_windows(p.cohorts["c1"]), 120)
    assert cand.cohort_starts[("c1", 0)] == expected
    assert len(expected) > 10


def test_a_cohort_with_no_common_day_for_its_sessions_gets_no_start():
    # Two sessions 5 to 6 days apart inside a Monday-to-Friday horizon: no pair of days fits.
    p = problem(doc(programs=[program(sessions=[60, 60], gap_days=[5, 6])]))
    cand = candidates.build(p)
    assert cand.cohort_starts[("c1", 0)] == cand.cohort_starts[("c1", 1)] == []
    assert cand.start_mask("c1", 0) == 0


# A calendar with people who have buffers and daily maxima, in person, to fill at random.
BUSY = doc(
    horizon={"start": "2027-01-04", "end": "2027-01-15"},
    slot_minutes=30,
    programs=[program(mode="in_person", sessions=[90, 60], gap_days=[0, 4], seats=[1, 30])],
    cohorts=[cohort(f"c{k}", 5, learners=[f"e{k % 4}"], conflict_groups=[f"t{k % 3}"])
             for k in range(8)],
    facilitators=[
        facilitator("ana", buffer_minutes=30, max_minutes_per_day=180),
        facilitator("ben", buffer_minutes=15, timezone="America/New_York"),
        facilitator("cat", max_minutes_per_day=120, timezone="Asia/Singapore"),
    ],
    rooms=[room("big", 30), room("small", 10, hourly_cost=2.0)],
)  # fmt: skip


PEOPLE = ("ana", "ben", "cat")


def test_free_start_masks_agree_with_the_exact_tests_through_bookings_and_take_backs():
    cand = candidates.build(problem(BUSY))
    cal = Calendar(cand)
    rng = random.Random(11)
    starts = cand.grid.slot_starts
    cohorts = list(cand.problem.cohorts)
    booked: list[tuple[dict[str, int], PlannedSession]] = []
    compared = 0
    for step in range(60):
        if booked and rng.random() < 0.3:  # a try taken back, as the greedy does
            parts, session = booked.pop(rng.randrange(len(booked)))
            cal.unbook(parts, session)
        else:
            c, f = rng.choice(cohorts), rng.choice(PEOPLE)
            r = rng.choice(["big", "small"])
            t, minutes = rng.choice(starts), rng.choice((60, 90))
            if (cal.facilitator_fits(f, t, minutes) and cal.room_fits(r, t, minutes)
                    and cal.learners_fit([c], t, minutes)):  # fmt: skip
                session = PlannedSession(0, t, minutes, f, r)
                cal.book({c: 5}, session)
                booked.append(({c: 5}, session))
        if step % 6:
            continue
        for minutes in (60, 90):
            for f in PEOPLE:
                assert cand.sets.listed(cal.free.facilitator(f, minutes)) == [
                    t for t in starts if cal.facilitator_fits(f, t, minutes)
                ]
            for r in ("big", "small"):
                assert cand.sets.listed(cal.free.room(r, minutes)) == [
                    t for t in starts if cal.room_fits(r, t, minutes)
                ]
            for c in cohorts[:3]:
                assert cand.sets.listed(cal.free.learners([c], minutes)) == [
                    t for t in starts if cal.learners_fit([c], t, minutes)
                ]
            anyone = cal.free.qualified(cand.problem.programs["p"], minutes)
            assert cand.sets.listed(anyone) == [
                t for t in starts if any(cal.facilitator_fits(f, t, minutes) for f in PEOPLE)
            ]
            compared += 1
    assert len(booked) >= 8 and compared >= 20


def test_a_mask_keeps_every_start_the_exact_test_accepts_once_bookings_overlap():
    """Fixed sessions are booked whatever they clash with; ``Bookings.clashes`` may then miss a
    clash, and a mask must never be stricter than the test it stands in for."""
    cand = candidates.build(problem(BUSY))
    cal = Calendar(cand)
    day = cand.grid.day_starts[0] + 9 * 60
    for start, end in ((day, day + 240), (day + 60, day + 120)):  # the second inside the first
        cal.book({"c0": 5}, PlannedSession(0, start, end - start, "ben", "big"))
    assert cal.room["big"].overlapped
    for minutes in (60, 90):
        exact = [t for t in cand.grid.slot_starts if cal.room_fits("big", t, minutes)]
        assert set(exact) <= set(cand.sets.listed(cal.free.room("big", minutes)))
        assert any(day <= t < day + 240 for t in exact)  # the exact test misses the long one


def test_start_sets_of_a_grid_number_every_start_once():
    grid = TimeGrid(problem(BUSY))
    sets = StartSets(grid)
    assert [sets.position[t] for t in grid.slot_starts] == list(range(len(grid.slot_starts)))
    assert union(sets.day_masks) == sets.everything
    assert sum(bin(m).count("1") for m in sets.day_masks) == len(grid.slot_starts)
