"""The move check (``solver.check_move``) answers as the whole checker does on the moved documents.

The move assistant checks each placement with the checker's own rules on the part of the schedule
a move can change; these tests run the whole checker (``solver.moves``) on the same moves, on
random benchmark problems with their greedy schedule, and compare.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bench.generate import generate
from solver.alternatives import alternatives, free_options, section_candidates, total_cost
from solver.check import COMPOSITION_RULES, COST_RULES, RULES, SECTION_RULES, check
from solver.check_move import MoveCheck, rest_violations
from solver.check_resources import SHARED_RESOURCE_RULES
from solver.greedy import greedy
from solver.moves import Move, move_violations, moved_documents
from solver.scheduled import read_schedule
from solver.validate import parse_problem
from tests.solver.move_world import MON, at, problem_doc, schedule_doc


def test_the_rule_groups_hold_every_rule_of_the_checker_once():
    groups = (*COMPOSITION_RULES, *SECTION_RULES, *SHARED_RESOURCE_RULES, *COST_RULES)
    assert sorted(r.__name__ for r in groups) == sorted(r.__name__ for r in RULES)
    assert len(groups) == len(set(groups)) == len(RULES)


def _world(seed: int):
    """A random benchmark problem (change cost 25) and its greedy schedule, also published."""
    document = dict(generate("S", seed), change_cost=25.0)
    problem, errors = parse_problem(document)
    assert errors == []
    schedule = greedy(problem)
    assert check(problem, schedule) == []
    return document, schedule


def _placements(rng, problem, cand, placed, session, published):
    """The assistant's own free options (mostly valid) and random placements near the session
    (mostly not): other days and hours, any facilitator, any room or none."""
    options = list(free_options(problem, cand, placed, session, published))
    for option in rng.sample(options, min(8, len(options))):
        yield cand.grid.instant(option.start), option.facilitator, option.room
    facilitators, rooms = sorted(problem.facilitators), [None, *sorted(problem.rooms)]
    for _ in range(12):
        shift = timedelta(minutes=problem.slot_minutes * rng.randint(-150, 150))
        yield session.start + shift, rng.choice(facilitators), rng.choice(rooms)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_move_check_answers_as_the_whole_checker_on_random_placements(seed):
    document, schedule = _world(seed)
    doc = dict(document, previous=schedule)
    problem, _ = parse_problem(doc)
    placed = read_schedule(problem, schedule)
    rng = random.Random(seed)
    verdicts = {True: 0, False: 0}
    for session in rng.sample(placed.sessions, 6):
        assert rest_violations(problem, placed, session.section) == []
        cand = section_candidates(problem, session)
        checker = MoveCheck(problem, placed, session)
        for start, facilitator, room in _placements(rng, problem, cand, placed, session, schedule):
            move = Move(session.section.id, session.index, start, facilitator, room)
            moved_problem, moved = moved_documents(document, schedule, move, schedule)
            errors, violations = move_violations(moved_problem, moved)
            found, cost = checker.violations(start, facilitator, room)
            valid = not (errors or violations)
            assert (found == []) == valid, (move, errors, violations, found)
            if not errors:  # (with errors the moved cost is not recomputed)
                assert cost == moved["cost"], move
            verdicts[valid] += 1
    assert verdicts[True] >= 10 and verdicts[False] >= 10, verdicts


@pytest.mark.parametrize("seed", [4, 5])
def test_every_alternative_on_a_random_problem_passes_the_whole_checker_when_applied(seed):
    document, schedule = _world(seed)
    every = [(s["id"], x["index"]) for s in schedule["sections"] for x in s["sessions"]]
    before = total_cost(document, schedule, schedule)
    listed_any = 0
    for section, index in random.Random(seed).sample(every, 5):
        listed = alternatives(document, schedule, section, index, published=schedule)
        listed_any += bool(listed)
        for alt in listed:
            move = Move(section, index, alt.start, alt.facilitator, alt.room)
            moved_problem, moved = moved_documents(document, schedule, move, schedule)
            assert move_violations(moved_problem, moved) == ([], [])
            assert alt.cost_change == round(moved["cost"]["total"] - before, 2)
    assert listed_any >= 3


def test_a_broken_session_still_gets_alternatives_and_the_others_none():
    """Ana's leave on Monday afternoon breaks S2's first session: moving it mends the plan, and
    no move of another session can (the whole checker still finds S2 broken)."""
    problem = problem_doc()
    problem["programs"][0]["same_facilitator"] = False
    schedule = schedule_doc(problem)
    problem["facilitators"][0]["unavailable"] = [["2027-01-04T12:00", "2027-01-04T18:00"]]
    mending = alternatives(problem, schedule, "S2", 0, listed=200)
    assert mending
    for alt in mending:
        assert not (alt.facilitator == "ana" and alt.start < at(MON, 18) and alt.end > at(MON, 12))
        move = Move("S2", 0, alt.start, alt.facilitator, alt.room)
        assert move_violations(*moved_documents(problem, schedule, move)) == ([], [])
    assert alternatives(problem, schedule, "S1", 0, listed=200) == []
    # The whole checker agrees: S1's free options all leave S2 broken.
    parsed, _ = parse_problem(problem)
    placed = read_schedule(parsed, schedule)
    s1 = next(s for s in placed.sessions if (s.section.id, s.index) == ("S1", 0))
    cand = section_candidates(parsed, s1)
    options = list(free_options(parsed, cand, placed, s1, None))
    assert options
    for option in options[:10]:
        move = Move("S1", 0, cand.grid.instant(option.start), option.facilitator, option.room)
        errors, violations = move_violations(*moved_documents(problem, schedule, move))
        assert any(v["rule"] == "facilitator_unavailable" for v in violations)
