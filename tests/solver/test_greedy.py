"""The greedy baseline: what a careful coordinator does by hand, and always a valid schedule."""

from __future__ import annotations

from test_solve import ISSUE_EXAMPLE
from tiny import cohort, doc, facilitator, problem, program, sessions, solved, unscheduled

from solver.check import check
from solver.greedy import greedy


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
