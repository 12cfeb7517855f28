"""Each ingredient of the analytic bound stays at or below the matching cost item of an optimum.

On random tiny problems the cheapest schedule is found by brute force (test_properties: every
formation, start, facilitator and room, judged by the checker and ``solver.cost`` alone). Taking
each group's learners placed by that optimum as P, every floor of ``solver.lower_bound`` at P is
at most what the optimum pays for that item: so the bound, the cheapest sum of floors over every
P, is at most the optimum, and each ingredient is valid on its own.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from test_properties import brute_force_best, small_problems
from tiny import problem

from solver import candidates
from solver.lower_bound import (
    analytic_bound,
    left_out_floor,
    reachable_learners,
    seat_floor,
    section_floor,
    section_items,
)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _optimum_by_group(document):
    """(candidates, the optimum's cost items, learners it places per group)."""
    cand = candidates.build(problem(document))
    cost, schedule = brute_force_best(document)
    placed = dict.fromkeys(cand.groups, 0)
    for section in schedule.get("sections", []):
        for part in section["cohorts"]:
            placed[cand.group_of[part["cohort"]]] += part["learners"]
    return cand, cost, placed


def _cents(money: float) -> int:
    return round(money * 100)


@SETTINGS
@given(small_problems(tiny=True))
def test_the_seat_floor_is_what_the_optimum_pays_for_seats(document):
    """Every placed learner pays seat_cost in every session."""
    cand, cost, placed = _optimum_by_group(document)
    floor = sum(seat_floor(g, placed[k]) for k, g in cand.groups.items())
    assert floor <= _cents(cost["seats"])


@SETTINGS
@given(small_problems(tiny=True))
def test_the_cheapest_facilitator_and_travel_per_session_is_below_the_optimums(document):
    """ceil(P / capacity) sections, each session at least the cheapest qualified facilitator's
    pay plus travel to the group's site."""
    cand, cost, placed = _optimum_by_group(document)
    floor = 0
    for key, group in cand.groups.items():
        section = section_items(cand, group)
        if section is None:
            assert placed[key] == 0  # nobody can teach it (or no room): nobody placed
            continue
        pay, travel, _ = section_floor(group, placed[key], section)
        floor += pay + travel
    assert floor <= _cents(cost["facilitators"] + cost["travel"])


@SETTINGS
@given(small_problems(tiny=True))
def test_the_cheapest_room_per_session_is_below_the_optimums_rooms(document):
    """In person, each session of those sections books at least the cheapest room that seats the
    program's minimum."""
    cand, cost, placed = _optimum_by_group(document)
    floor = 0
    for key, group in cand.groups.items():
        section = section_items(cand, group)
        if section is not None:
            floor += section_floor(group, placed[key], section)[2]
    assert floor <= _cents(cost["rooms"])


@SETTINGS
@given(small_problems(tiny=True))
def test_leaving_out_the_cheapest_learners_is_below_the_optimums_unscheduled_cost(document):
    """Learners no section can hold pay their unscheduled cost; of the others, the N - P
    cheapest at best."""
    cand, cost, placed = _optimum_by_group(document)
    floor = 0
    for key, group in cand.groups.items():
        reachable, forced = reachable_learners(cand, group)
        assert placed[key] <= len(reachable)  # the optimum places only placeable learners
        cheapest_out = list(itertools.accumulate(reachable, initial=0))
        floor += forced + left_out_floor(cheapest_out, placed[key])
    assert floor <= _cents(cost["unscheduled"])


@SETTINGS
@given(small_problems(tiny=True))
def test_the_analytic_bound_is_below_the_optimum(document):
    cand, cost, _ = _optimum_by_group(document)
    assert analytic_bound(cand) <= cost["total"]
