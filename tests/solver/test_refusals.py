"""Refusals of a manual move name the session in the way (not the moved one), count sessions
from 1, and use people's, rooms', programs' and cohorts' names: one test per kind of refusal."""

from __future__ import annotations

from datetime import datetime

from solver.moves import Move, move_violations, moved_documents
from solver.refusals import problem_refusals, refusals
from tests.solver.move_world import FRI, MON, TUE, WED, at, problem_doc, schedule_doc

S2_FIRST = "Till basics section S2, session 1, Mon 4 Jan 13:00–15:00 (Europe/London)"


def refused(problem: dict, section: str, index: int, start: datetime, fac: str, room) -> list[str]:
    schedule = schedule_doc(problem)
    move = Move(section, index, start, fac, room)
    moved_problem, moved = moved_documents(problem, schedule, move)
    errors, violations = move_violations(moved_problem, moved)
    if errors:
        return problem_refusals(errors)
    return refusals(moved_problem, moved, violations, (section, index))


def loose() -> dict:
    """The world with a program that lets one session change facilitator."""
    problem = problem_doc()
    problem["programs"][0]["same_facilitator"] = False
    return problem


def test_room_taken_names_the_session_in_the_way_even_when_the_moved_one_starts_first():
    # S1 moves to 12:00-14:00 in Lyon 2: the checker reports the clash at S2 (the later one).
    found = refused(problem_doc(), "S1", 0, at(MON, 12), "ben", "r1")
    assert f"Room Lyon 2 is taken by {S2_FIRST}." in found
    assert not any("section S1" in sentence for sentence in found)


def test_facilitator_teaching_then_names_the_other_session_and_the_break():
    found = refused(loose(), "S1", 0, at(MON, 15), "ana", "r2")
    assert found == [f"Ana Silva is teaching {S2_FIRST} (and needs 30 minutes between sessions)."]


def test_shared_learners_name_the_other_cohort_and_its_session():
    problem = problem_doc()
    problem["cohorts"][0]["learners"] = ["l1"]
    problem["cohorts"][1]["learners"] = ["l1"]
    found = refused(problem, "S1", 0, at(MON, 13), "ben", "r2")
    assert f"Some of the learners are also in cohort south, which has {S2_FIRST}." in found


def test_facilitator_unavailable_names_the_person_and_the_local_time():
    problem = problem_doc()
    problem["facilitators"][1]["unavailable"] = [["2027-01-05T00:00", "2027-01-06T00:00"]]
    found = refused(problem, "S1", 1, at(TUE, 9), "ben", "r2")
    assert found == ["Ben Okafor is not available Tue 5 Jan 09:00–11:00 (Europe/London)."]


def test_room_closed_on_a_holiday_says_which():
    problem = problem_doc()
    problem["rooms"][1]["unavailable"] = [["2027-01-05T00:00", "2027-01-06T00:00"]]
    problem["rooms"][1]["x-closed-days"] = {"2027-01-05": "Site refit"}
    found = refused(problem, "S1", 1, at(TUE, 9), "ben", "r2")
    assert found == [
        "Room Thames is not available Tue 5 Jan 09:00–11:00 (Europe/London) (closed: Site refit)."
    ]


def test_daily_maximum_names_the_person_the_day_and_the_limit():
    problem = loose()
    problem["facilitators"][0]["max_minutes_per_day"] = 180
    found = refused(problem, "S1", 0, at(MON, 9), "ana", "r2")
    assert found == [
        "Ana Silva would teach 240 minutes on Mon 4 Jan, more than their daily maximum of 180."
    ]


def test_missing_skill_names_the_person_and_the_program():
    problem = loose()
    problem["facilitators"].append({"id": "cy", "name": "Cy Moreau", "skills": ["other"]})
    found = refused(problem, "S1", 0, at(MON, 9), "cy", "r2")
    assert found == ["Cy Moreau does not teach Till basics (it needs the skill 's')."]


def test_one_facilitator_per_section_names_who_teaches_the_other_session():
    found = refused(problem_doc(), "S1", 0, at(MON, 9), "ana", "r2")
    assert found == [
        "Till basics keeps one facilitator for all the sessions of a section: "
        "Ben Okafor teaches session 2 of section S1."
    ]


def test_room_too_small_names_room_seats_and_learners():
    problem = problem_doc()
    problem["rooms"][0]["capacity"] = 9
    found = refused(problem, "S1", 0, at(MON, 9), "ben", "r1")
    assert found == ["Room Lyon 2 seats 9; the section has 10 learners."]


def test_spacing_names_the_neighbouring_session_numbered_from_one():
    found = refused(problem_doc(), "S1", 1, at(FRI, 9), "ben", "r2")
    assert found == [
        "Session 1 of this section is Mon 4 Jan 09:00–11:00 (Europe/London): the program "
        "needs 1 to 3 days between sessions, this would be 4."
    ]


def test_order_names_the_later_session_when_the_moved_one_comes_first():
    found = refused(problem_doc(), "S1", 0, at(WED, 12), "ben", "r2")
    assert (
        "Sessions must stay in order: session 2 of this section is Wed 6 Jan 09:00–11:00 (Europe/London)."
        in found
    )


def test_attendance_hours_name_the_cohort():
    found = refused(problem_doc(), "S1", 0, at(MON, 7), "ben", "r2")
    assert (
        "Mon 4 Jan 07:00–09:00 (Europe/London) is outside the attendance hours of cohort north."
        in found
    )


def test_outside_the_planning_period_is_refused_as_the_fixed_start_it_would_be():
    start = datetime.fromisoformat("2027-01-11T09:00+00:00")
    found = refused(problem_doc(), "S1", 1, start, "ben", "r2")
    assert found == [
        "This change is not possible: start 2027-01-11 09:00 (Europe/London) is outside the "
        "planning period."
    ]


def test_start_off_the_grid_is_refused_in_local_time():
    found = refused(problem_doc(), "S1", 1, at(WED, 9, 30), "ben", "r2")
    assert found == [
        "This change is not possible: start 2027-01-06 09:30 (Europe/London) is not on the "
        "60-minute grid of start times."
    ]
