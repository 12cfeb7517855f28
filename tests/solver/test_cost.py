"""Cost recomputation from raw data, per the issue's definitions (each item rounded to the cent)."""

from __future__ import annotations

from decimal import Decimal

from solver.cost import hourly_cents, recompute_cost, to_cents
from solver.validate import parse_problem


def cost(problem_doc, schedule_doc):
    problem, errors = parse_problem(problem_doc)
    assert errors == []
    return recompute_cost(problem, schedule_doc)


def test_the_small_schedule_costs_what_the_issue_defines(problem_doc, schedule_doc):
    assert cost(problem_doc, schedule_doc) == {
        "total": 1160.0,
        "facilitators": 660.0,  # 100/h x (3 + 2 + 1) h + 20 fee x 3 sessions
        "travel": 0.0,
        "rooms": 200.0,  # 40/h x (3 + 2) h; the virtual session has no room
        "seats": 300.0,  # 10 per learner per session x 15 learners x 2 sessions
        "preferences": 0.0,
        "unscheduled": 0.0,
        "changes": 0.0,
        "per_trained_learner": 61.05,  # (660 + 200 + 300) / 19 learners placed
    }


def test_a_facilitator_away_from_home_costs_travel_per_in_person_session(problem_doc, schedule_doc):
    for session in schedule_doc["sections"][0]["sessions"]:
        session["facilitator"] = "bob"
    result = cost(problem_doc, schedule_doc)
    assert result["travel"] == 500.0
    assert result["facilitators"] == 80.0 * 5 + 120.0


def test_a_virtual_session_never_costs_travel(problem_doc, schedule_doc):
    schedule_doc["sections"][1]["sessions"][0]["facilitator"] = "bob"
    assert cost(problem_doc, schedule_doc)["travel"] == 0.0


def test_a_session_partly_in_an_if_need_be_window_costs_the_preference(problem_doc, schedule_doc):
    problem_doc["facilitators"][0]["if_need_be"] = [["2027-01-05T13:30", "2027-01-05T18:00"]]
    problem_doc["facilitators"][0]["if_need_be_cost"] = 80.0
    assert cost(problem_doc, schedule_doc)["preferences"] == 80.0


def test_unscheduled_learners_cost_their_cohorts_price(problem_doc, schedule_doc):
    problem_doc["cohorts"][1]["unscheduled_cost"] = 2000.0
    schedule_doc["sections"][0]["cohorts"][1]["learners"] = 2
    schedule_doc["sections"][0]["size"] = 12
    result = cost(problem_doc, schedule_doc)
    assert result["unscheduled"] == 6000.0
    assert result["seats"] == 240.0


def test_each_previous_session_not_kept_costs_the_change_cost(problem_doc, schedule_doc):
    previous = {"format": "cohort-scheduler/schedule/v1", "sections": [
        {"id": "S1", "sessions": [
            {"index": 0, "start": "2027-01-05T09:00:00Z", "facilitator": "ana", "room": "lon-a"},  # kept
            {"index": 1, "start": "2027-01-08T09:00:00+00:00", "facilitator": "ana", "room": "lon-a"},  # moved
        ]},
        {"id": "S2", "sessions": [
            {"index": 0, "start": "2027-01-05T13:00:00+00:00", "facilitator": "bob", "room": None},  # other person
        ]},
    ]}  # fmt: skip
    problem_doc["previous"], problem_doc["change_cost"] = previous, 50.0
    assert cost(problem_doc, schedule_doc)["changes"] == 100.0


def test_per_trained_learner_is_zero_when_no_one_is_placed(problem_doc, schedule_doc):
    schedule_doc["sections"] = []
    result = cost(problem_doc, schedule_doc)
    assert result["per_trained_learner"] == 0.0
    assert result["unscheduled"] == 19 * 10000.0 and result["total"] == 190000.0


def test_each_item_is_rounded_to_the_cent_half_up():
    assert to_cents(0.125) == 13
    assert to_cents(Decimal("2.675")) == 268
    assert hourly_cents(33.33, 45) == 2500  # 24.9975 -> 25.00
    assert hourly_cents(90.0, 180, fee=15.5) == 28550
