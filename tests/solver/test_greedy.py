"""The greedy baseline: what a careful coordinator does by hand, and always a valid schedule."""

from __future__ import annotations

from test_solve import ISSUE_EXAMPLE
from tiny import cohort, doc, facilitator, problem, program, room, sessions, solved, unscheduled

from solver import candidates
from solver.bookings import Calendar
from solver.check import check
from solver.greedy import greedy, place_section


def test_greedy_schedule_of_the_issue_example_passes_the_checker_and_keeps_the_fixed_session():
    p = problem(ISSUE_EXAMPLE)
    schedule = greedy(p)
    assert check(p, schedule) == []
    s1 = next(s for s in schedule["sections"] if s["id"] == "S1")
    assert s1["sessions"][0]["start"] == "2027-01-06T09:00:00+00:00"


def test_greedy_takes_the_earliest_slot_with_the_cheapest_free_facilitator():
    people = [facilitator("ana"), facilitator("bob", hourly_rate=50.0)]
    schedule = greedy(problem(doc(facilitators=people)))
    [x] = sessions(schedule)
    assert (x["start"], x["facilitator"]) == ("2027-01-04T09:00:00+00:00", "bob")


def test_greedy_first_fit_can_strand_a_cohort_that_the_optimiser_places():
    document = doc(programs=[program(seats=[6, 10])], cohorts=[cohort(c, 4) for c in "abc"])
    by_hand = greedy(problem(document))
    assert unscheduled(by_hand) == {"c": 4}
    optimised = solved(document)
    assert unscheduled(optimised) == {}
    assert optimised["cost"]["total"] < by_hand["cost"]["total"]


def _booked(cal) -> dict:
    """What a calendar holds: every resource's intervals and each facilitator's minutes a day."""
    kinds = {"facilitator": cal.facilitator, "room": cal.room, "learners": cal.learners}
    held = {
        (kind, name): list(zip(b.starts, b.ends, strict=True))
        for kind, bookings in kinds.items()
        for name, b in bookings.items()
        if b.starts
    }
    return {**held, "days": {k: m for k, m in cal.day_minutes.items() if m}}


def test_a_placement_is_left_booked_only_when_asked_and_then_exactly_as_returned():
    document = doc(
        programs=[program(sessions=[120, 60], mode="in_person")],
        cohorts=[cohort("a", 8), cohort("b", 8)],
        facilitators=[facilitator("ana")],
        rooms=[room("r1")],
    )
    cand = candidates.build(problem(document))
    group = next(iter(cand.groups.values()))
    cal = Calendar(cand)
    looked = place_section(cand, cal, group, {"a": 8})
    assert _booked(cal) == _booked(Calendar(cand))  # a look books nothing
    placed = place_section(cand, cal, group, {"a": 8}, book=True)
    assert placed == looked
    expected = Calendar(cand)
    for x in placed:
        expected.book({"a": 8}, x)
    assert _booked(cal) == _booked(expected)
    second = place_section(cand, cal, group, {"b": 8}, book=True)
    taken = {(x.start, x.end) for x in placed}
    assert all((x.start, x.end) not in taken for x in second)  # ana and r1 are taken then
