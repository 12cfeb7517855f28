"""One small test per rule of ``solver.rules``: given a few objects, the rule forbids or prices X.

Every schedule is also run through the independent checker (see ``tiny.solved``).
"""

from __future__ import annotations

from tiny import cohort, doc, facilitator, program, room, sessions, solved, unscheduled


def test_seats_per_section_forbids_a_section_below_the_minimum():
    schedule = solved(doc(programs=[program(seats=[6, 20])], cohorts=[cohort("c1", 3)]))
    assert schedule["sections"] == []
    assert unscheduled(schedule) == {"c1": 3}


def test_each_learner_left_out_costs_the_cohorts_unscheduled_cost():
    schedule = solved(
        doc(programs=[program(seats=[6, 20])], cohorts=[cohort("c1", 3, unscheduled_cost=100.0)])
    )
    assert schedule["cost"]["unscheduled"] == 300.0
    assert schedule["cost"]["total"] == 300.0


def test_unsplittable_cohort_is_left_out_rather_than_split():
    big = cohort("c1", 30, splittable=False)
    assert unscheduled(solved(doc(cohorts=[big]))) == {"c1": 30}


def test_splittable_cohort_is_divided_over_sections_within_the_seats():
    schedule = solved(doc(cohorts=[cohort("c1", 30)]))
    assert sorted(s["size"] for s in schedule["sections"]) in ([10, 20], [15, 15], [11, 19],
                                                               [12, 18], [13, 17], [14, 16])  # fmt: skip
    assert unscheduled(schedule) == {}


def test_mergeable_cohorts_share_a_section_to_reach_the_minimum():
    schedule = solved(
        doc(programs=[program(seats=[6, 20])], cohorts=[cohort("a", 4), cohort("b", 4)])
    )
    assert [s["size"] for s in schedule["sections"]] == [8]


def test_unmergeable_cohort_shares_no_section():
    cohorts = [cohort("a", 4, mergeable=False), cohort("b", 4)]
    schedule = solved(doc(programs=[program(seats=[6, 20])], cohorts=cohorts))
    assert schedule["sections"] == []
    assert unscheduled(schedule) == {"a": 4, "b": 4}


def test_attendance_hours_and_blocked_days_limit_the_start():
    c = cohort(
        "c1",
        hours={"days": ["mon", "tue", "wed", "thu", "fri"], "from": "13:00", "to": "15:00"},
        unavailable=[["2027-01-04T00:00", "2027-01-07T00:00"]],
    )
    [x] = sessions(solved(doc(cohorts=[c])))
    assert x["start"] in ("2027-01-07T13:00:00+00:00", "2027-01-07T14:00:00+00:00",
                          "2027-01-08T13:00:00+00:00", "2027-01-08T14:00:00+00:00")  # fmt: skip


def test_earliest_and_deadline_bound_every_session():
    c = cohort("c1", earliest="2027-01-06", deadline="2027-01-06")
    [x] = sessions(solved(doc(cohorts=[c])))
    assert x["start"].startswith("2027-01-06")


def test_gap_days_spaces_consecutive_sessions():
    schedule = solved(doc(programs=[program(sessions=[60, 60], gap_days=[2, 2])]))
    first, second = sessions(schedule)
    assert int(second["start"][8:10]) - int(first["start"][8:10]) == 2


def test_facilitator_skill_excludes_a_cheaper_unqualified_facilitator():
    people = [facilitator("cheap", skills=["other"], hourly_rate=1.0), facilitator("ana")]
    [x] = sessions(solved(doc(facilitators=people)))
    assert x["facilitator"] == "ana"


def test_facilitator_teaches_only_within_weekly_availability():
    ana = facilitator("ana", weekly={"wed": [["10:00", "12:00"]]})
    [x] = sessions(solved(doc(facilitators=[ana])))
    assert x["start"] in ("2027-01-06T10:00:00+00:00", "2027-01-06T11:00:00+00:00")


def test_if_need_be_window_is_used_only_when_needed_and_is_priced():
    regular = {"wed": [["10:00", "11:00"]]}
    reluctant = [["2027-01-05T09:00", "2027-01-05T10:00"]]
    ana = facilitator("ana", weekly=regular, if_need_be=reluctant, if_need_be_cost=30.0)
    [x] = sessions(solved(doc(facilitators=[ana])))
    assert x["start"] == "2027-01-06T10:00:00+00:00"
    on_leave = {**ana, "unavailable": [["2027-01-06T00:00", "2027-01-07T00:00"]]}
    schedule = solved(doc(facilitators=[on_leave]))
    assert sessions(schedule)[0]["start"] == "2027-01-05T09:00:00+00:00"
    assert schedule["cost"]["preferences"] == 30.0


def _two_unmergeable_on_one_morning(**ana):
    return doc(
        cohorts=[cohort("a", mergeable=False), cohort("b", mergeable=False)],
        facilitators=[facilitator("ana", available=[["2027-01-04T09:00", "2027-01-04T11:00"]], **ana)],
    )  # fmt: skip


def test_facilitator_double_booking_is_forbidden_and_buffer_is_kept():
    assert unscheduled(solved(_two_unmergeable_on_one_morning())) == {}
    schedule = solved(_two_unmergeable_on_one_morning(buffer_minutes=30))
    assert sum(unscheduled(schedule).values()) == 10


def test_facilitator_daily_maximum_limits_teaching_minutes_per_day():
    assert (
        sum(unscheduled(solved(_two_unmergeable_on_one_morning(max_minutes_per_day=60))).values())
        == 10
    )


def test_same_facilitator_teaches_every_session_of_a_section():
    people = [
        facilitator("ana", available=[["2027-01-04T09:00", "2027-01-04T17:00"]]),
        facilitator("bob", available=[["2027-01-05T09:00", "2027-01-05T17:00"]]),
    ]
    two_days = [60, 60]
    same = solved(doc(programs=[program(sessions=two_days, gap_days=[1, 1])], facilitators=people))
    assert unscheduled(same) == {"c1": 10}
    relaxed = program(sessions=two_days, gap_days=[1, 1], same_facilitator=False)
    taught = [
        x["facilitator"] for x in sessions(solved(doc(programs=[relaxed], facilitators=people)))
    ]
    assert taught == ["ana", "bob"]


def test_in_person_session_takes_a_room_at_the_site_that_seats_everyone():
    rooms = [
        room("small", 10, hourly_cost=1.0),
        room("paris-big", 30, site="paris", hourly_cost=1.0),
        room("big", 20, hourly_cost=50.0),
    ]
    schedule = solved(
        doc(programs=[program(mode="in_person")], cohorts=[cohort("c1", 15)], rooms=rooms)
    )
    assert [x["room"] for x in sessions(schedule)] == ["big"]


def test_room_double_booking_is_forbidden():
    one_hour = {"days": ["mon"], "from": "09:00", "to": "10:00"}
    schedule = solved(
        doc(
            programs=[program(mode="in_person")],
            cohorts=[cohort("a", mergeable=False, hours=one_hour), cohort("b", mergeable=False, hours=one_hour)],
            facilitators=[facilitator("ana"), facilitator("bob")],
            rooms=[room("only")],
        )
    )  # fmt: skip
    assert sum(unscheduled(schedule).values()) == 10


def _two_programs_one_hour(a: dict, b: dict):
    one_hour = {"days": ["mon"], "from": "09:00", "to": "10:00"}
    return doc(
        programs=[program(), program(id="q")],
        cohorts=[cohort("a", hours=one_hour, **a), cohort("b", program="q", hours=one_hour, **b)],
        facilitators=[facilitator("ana"), facilitator("bob")],
    )


def test_cohorts_sharing_a_learner_or_conflict_group_are_never_in_session_together():
    assert unscheduled(solved(_two_programs_one_hour({}, {}))) == {}
    shared = solved(_two_programs_one_hour({"learners": ["e1"]}, {"learners": ["e1"]}))
    assert sum(unscheduled(shared).values()) == 10
    team = solved(
        _two_programs_one_hour({"conflict_groups": ["ops"]}, {"conflict_groups": ["ops"]})
    )
    assert sum(unscheduled(team).values()) == 10


def test_fixed_session_is_kept_as_published():
    fixed = [{"section": "F1", "cohorts": [{"cohort": "c1", "learners": 10}], "session": 0,
              "start": "2027-01-07T15:00", "facilitator": "bob"}]  # fmt: skip
    cheaper = [facilitator("ana", hourly_rate=10.0), facilitator("bob")]
    [x] = sessions(solved(doc(facilitators=cheaper, fixed=fixed)))
    assert (x["section"], x["start"], x["facilitator"]) == (
        "F1",
        "2027-01-07T15:00:00+00:00",
        "bob",
    )


def test_facilitator_cost_prefers_a_local_facilitator_over_travel():
    people = [
        facilitator("ana", site="paris", hourly_rate=50.0, travel_cost={"london": 500.0}),
        facilitator("bob", hourly_rate=100.0),
    ]
    in_person = [program(mode="in_person")]
    schedule = solved(doc(programs=in_person, facilitators=people, rooms=[room("r")]))
    assert sessions(schedule)[0]["facilitator"] == "bob"
    assert schedule["cost"]["facilitators"] == 100.0
    away = solved(doc(programs=in_person, facilitators=people[:1], rooms=[room("r")]))
    assert away["cost"]["travel"] == 500.0


def test_room_cost_prefers_the_cheaper_room_that_fits():
    rooms = [room("dear", hourly_cost=30.0), room("cheap", hourly_cost=10.0)]
    schedule = solved(doc(programs=[program(mode="in_person")], rooms=rooms))
    assert sessions(schedule)[0]["room"] == "cheap"
    assert schedule["cost"]["rooms"] == 10.0


def test_seat_cost_is_per_learner_per_session():
    schedule = solved(doc(programs=[program(sessions=[60, 60], gap_days=[1, 3], seat_cost=2.5)]))
    assert schedule["cost"]["seats"] == 2.5 * 10 * 2


def test_interchangeable_sections_are_used_in_order_of_first_start():
    from tiny import problem

    from solver import candidates
    from solver.model import ScheduleModel

    cand = candidates.build(problem(doc(cohorts=[cohort("c1", 50)])))
    sm = ScheduleModel(cand)
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(sm.model) == cp_model.OPTIMAL
    used = [solver.value(s.present) for s in sm.sections]
    assert used == sorted(used, reverse=True)
    starts = [solver.value(s.sessions[0].start) for s in sm.sections if solver.value(s.present)]
    assert starts == sorted(starts)
