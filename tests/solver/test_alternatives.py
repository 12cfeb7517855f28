"""The move assistant lists only moves the checker accepts, ranked by cost change then people."""

from __future__ import annotations

from datetime import UTC, date, datetime

from solver.alternatives import alternatives, free_options, section_candidates
from solver.cost import recompute_cost
from solver.localtime import to_local
from solver.moves import Move, move_violations, moved_documents
from solver.scheduled import read_schedule
from tests.solver import tiny
from tests.solver.move_world import MON, at, problem_doc, schedule_doc


def test_every_listed_alternative_passes_the_whole_checker_when_applied():
    problem = problem_doc()
    problem["programs"][0]["same_facilitator"] = False
    schedule = schedule_doc(problem)
    listed = alternatives(problem, schedule, "S1", 0)
    assert len(listed) == 12
    for alt in listed:
        move = Move("S1", 0, alt.start, alt.facilitator, alt.room)
        moved_problem, moved = moved_documents(problem, schedule, move)
        assert move_violations(moved_problem, moved) == ([], [])
        assert round(moved["cost"]["total"] - schedule["cost"]["total"], 2) == alt.cost_change


def test_the_cheaper_facilitator_and_room_at_the_same_time_rank_first():
    problem = problem_doc()
    problem["programs"][0]["same_facilitator"] = False
    schedule = schedule_doc(problem)
    best = alternatives(problem, schedule, "S1", 0)[0]
    # Ana at 100/h instead of Ben at 200/h and Lyon 2 at 10/h instead of Thames at 50/h, 2 hours.
    assert (best.start, best.facilitator, best.room) == (at(MON, 9), "ana", "r1")
    assert best.cost_change == -280.0
    assert best.changes == ("facilitator", "room")
    assert best.people == 10 + 2  # the learners, Ben and Ana


def test_fewer_people_affected_ranks_first_at_equal_cost():
    problem = problem_doc()
    schedule = schedule_doc(problem)
    listed = alternatives(problem, schedule, "S1", 0)
    assert all(a.cost_change <= b.cost_change for a, b in zip(listed, listed[1:], strict=False))
    # Lyon 2 at the same time (the room changes) and at 10:00 (time and room) cost the same;
    # the earlier start is first among equals.
    assert (listed[0].start, listed[0].room, listed[0].cost_change) == (at(MON, 9), "r1", -80.0)


def test_a_program_keeping_one_facilitator_offers_only_the_sections_own():
    problem = problem_doc()
    schedule = schedule_doc(problem)
    assert {a.facilitator for a in alternatives(problem, schedule, "S1", 0)} == {"ben"}


def test_a_busy_room_and_a_facilitators_break_are_never_offered():
    problem = problem_doc()
    problem["programs"][0]["same_facilitator"] = False
    schedule = schedule_doc(problem)
    listed = alternatives(problem, schedule, "S1", 0, listed=200)
    # S2 holds Lyon 2 with Ana Monday 13:00-15:00; Ana needs 30 minutes between sessions.
    for alt in listed:
        if alt.room == "r1":
            assert not (alt.start < at(MON, 15) and alt.end > at(MON, 13))
        if alt.facilitator == "ana":
            assert not (alt.start < at(MON, 15, 30) and alt.end > at(MON, 12, 30))
    assert any(a.facilitator == "ana" for a in listed)


def test_the_current_placement_is_not_an_alternative():
    problem = problem_doc()
    schedule = schedule_doc(problem)
    listed = alternatives(problem, schedule, "S1", 0, listed=200)
    assert (at(MON, 9), "ben", "r2") not in {(a.start, a.facilitator, a.room) for a in listed}


def test_a_move_against_the_published_schedule_counts_the_change():
    problem = problem_doc(change_cost=500.0)
    schedule = schedule_doc(problem)
    listed = alternatives(problem, schedule, "S1", 0, published=schedule)
    # Every alternative moves a published session: 500 more than without a published schedule.
    unpublished = {
        (a.start, a.facilitator, a.room): a.cost_change
        for a in alternatives(problem, schedule, "S1", 0)
    }
    compared = [a for a in listed if (a.start, a.facilitator, a.room) in unpublished]
    assert len(compared) >= 6
    for alt in compared:
        key = (alt.start, alt.facilitator, alt.room)
        assert alt.cost_change == unpublished[key] + 500.0


def test_learners_shared_with_another_section_keep_its_times_free_before_any_check():
    problem = problem_doc()
    problem["cohorts"][0]["learners"] = ["l1"]  # north and south share a learner
    problem["cohorts"][1]["learners"] = ["l1"]
    parsed = tiny.problem(problem)
    placed = read_schedule(parsed, schedule_doc(problem))
    session = next(s for s in placed.sessions if (s.section.id, s.index) == ("S1", 0))
    cand = section_candidates(parsed, session)
    options = list(free_options(parsed, cand, placed, session, None))
    assert options
    monday_13, monday_15 = cand.grid.minute(at(MON, 13)), cand.grid.minute(at(MON, 15))
    for option in options:  # S2 meets Monday 13:00-15:00
        assert not (option.start < monday_15 and option.start + 120 > monday_13)


def test_alternatives_across_the_spring_clock_change_keep_local_hours():
    """London's clocks go forward on Sunday 28 March 2027: 09:00 local is 09:00 UTC on Thursday
    25 and 08:00 UTC on Monday 29."""
    problem = tiny.doc(
        horizon={"start": "2027-03-22", "end": "2027-04-02"},
        programs=[tiny.program(sessions=[120], mode="virtual")],
        cohorts=[
            tiny.cohort(
                "north",
                10,
                hours={"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "12:00"},
            )
        ],
    )
    sessions = [{"index": 0, "start": "2027-03-26T09:00:00Z", "end": "2027-03-26T11:00:00Z",
                 "facilitator": "ana", "room": None}]  # fmt: skip
    schedule = {
        "format": "cohort-scheduler/schedule/v1",
        "status": "feasible",
        "sections": [{"id": "S1", "program": "p", "cohorts": [{"cohort": "north", "learners": 10}],
                      "size": 10, "sessions": sessions}],
        "unscheduled": [],
        "cost": {},
    }  # fmt: skip
    schedule["cost"] = recompute_cost(tiny.problem(problem), schedule)
    listed = alternatives(problem, schedule, "S1", 0, listed=200)
    local = [(to_local(a.start, "Europe/London"), to_local(a.end, "Europe/London")) for a in listed]
    assert all(start.hour >= 9 and end.hour <= 12 for start, end in local)
    monday = [a.start for a in listed if a.start.date() == date(2027, 3, 29)]
    assert min(monday) == datetime(2027, 3, 29, 8, tzinfo=UTC)  # 09:00 BST
    thursday = [a.start for a in listed if a.start.date() == date(2027, 3, 25)]
    assert min(thursday) == datetime(2027, 3, 25, 9, tzinfo=UTC)  # 09:00 GMT
