"""The greedy plan's choice of facilitator (``bookings.Calendar.cheapest_free``): the cheapest
one free at a start, if_need_be included, the first in the ranking on a tie; the same as testing
every qualified facilitator and taking the cheapest, which it avoids doing."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from tiny import doc, facilitator, problem

from solver import candidates
from solver.bookings import Calendar
from solver.plan import PlannedSession

GROUP = "p@virtual"
RATES = {"ana": 50.0, "ben": 80.0, "cai": 80.0, "dee": 200.0, "eve": 300.0}


def _calendar():
    people = [facilitator(f, hourly_rate=rate) for f, rate in RATES.items()]
    # Ana teaches on Monday morning only if need be, at 100 an hour on top of her rate.
    people[0].update(if_need_be=[["2027-01-04T09:00", "2027-01-04T12:00"]], if_need_be_cost=100.0)
    cand = candidates.build(problem(doc(facilitators=people)))
    cal = Calendar(cand)
    group = cand.groups[GROUP]
    return cal, group, cal.ranked(group, cand.qualified["p"])


def _at(cal, hour: int, day: int = 4) -> int:
    return cal.cand.grid.minute(datetime(2027, 1, day, hour, 0, tzinfo=ZoneInfo("Europe/London")))


def _by_testing_everyone(cal, group, options, start, minutes=60):
    free = cal.free_facilitators(options, start, minutes)
    return min(free, key=lambda f: cal.session_price(group, f, start, minutes), default=None)


def test_the_cheapest_free_facilitator_teaches():
    cal, group, ranked = _calendar()
    assert cal.cheapest_free(group, ranked, _at(cal, 14), 60) == "ana"


def test_if_need_be_counts_so_a_reluctant_cheapest_gives_way_to_the_next():
    cal, group, ranked = _calendar()
    assert cal.cheapest_free(group, ranked, _at(cal, 10), 60) == "ben"  # ana: 50 + 100


def test_on_a_tie_the_first_in_the_ranking_teaches_and_a_booked_one_is_passed_over():
    cal, group, ranked = _calendar()
    assert ranked.index("ben") < ranked.index("cai")
    start = _at(cal, 10)
    cal.book({"c1": 10}, PlannedSession(0, start, 60, "ben", None))
    assert cal.cheapest_free(group, ranked, start, 60) == "cai"


def test_nobody_free_gives_none():
    cal, group, ranked = _calendar()
    start = _at(cal, 15)
    for f in RATES:
        cal.book({"c1": 10}, PlannedSession(0, start, 60, f, None))
    assert cal.cheapest_free(group, ranked, start, 60) is None


def test_it_chooses_as_testing_every_facilitator_would_under_random_bookings():
    cal, group, ranked = _calendar()
    rng = random.Random(7)
    starts = [_at(cal, h, d) for d in range(4, 9) for h in range(8, 18)]
    for _ in range(200):
        start = rng.choice(starts)
        expected = _by_testing_everyone(cal, group, ranked, start)
        assert cal.cheapest_free(group, ranked, start, 60) == expected
        if expected is not None and rng.random() < 0.5:
            cal.book({"c1": 10}, PlannedSession(0, start, 60, expected, None))
