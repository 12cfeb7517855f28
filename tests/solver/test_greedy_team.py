"""Who is free at a start, read from a tree of masks (``free_starts._Team.free_at``), and the
greedy plan that asks it instead of each facilitator in turn: the same people in the same
order, so the same plan."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver import candidates, free_starts, greedy
from solver.free_starts import _Team
from solver.greedy import greedy_plan
from solver.validate import parse_problem

MASKS = st.lists(st.integers(min_value=0, max_value=(1 << 40) - 1), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(masks=MASKS, k=st.integers(min_value=0, max_value=39))
def test_free_at_lists_the_people_whose_mask_holds_the_start_in_their_order(masks, k):
    people = [f"f{i}" for i in range(len(masks))]
    team = _Team(people, 60, masks)
    assert list(team.free_at(k)) == [f for f, m in zip(people, masks, strict=True) if m >> k & 1]


@settings(max_examples=100, deadline=None)
@given(masks=MASKS, changes=st.lists(st.tuples(st.integers(0, 39), st.integers(0, (1 << 40) - 1))))
def test_free_at_follows_a_changed_mask(masks, changes):
    people = [f"f{i}" for i in range(len(masks))]
    team = _Team(people, 60, list(masks))
    now = dict(zip(people, masks, strict=True))
    for i, mask in changes:
        f = people[i % len(people)]
        now[f] = mask
        team.put(team.where[f], mask)
    for k in range(40):
        assert list(team.free_at(k)) == [f for f in people if now[f] >> k & 1]


def _generated(size: str, seed: int):
    from bench.generate import generate

    parsed, errors = parse_problem(generate(size, seed))
    assert not errors
    return parsed


def _sections(plan):
    return sorted(
        (s.group, sorted(s.parts.items()), [(x.start, x.facilitator, x.room) for x in s.sessions])
        for s in plan.sections
    )


@pytest.mark.parametrize("size,seed", [("M", 1), ("M", 11)])
def test_the_plan_read_from_the_tree_is_the_plan_of_asking_each_facilitator(
    monkeypatch, size, seed
):
    """Generated M has programs taught by one facilitator throughout and by any; from two
    qualified facilitators up every section reads the tree."""
    problem = _generated(size, seed)
    assert {p.same_facilitator for p in problem.programs.values()} == {True, False}
    monkeypatch.setattr(free_starts, "TEAM_FROM", 10**9)
    each = greedy_plan(candidates.build(problem))

    monkeypatch.setattr(free_starts, "TEAM_FROM", 2)
    teams, team_of = [], greedy._team

    def counted(cal, group, ranked):
        team = team_of(cal, group, ranked)
        teams.append((team is not None, group.program.same_facilitator))
        return team

    monkeypatch.setattr(greedy, "_team", counted)
    tree = greedy_plan(candidates.build(problem))
    assert {(True, True), (True, False)} <= set(teams)  # both kinds of program read the tree
    assert each.sections and _sections(tree) == _sections(each)


def test_a_groups_rooms_for_a_size_are_those_seating_it_cheapest_first_and_kept():
    """``Calendar.rooms_seating`` is the sort it replaced (by hourly cost, then seats) over the
    rooms that seat the size; sizes that the same rooms seat share one list (and its masks)."""
    from solver.bookings import Calendar

    cand = candidates.build(_generated("M", 1))
    cal = Calendar(cand)
    rooms = cand.problem.rooms
    group = next(g for g in cand.groups.values() if len(cand.rooms_for(g)) >= 3)
    seats = sorted({rooms[r].capacity for r in cand.rooms_for(group)})
    for size in range(1, seats[-1] + 2):
        expected = sorted(
            (r for r in cand.rooms_for(group) if rooms[r].capacity >= size),
            key=lambda r: (rooms[r].hourly_cost, rooms[r].capacity),
        )
        assert cal.rooms_seating(group, size) == expected
    assert len(seats) >= 2
    assert cal.rooms_seating(group, 1) is cal.rooms_seating(group, seats[0])
    assert cal.rooms_seating(group, 1) is not cal.rooms_seating(group, seats[0] + 1)
    assert cal.rooms_seating(group, seats[-1] + 1) == []
