"""The independent checker: one small test per rule, each "given this change, the rule reports a
violation at this path", plus the valid schedule that passes every rule."""

from __future__ import annotations

import pytest

from solver.check import RULES, check
from solver.validate import parse_problem


def sessions(schedule, section):
    return schedule["sections"][section]["sessions"]


def test_the_valid_schedule_passes_every_rule(problem_doc, schedule_doc, violations):
    assert violations(problem_doc, schedule_doc) == set()


def test_every_rule_states_itself_in_one_sentence():
    for rule in RULES:
        assert rule.__doc__ and rule.__doc__.strip()[0].isupper(), rule.__name__


def test_a_document_that_is_not_a_schedule_is_reported(problem_doc):
    problem, _ = parse_problem(problem_doc)
    assert check(problem, {"format": "x", "status": "done"}) == [
        {
            "rule": "schedule_format",
            "path": "format",
            "message": 'must be "cohort-scheduler/schedule/v1"',
        },
        {"rule": "schedule_format", "path": "status", "message": "unknown status 'done'"},
        {"rule": "schedule_format", "path": "cost", "message": "must be an object"},
    ]


def test_an_infeasible_schedule_has_no_sections(problem_doc, schedule_doc, violations):
    schedule_doc["status"] = "infeasible"
    assert violations(problem_doc, schedule_doc) == {("schedule_format", "sections")}
    schedule_doc["sections"] = []
    assert violations(problem_doc, schedule_doc) == set()


def test_unknown_ids_are_reported(problem_doc, schedule_doc, violations):
    sessions(schedule_doc, 0)[0]["facilitator"] = "zoe"
    assert ("unknown_reference", "sections[0].sessions[0].facilitator") in violations(
        problem_doc, schedule_doc
    )


def test_unreadable_times_are_reported(problem_doc, schedule_doc, violations):
    sessions(schedule_doc, 1)[0]["start"] = "2027-01-05 13:00"  # no offset: not an instant
    assert ("schedule_format", "sections[1].sessions[0].start") in violations(
        problem_doc, schedule_doc
    )


# (id, change to the valid schedule or problem, expected rule, expected path)
def _move(section, index, start, end):
    def change(problem, schedule):
        session = sessions(schedule, section)[index]
        session["start"], session["end"] = start, end

    return change


def _set_session(section, index, key, value):
    def change(problem, schedule):
        sessions(schedule, section)[index][key] = value

    return change


def _set_cohort(cohort, key, value):
    def change(problem, schedule):
        problem["cohorts"][cohort][key] = value

    return change


def _drop_second_session(problem, schedule):
    del sessions(schedule, 0)[1]


def _swap_sessions(problem, schedule):
    listed = sessions(schedule, 0)
    listed[0]["index"], listed[1]["index"] = 1, 0


def _merge_virtual_into_first(problem, schedule):
    schedule["sections"][0]["cohorts"].append({"cohort": "vir-1", "learners": 4})
    schedule["sections"][0]["size"] = 19


def _split_lon_2(problem, schedule):
    """lon-2 (not splittable) sits in S1 with 3 learners and in S3, taught by bob, with 2."""
    problem["cohorts"][1]["splittable"] = False
    schedule["sections"][0]["cohorts"][1]["learners"] = 3
    schedule["sections"][0]["size"] = 13
    twin = {"id": "S3", "program": "sec", "size": 2, "cohorts": [{"cohort": "lon-2", "learners": 2}],
            "sessions": [dict(s, facilitator="bob", room="lon-b") for s in sessions(schedule, 0)]}  # fmt: skip
    schedule["sections"].append(twin)


def _shrink_section(problem, schedule):
    problem["cohorts"][0]["size"] = 1
    schedule["sections"][0]["cohorts"] = [{"cohort": "lon-1", "learners": 1}]
    schedule["sections"][0]["size"] = 1
    problem["cohorts"][1]["size"] = 5
    schedule["unscheduled"] = [{"cohort": "lon-2", "learners": 5, "reasons": []}]


def _lose_learners(problem, schedule):
    schedule["sections"][0]["cohorts"][0]["learners"] = 8
    schedule["sections"][0]["size"] = 13


def _fix(**changes):
    def change(problem, schedule):
        fixed = {"section": "S1", "cohorts": [{"cohort": "lon-1", "learners": 10},
                 {"cohort": "lon-2", "learners": 5}], "session": 0, "start": "2027-01-05T09:00",
                 "facilitator": "ana", "room": "lon-a"}  # fmt: skip
        problem["fixed"] = [{**fixed, **changes}]

    return change


def _virtual_in_london_site(problem, schedule):
    problem["cohorts"][1]["site"] = "paris"


def _second_virtual_in_same_group(problem, schedule):
    problem["cohorts"][2]["conflict_groups"] = ["ops"]
    problem["cohorts"][0]["conflict_groups"] = ["ops"]
    problem["cohorts"][2]["learners"] = ["e3", "e4", "e5", "e6"]


CASES = [
    ("program_sessions: a session missing", _drop_second_session, "program_sessions", "sections[0].sessions"),
    ("program_sessions: out of order", _swap_sessions, "program_sessions", "sections[0].sessions[0].index"),
    ("program_sessions: wrong length", _move(1, 0, "2027-01-05T13:00:00+00:00", "2027-01-05T14:30:00+00:00"),
     "program_sessions", "sections[1].sessions[0]"),
    ("slot_grid", _move(1, 0, "2027-01-05T13:15:00+00:00", "2027-01-05T14:15:00+00:00"), "slot_grid",
     "sections[1].sessions[0].start"),
    ("horizon", _move(1, 0, "2027-02-01T13:00:00+00:00", "2027-02-01T14:00:00+00:00"), "horizon",
     "sections[1].sessions[0]"),
    ("cohort_dates", _set_cohort(2, "deadline", "2027-01-04"), "cohort_dates", "sections[1].sessions[0]"),
    ("cohort_hours: too late", _move(1, 0, "2027-01-05T16:30:00+00:00", "2027-01-05T17:30:00+00:00"),
     "cohort_hours", "sections[1].sessions[0]"),
    ("cohort_hours: a weekend", _move(1, 0, "2027-01-09T13:00:00+00:00", "2027-01-09T14:00:00+00:00"),
     "cohort_hours", "sections[1].sessions[0]"),
    ("cohort_unavailable", _set_cohort(2, "unavailable", [["2027-01-05T13:30", "2027-01-05T18:00"]]),
     "cohort_unavailable", "sections[1].sessions[0]"),
    ("gap_days: too close", _move(0, 1, "2027-01-05T14:00:00+00:00", "2027-01-05T16:00:00+00:00"), "gap_days",
     "sections[0].sessions[1].start"),
    ("gap_days: too far", _move(0, 1, "2027-01-13T09:00:00+00:00", "2027-01-13T11:00:00+00:00"), "gap_days",
     "sections[0].sessions[1].start"),
    ("session_order", _move(0, 1, "2027-01-05T10:00:00+00:00", "2027-01-05T12:00:00+00:00"), "session_order",
     "sections[0].sessions[1].start"),
    ("section_program", _merge_virtual_into_first, "section_program", "sections[0].cohorts[2]"),
    ("section_size", lambda p, s: s["sections"][0].update(size=16), "section_size", "sections[0].size"),
    ("seats", _shrink_section, "seats", "sections[0].cohorts"),
    ("mergeable", _set_cohort(1, "mergeable", False), "mergeable", "sections[0].cohorts[1]"),
    ("splittable", _split_lon_2, "splittable", "sections[2].cohorts[0]"),
    ("learners_accounted", _lose_learners, "learners_accounted", "unscheduled"),
    ("fixed_session: moved", _fix(start="2027-01-04T09:00"), "fixed_session", "sections[0].sessions[0].start"),
    ("fixed_session: other facilitator", _fix(facilitator="bob"), "fixed_session",
     "sections[0].sessions[0].facilitator"),
    ("fixed_session: other room", _fix(room="lon-b"), "fixed_session", "sections[0].sessions[0].room"),
    ("fixed_session: missing", _fix(section="S9"), "fixed_session", "sections"),
    ("facilitator_missing", _set_session(1, 0, "facilitator", None), "facilitator_missing",
     "sections[1].sessions[0]"),
    ("facilitator_skill", lambda p, s: p["facilitators"][0].update(skills=["python"]), "facilitator_skill",
     "sections[0].sessions[0].facilitator"),
    ("facilitator_unavailable: weekly", _move(1, 0, "2027-01-05T07:00:00+00:00", "2027-01-05T08:00:00+00:00"),
     "facilitator_unavailable", "sections[1].sessions[0].facilitator"),
    ("facilitator_unavailable: leave", lambda p, s: p["facilitators"][0].update(
        unavailable=[["2027-01-07T00:00", "2027-01-08T00:00"]]), "facilitator_unavailable",
     "sections[0].sessions[1].facilitator"),
    ("facilitator_double_booked", _move(1, 0, "2027-01-05T11:00:00+00:00", "2027-01-05T12:00:00+00:00"),
     "facilitator_double_booked", "sections[1].sessions[0]"),
    ("facilitator_double_booked: buffer", _move(1, 0, "2027-01-05T12:00:00+00:00", "2027-01-05T13:00:00+00:00"),
     "facilitator_double_booked", "sections[1].sessions[0]"),
    ("facilitator_daily_maximum", lambda p, s: p["facilitators"][0].update(max_minutes_per_day=200),
     "facilitator_daily_maximum", "sections[1].sessions[0]"),
    ("same_facilitator", _set_session(0, 1, "facilitator", "bob"), "same_facilitator",
     "sections[0].sessions[1].facilitator"),
    ("room_missing", _set_session(0, 0, "room", None), "room_missing", "sections[0].sessions[0]"),
    ("room_not_allowed", _set_session(1, 0, "room", "lon-b"), "room_not_allowed", "sections[1].sessions[0].room"),
    ("room_site", _set_session(0, 0, "room", "par-a"), "room_site", "sections[0].sessions[0].room"),
    ("section_site", _virtual_in_london_site, "section_site", "sections[0].cohorts"),
    ("room_capacity", _set_session(0, 0, "room", "lon-b"), "room_capacity", "sections[0].sessions[0].room"),
    ("room_unavailable", lambda p, s: p["rooms"][0].update(weekly={"tue": [["09:00", "11:00"]]}),
     "room_unavailable", "sections[0].sessions[0].room"),
    ("learner_conflict: shared learner", lambda p, s: [_set_session(1, 0, "facilitator", "bob")(p, s),
     _move(1, 0, "2027-01-05T11:00:00+00:00", "2027-01-05T12:00:00+00:00")(p, s)], "learner_conflict",
     "sections[1].sessions[0]"),
    ("learner_conflict: conflict group", lambda p, s: [_second_virtual_in_same_group(p, s),
     _set_session(1, 0, "facilitator", "bob")(p, s),
     _move(1, 0, "2027-01-05T11:00:00+00:00", "2027-01-05T12:00:00+00:00")(p, s)], "learner_conflict",
     "sections[1].sessions[0]"),
    ("cost", lambda p, s: s["cost"].update(rooms=150.0, total=1110.0), "cost", "cost.rooms"),
    ("cost_total", lambda p, s: s["cost"].update(total=1000.0), "cost_total", "cost.total"),
    ("per_trained_learner", lambda p, s: s["cost"].update(per_trained_learner=60.0), "cost",
     "cost.per_trained_learner"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "rule", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule_reports_its_violation(problem_doc, schedule_doc, violations, change, rule, path):
    change(problem_doc, schedule_doc)
    assert (rule, path) in violations(problem_doc, schedule_doc)


def test_room_double_booking_is_reported(problem_doc, schedule_doc, violations):
    other = {"id": "S3", "program": "sec", "size": 5, "cohorts": [{"cohort": "lon-2", "learners": 5}],
             "sessions": [dict(s, facilitator="bob") for s in sessions(schedule_doc, 0)]}  # fmt: skip
    schedule_doc["sections"][0]["cohorts"] = [{"cohort": "lon-1", "learners": 10}]
    schedule_doc["sections"][0]["size"] = 10
    schedule_doc["sections"].append(other)
    found = violations(problem_doc, schedule_doc)
    assert ("room_double_booked", "sections[2].sessions[0]") in found
    assert ("room_double_booked", "sections[2].sessions[1]") in found


def test_parts_of_one_split_cohort_may_run_at_the_same_time(problem_doc, schedule_doc, violations):
    schedule_doc["sections"][0]["cohorts"] = [{"cohort": "lon-1", "learners": 5}]
    schedule_doc["sections"][0]["size"] = 5
    twin = {"id": "S3", "program": "sec", "size": 10,
            "cohorts": [{"cohort": "lon-1", "learners": 5}, {"cohort": "lon-2", "learners": 5}],
            "sessions": [dict(s, facilitator="bob", room="lon-b") for s in sessions(schedule_doc, 0)]}  # fmt: skip
    twin["sessions"][0]["room"] = twin["sessions"][1]["room"] = "lon-b"
    problem_doc["rooms"][1]["capacity"] = 10
    schedule_doc["sections"].append(twin)
    found = {rule for rule, _ in violations(problem_doc, schedule_doc)}
    assert "learner_conflict" not in found


def test_a_virtual_section_may_merge_cohorts_of_several_sites(
    problem_doc, schedule_doc, violations
):
    problem_doc["cohorts"].append({"id": "vir-2", "program": "web", "size": 2, "site": "paris"})
    problem_doc["cohorts"][2]["site"] = "london"
    schedule_doc["sections"][1]["cohorts"].append({"cohort": "vir-2", "learners": 2})
    schedule_doc["sections"][1]["size"] = 6
    schedule_doc["cost"] = {"total": 1160.0, "facilitators": 660.0, "travel": 0.0, "rooms": 200.0,
                            "seats": 300.0, "preferences": 0.0, "unscheduled": 0.0, "changes": 0.0,
                            "per_trained_learner": 55.24}  # fmt: skip
    assert violations(problem_doc, schedule_doc) == set()


def test_a_bound_above_the_recomputed_cost_is_reported(problem_doc, schedule_doc, violations):
    schedule_doc["lower_bound"] = 1160.02  # the schedule costs 1,160.00
    schedule_doc["solver"]["bound"] = 2000.0
    assert violations(problem_doc, schedule_doc) == {
        ("lower_bound", "lower_bound"),
        ("lower_bound", "solver.bound"),
    }


def test_a_bound_at_the_cost_or_unknown_passes(problem_doc, schedule_doc, violations):
    schedule_doc["lower_bound"] = 1160.0
    schedule_doc["solver"]["bound"] = None
    assert violations(problem_doc, schedule_doc) == set()


def test_a_bound_that_is_not_a_number_is_reported(problem_doc, schedule_doc, violations):
    schedule_doc["lower_bound"] = "1160"
    assert violations(problem_doc, schedule_doc) == {("schedule_format", "lower_bound")}
