"""Repacking and rooms (issue 18, the demo's cost): a repacked section goes to the cheapest room
it fits even when that one is free only later, and a group may be packed to a smaller room's
seats when its sections are too large for the cheap rooms. Each plan through the checker."""

from __future__ import annotations

from tiny import cohort, doc, facilitator, problem, program, room

from solver import candidates
from solver.bookings import Calendar
from solver.check import check
from solver.greedy import greedy_plan, place_section
from solver.packing import repack, section_sizes
from solver.plan import price, to_document

GROUP = "p@london"


def _cand(cohorts, rooms, seats=(1, 20)):
    document = doc(
        programs=[program(mode="in_person", seats=list(seats))],
        cohorts=cohorts,
        facilitators=[facilitator("ana", hourly_rate=10.0)],
        rooms=rooms,
    )
    return candidates.build(problem(document))


def _violations(cand, plan):
    document = to_document(cand, plan, status="feasible", reasons={}, solver={}, lower_bound=0.0)
    return check(cand.problem, document)


def test_the_cheapest_placement_waits_for_the_cheap_room_the_earliest_takes_the_dear_one():
    cand = _cand([cohort("a", 8)], [room("cheap", 12, hourly_cost=10.0),
                                    room("dear", 12, hourly_cost=100.0)])  # fmt: skip
    group = cand.groups[GROUP]
    first = cand.cohort_starts[("a", 0)][0]
    cal = Calendar(cand)
    cal.room["cheap"].add(first, first + 60)  # taken by someone else at the first start
    earliest = place_section(cand, cal, group, {"a": 8})
    cheapest = place_section(cand, cal, group, {"a": 8}, cheapest=True)
    assert (earliest[0].start, earliest[0].room) == (first, "dear")  # the greedy, as before
    assert cheapest[0].room == "cheap"
    assert cheapest[0].start > first


def test_section_sizes_are_the_seats_of_rooms_smaller_than_the_groups_capacity():
    rooms = [room("r3", 3), room("r10", 10), room("r12", 12), room("r20", 20)]
    cand = _cand([cohort("a", 20)], rooms, seats=(4, 12))
    assert cand.groups[GROUP].capacity == 12
    assert section_sizes(cand, cand.groups[GROUP]) == [10]  # 3 is under the minimum of 4


def test_packing_to_the_cheap_rooms_seats_costs_less_and_keeps_every_rule():
    rooms = [room("small", 10, hourly_cost=5.0), room("big", 20, hourly_cost=200.0)]
    cand = _cand([cohort("a", 20), cohort("b", 18)], rooms, seats=(4, 20))
    plan = greedy_plan(cand)
    full = repack(cand, plan, GROUP)
    small = repack(cand, plan, GROUP, seats=10)
    assert {x.room for s in full.sections for x in s.sessions} == {"big"}
    assert {x.room for s in small.sections for x in s.sessions} == {"small"}
    assert sum(s.parts.get("a", 0) + s.parts.get("b", 0) for s in small.sections) == 38
    assert price(cand, small)["total"] < price(cand, full)["total"]
    assert _violations(cand, small) == []
