"""The database → solver problem mapping, field by field, on the demo data, and its query count.

Every document built here is also run through the solver's own validation, so a mapping that
writes a field the solver does not accept fails here, not in a background job.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import event

from scheduler.demo import load_demo
from scheduler.extensions import db
from scheduler.models import (
    AvailabilityKind,
    CohortBlock,
    ProgramMode,
    Role,
    TravelCost,
)
from scheduler.planning.learner_keys import COHORT_SEPARATOR, FIELD_SEPARATOR, KEY_SEPARATOR
from scheduler.planning.mapping import problem_document
from solver.explain import explain
from solver.validate import parse_problem
from tests.factories import (
    create_availability_rule,
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)

SUMMER = {"start": date(2027, 7, 5), "end": date(2027, 7, 30), "timezone": "Europe/London"}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def mapped(**scope) -> dict:
    """The summer period's document, after a commit (as a job would see the data); it must be
    a valid problem for the solver."""
    db.session.commit()
    document = problem_document(**(SUMMER | scope))
    problem, errors = parse_problem(document)
    assert errors == [] and problem is not None
    return document


def only(entries: list[dict], key: str) -> dict:
    (entry,) = [e for e in entries if e["id"] == key]
    return entry


# --- programs -----------------------------------------------------------------------------------


def test_program_maps_sessions_in_order_spacing_mode_skill_seats_and_costs(app):
    with app.app_context():
        program = create_program(
            sessions=(90, 60, 120),
            key="pos-basics",
            name="Till basics",
            mode=ProgramMode.VIRTUAL,
            skill="pos",
            seats_min=4,
            seats_max=12,
            seat_cost=12.5,
            gap_min_days=1,
            gap_max_days=9,
            same_facilitator=False,
        )
        create_cohort(program, learners=[create_learner()])
        entry = mapped()["programs"][0]
        assert entry == {
            "id": "pos-basics",
            "x-id": program.id,
            "name": "Till basics",
            "sessions": [90, 60, 120],
            "gap_days": [1, 9],
            "mode": "virtual",
            "skill": "pos",
            "seats": [4, 12],
            "seat_cost": 12.5,
            "same_facilitator": False,
        }


def test_program_without_a_skill_may_be_taught_by_anyone(app):
    with app.app_context():
        program = create_program(skill=None, mode=ProgramMode.VIRTUAL)
        create_cohort(program, learners=[create_learner()])
        assert mapped()["programs"][0]["skill"] is None


def test_only_programs_of_cohorts_in_scope_are_listed(app):
    with app.app_context():
        wanted, other = create_program(key="wanted"), create_program(key="other")
        site = create_site()
        create_cohort(wanted, site=site, learners=[create_learner()])
        create_cohort(other, site=site, learners=[create_learner()])
        document = mapped(program_ids=[wanted.id])
        assert [p["id"] for p in document["programs"]] == ["wanted"]
        assert [c["program"] for c in document["cohorts"]] == ["wanted"]


# --- cohorts ------------------------------------------------------------------------------------


def test_cohort_maps_learners_site_zone_hours_flags_and_cost(app):
    with app.app_context():
        site = create_site(key="berlin", timezone="Europe/Berlin")
        learners = [create_learner(key="E2"), create_learner(key="E1")]
        cohort = create_cohort(
            create_program(key="pos"),
            site=site,
            learners=learners,
            key="berlin-tills",
            timezone="Europe/Berlin",
            hours_days="tue,thu",
            hours_from=time(7, 30),
            hours_to=time(16, 0),
            conflict_groups="store-7, night-shift,,store-7 ",
            mergeable=False,
            splittable=False,
            unscheduled_cost=2500,
        )
        assert only(mapped()["cohorts"], "berlin-tills") == {
            "id": "berlin-tills",
            "x-id": cohort.id,
            "program": "pos",
            "size": 2,
            "learners": ["E1", "E2"],
            "conflict_groups": ["store-7", "night-shift"],
            "site": "berlin",
            "timezone": "Europe/Berlin",
            "hours": {"days": ["tue", "thu"], "from": "07:30", "to": "16:00"},
            "unavailable": [],
            "mergeable": False,
            "splittable": False,
            "unscheduled_cost": 2500.0,
        }


@pytest.mark.parametrize("separator", [KEY_SEPARATOR, FIELD_SEPARATOR, COHORT_SEPARATOR])
def test_learner_keys_are_each_cohorts_sorted_even_one_holding_a_separator(app, separator):
    """Keys are read joined into one string (``learner_keys``); a key holding one of its
    separators (control characters imports do not refuse) must not split into two learners."""
    with app.app_context():
        odd = f"E{separator}9"
        shared = create_learner(key="E5")
        site = create_site()
        first = create_cohort(
            site=site, learners=[create_learner(key="E3"), shared, create_learner(key="E1")]
        )
        second = create_cohort(site=site, learners=[shared, create_learner(key=odd)])
        document = mapped()
        assert only(document["cohorts"], first.key)["learners"] == ["E1", "E3", "E5"]
        assert only(document["cohorts"], second.key)["learners"] == [odd, "E5"]
        assert only(document["cohorts"], second.key)["size"] == 2


def test_cohort_headcount_larger_than_its_named_learners_is_its_size(app):
    with app.app_context():
        create_cohort(site=create_site(), learners=[create_learner()], key="c", headcount=15)
        entry = only(mapped()["cohorts"], "c")
        assert entry["size"] == 15 and len(entry["learners"]) == 1


def test_cohort_learners_are_sorted_by_code_point(app):
    # Sorted in Python: the same data must give the same document on SQLite and PostgreSQL
    # (drafts keep it verbatim, page caches digest it), and a collation such as en_US orders
    # these keys otherwise. Inserted unsorted, so an order left to the rows fails here.
    with app.app_context():
        keys = ["b-2", "B1", "a 3", "Z", "a-1"]
        create_cohort(site=create_site(), learners=[create_learner(key=k) for k in keys], key="c")
        create_cohort(site=create_site(), learners=[create_learner(key="other")], key="d")
        assert only(mapped()["cohorts"], "c")["learners"] == ["B1", "Z", "a 3", "a-1", "b-2"]
        assert only(mapped()["cohorts"], "d")["learners"] == ["other"]


def test_cohort_hours_ending_at_midnight_end_at_24_00(app):
    with app.app_context():
        program = create_program(mode=ProgramMode.VIRTUAL)
        create_cohort(
            program,
            learners=[create_learner()],
            key="late",
            hours_from=time(18, 0),
            hours_to=time(0, 0),
        )
        assert only(mapped()["cohorts"], "late")["hours"]["to"] == "24:00"


def test_cohort_blocked_period_stored_in_utc_maps_to_local_summer_time(app):
    with app.app_context():
        cohort = create_cohort(site=create_site(), learners=[create_learner()], key="c")
        # 23:00 UTC on 11 July is midnight in London (BST, UTC+1).
        cohort.blocks.append(CohortBlock(start=utc(2027, 7, 11, 23), end=utc(2027, 7, 14, 23)))
        blocked = only(mapped()["cohorts"], "c")["unavailable"]
        assert blocked == [["2027-07-12T00:00", "2027-07-15T00:00"]]


def test_cohort_blocked_periods_far_from_the_period_are_left_out(app):
    with app.app_context():
        cohort = create_cohort(site=create_site(), learners=[create_learner()], key="c")
        cohort.blocks.append(CohortBlock(start=utc(2027, 1, 4), end=utc(2027, 1, 8)))
        assert only(mapped()["cohorts"], "c")["unavailable"] == []


def test_two_periods_mapped_in_one_session_each_get_their_own_blocked_periods(app):
    with app.app_context():
        cohort = create_cohort(site=create_site(), learners=[create_learner()], key="c")
        cohort.blocks.append(CohortBlock(start=utc(2027, 1, 4), end=utc(2027, 1, 8)))
        cohort.blocks.append(CohortBlock(start=utc(2027, 7, 6), end=utc(2027, 7, 7)))
        db.session.commit()
        winter = problem_document(
            start=date(2027, 1, 4), end=date(2027, 1, 29), timezone="Europe/London"
        )
        summer = problem_document(**SUMMER)  # same session, no commit in between
        assert only(winter["cohorts"], "c")["unavailable"] == [
            ["2027-01-04T00:00", "2027-01-08T00:00"]
        ]
        assert only(summer["cohorts"], "c")["unavailable"] == [
            ["2027-07-06T01:00", "2027-07-07T01:00"]
        ]


def test_cohort_dates_are_clipped_to_the_period(app):
    with app.app_context():
        site = create_site()
        create_cohort(
            site=site,
            learners=[create_learner()],
            key="wide",
            earliest=date(2027, 6, 1),
            deadline=date(2027, 9, 30),
        )
        create_cohort(
            site=site,
            learners=[create_learner()],
            key="inside",
            earliest=date(2027, 7, 12),
            deadline=date(2027, 7, 23),
        )
        create_cohort(site=site, learners=[create_learner()], key="open")
        cohorts = mapped()["cohorts"]
        wide, inside, open_ = (only(cohorts, k) for k in ("wide", "inside", "open"))
        assert (wide["earliest"], wide["deadline"]) == ("2027-07-05", "2027-07-30")
        assert (inside["earliest"], inside["deadline"]) == ("2027-07-12", "2027-07-23")
        assert "earliest" not in open_ and "deadline" not in open_  # the period's own bounds


def test_cohorts_outside_the_period_or_the_chosen_ids_are_not_in_scope(app):
    with app.app_context():
        site, program = create_site(), create_program()
        chosen = create_cohort(program, site=site, learners=[create_learner()], key="chosen")
        create_cohort(program, site=site, learners=[create_learner()], key="not-chosen")
        create_cohort(
            program,
            site=site,
            learners=[create_learner()],
            key="overdue",
            deadline=date(2027, 7, 2),
        )
        create_cohort(
            program, site=site, learners=[create_learner()], key="later", earliest=date(2027, 8, 2)
        )
        assert [c["id"] for c in mapped()["cohorts"]] == ["chosen", "not-chosen"]
        assert [c["id"] for c in mapped(cohort_ids=[chosen.id])["cohorts"]] == ["chosen"]


def test_cohort_without_learners_is_left_out_and_said_so(app):
    with app.app_context():
        create_cohort(site=create_site(), key="empty")
        document = mapped()
        assert document["cohorts"] == [] and document["programs"] == []
        assert document["x-left-out"] == [{"cohort": "empty", "reason": "no learners yet"}]


# --- facilitators -------------------------------------------------------------------------------


def test_facilitator_maps_skills_site_zone_costs_and_limits(app):
    with app.app_context():
        home, paris = create_site(key="london"), create_site(key="paris")
        user = create_user(Role.FACILITATOR, name="Aisha Rahman")
        facilitator = create_facilitator(
            user,
            site=home,
            key="aisha",
            skills=("pos", "coaching"),
            timezone="Europe/London",
            hourly_rate=45,
            session_fee=20,
            if_need_be_cost=30,
            max_minutes_per_day=300,
            buffer_minutes=15,
        )
        facilitator.travel_costs.append(TravelCost(site=paris, cost=420))
        assert only(mapped()["facilitators"], "aisha") == {
            "id": "aisha",
            "x-id": facilitator.id,
            "name": "Aisha Rahman",
            "skills": ["coaching", "pos"],
            "site": "london",
            "timezone": "Europe/London",
            "weekly": {},
            "available": [],
            "unavailable": [],
            "if_need_be": [],
            "if_need_be_cost": 30.0,
            "hourly_rate": 45.0,
            "session_fee": 20.0,
            "travel_cost": {"paris": 420.0},
            "max_minutes_per_day": 300,
            "buffer_minutes": 15,
        }


def test_facilitator_without_limits_or_home_site_maps_to_nulls(app):
    with app.app_context():
        create_facilitator(key="f")
        entry = only(mapped()["facilitators"], "f")
        assert entry["site"] is None and entry["max_minutes_per_day"] is None


def test_facilitator_weekly_rules_are_local_and_an_end_of_00_00_is_24_00(app):
    with app.app_context():
        facilitator = create_facilitator(key="f", timezone="America/New_York")
        for weekday, start, end in [
            (0, time(13, 0), time(17, 0)),
            (0, time(9, 0), time(12, 0)),
            (2, time(18, 0), time(0, 0)),
            (4, time(22, 0), time(2, 0)),
        ]:
            create_availability_rule(facilitator, weekday=weekday, start_time=start, end_time=end)
        assert only(mapped()["facilitators"], "f")["weekly"] == {
            "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
            "wed": [["18:00", "24:00"]],
            # A range past midnight is cut in two days: the solver wants ranges within a day.
            "fri": [["22:00", "24:00"]],
            "sat": [["00:00", "02:00"]],
        }


def test_facilitator_one_off_windows_stored_in_utc_map_to_local_time_across_dst(app):
    with app.app_context():
        facilitator = create_facilitator(key="f", timezone="Europe/London")
        rules = [
            (AvailabilityKind.AVAILABLE, utc(2027, 7, 6, 8), utc(2027, 7, 6, 12)),  # BST
            (AvailabilityKind.IF_NEED_BE, utc(2027, 7, 10, 6), utc(2027, 7, 10, 10)),
            (AvailabilityKind.UNAVAILABLE, utc(2027, 7, 18, 23), utc(2027, 7, 25, 23)),
        ]
        for kind, start, end in rules:
            create_availability_rule(facilitator, kind=kind, start=start, end=end)
        entry = only(mapped()["facilitators"], "f")
        assert entry["available"] == [["2027-07-06T09:00", "2027-07-06T13:00"]]
        assert entry["if_need_be"] == [["2027-07-10T07:00", "2027-07-10T11:00"]]
        assert entry["unavailable"] == [["2027-07-19T00:00", "2027-07-26T00:00"]]
        winter = problem_document(
            start=date(2027, 1, 4), end=date(2027, 1, 29), timezone="Europe/London"
        )
        assert only(winter["facilitators"], "f")["available"] == []  # July is not in January


def test_facilitator_window_in_another_zone_keeps_its_own_local_time(app):
    with app.app_context():
        facilitator = create_facilitator(key="f", timezone="America/New_York")
        # 13:00 UTC in July is 09:00 in New York (EDT, UTC-4); the problem's zone is London.
        create_availability_rule(
            facilitator,
            kind=AvailabilityKind.AVAILABLE,
            start=utc(2027, 7, 6, 13),
            end=utc(2027, 7, 6, 17),
        )
        entry = only(mapped()["facilitators"], "f")
        assert entry["available"] == [["2027-07-06T09:00", "2027-07-06T13:00"]]


def test_window_inside_the_repeated_hour_when_clocks_go_back_is_left_out(app):
    with app.app_context():
        facilitator = create_facilitator(key="f", timezone="Europe/London")
        # 31 October 2027: 01:00-02:00 BST then 01:00-02:00 GMT. 00:40-01:10 UTC is
        # 01:40 BST to 01:10 GMT, which would end before it starts in wall-clock time.
        create_availability_rule(
            facilitator,
            kind=AvailabilityKind.UNAVAILABLE,
            start=utc(2027, 10, 31, 0, 40),
            end=utc(2027, 10, 31, 1, 10),
        )
        db.session.commit()
        document = problem_document(
            start=date(2027, 10, 25), end=date(2027, 11, 5), timezone="Europe/London"
        )
        assert only(document["facilitators"], "f")["unavailable"] == []
        assert parse_problem(document)[1] == []


def test_facilitator_with_a_disabled_account_is_not_listed(app):
    with app.app_context():
        create_facilitator(key="active")
        create_facilitator(create_user(Role.FACILITATOR, is_enabled=False), key="left")
        assert [f["id"] for f in mapped()["facilitators"]] == ["active"]


# --- rooms --------------------------------------------------------------------------------------


def test_room_maps_site_capacity_cost_the_sites_zone_and_its_availability(app):
    with app.app_context():
        site = create_site(key="berlin", timezone="Europe/Berlin")
        room = create_room(site, key="kasse", name="Kassenschulung", capacity=10, hourly_cost=15)
        create_availability_rule(room=room, weekday=5, start_time=time(7), end_time=time(13))
        # 22:00 UTC in July is midnight in Berlin (CEST, UTC+2).
        create_availability_rule(
            room=room,
            kind=AvailabilityKind.UNAVAILABLE,
            start=utc(2027, 7, 11, 22),
            end=utc(2027, 7, 12, 22),
        )
        create_availability_rule(
            room=room,
            kind=AvailabilityKind.IF_NEED_BE,
            start=utc(2027, 7, 13, 6),
            end=utc(2027, 7, 13, 10),
        )
        assert only(mapped()["rooms"], "kasse") == {
            "id": "kasse",
            "x-id": room.id,
            "name": "Kassenschulung",
            "site": "berlin",
            "capacity": 10,
            "hourly_cost": 15.0,
            "timezone": "Europe/Berlin",
            "weekly": {"sat": [["07:00", "13:00"]]},
            # Rooms have no "if need be" in the solver's format: it counts as available.
            "available": [["2027-07-13T08:00", "2027-07-13T12:00"]],
            "unavailable": [["2027-07-12T00:00", "2027-07-13T00:00"]],
        }


# --- the whole document -------------------------------------------------------------------------


def test_top_level_names_the_period_zone_grid_and_change_cost(app):
    with app.app_context():
        db.session.commit()
        document = problem_document(
            start=date(2027, 7, 5),
            end=date(2027, 7, 30),
            timezone="America/New_York",
            slot_minutes=15,
            change_cost=75,
        )
        assert document["format"] == "cohort-scheduler/problem/v1"
        assert document["timezone"] == "America/New_York"
        assert document["horizon"] == {"start": "2027-07-05", "end": "2027-07-30"}
        assert (document["slot_minutes"], document["change_cost"]) == (15, 75)
        assert parse_problem(document)[1] == []


def test_demo_data_maps_to_a_valid_problem_that_explain_can_read(app):
    with app.app_context():
        load_demo(today=date(2027, 3, 10))
        db.session.commit()
        document = problem_document(
            start=date(2027, 3, 15), end=date(2027, 6, 25), timezone="Europe/London"
        )
        problem, errors = parse_problem(document)
        assert errors == []
        assert len(problem.cohorts) == 60 and len(problem.facilitators) == 25
        assert isinstance(explain(problem), list)


# --- queries ------------------------------------------------------------------------------------


def _add_organisation(copies: int) -> None:
    """``copies`` cohorts, facilitators and rooms, each with the rows the mapping reads."""
    for _ in range(copies):
        site = create_site()
        cohort = create_cohort(site=site, learners=[create_learner(), create_learner()])
        cohort.blocks.append(CohortBlock(start=utc(2027, 7, 7), end=utc(2027, 7, 8)))
        facilitator = create_facilitator(site=site)
        facilitator.travel_costs.append(TravelCost(site=site, cost=10))
        create_availability_rule(facilitator)
        create_availability_rule(
            facilitator,
            kind=AvailabilityKind.UNAVAILABLE,
            start=utc(2027, 7, 9),
            end=utc(2027, 7, 10),
        )
        create_availability_rule(room=create_room(site))
    db.session.commit()


def _statements_to_map() -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        problem_document(**SUMMER)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_number_of_queries_does_not_grow_with_cohorts_or_facilitators(app):
    with app.app_context():
        _add_organisation(2)
        few = _statements_to_map()
        _add_organisation(10)
        many = _statements_to_map()
        assert many == few
        assert few <= 20, few
