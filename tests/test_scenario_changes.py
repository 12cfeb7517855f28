"""Each kind of scenario change, on a small problem document: what it changes, that it leaves its
argument alone, and that a change naming something missing is refused with the change named."""

from __future__ import annotations

import copy

import pytest

from scheduler.scenarios import changes
from scheduler.scenarios.util import scenario_problem
from solver import parse_problem


def document() -> dict:
    return {
        "format": "cohort-scheduler/problem/v1",
        "timezone": "Europe/London",
        "horizon": {"start": "2027-03-01", "end": "2027-03-26"},
        "programs": [
            {
                "id": "sec",
                "name": "Security",
                "sessions": [120],
                "mode": "in_person",
                "skill": "security",
                "seats": [1, 20],
                "seat_cost": 12.0,
            },
        ],
        "cohorts": [
            {"id": "c1", "program": "sec", "size": 5, "site": "leeds", "deadline": "2027-03-19"},
            {"id": "c2", "program": "sec", "size": 4, "site": "leeds"},
        ],
        "facilitators": [
            {
                "id": "ann",
                "name": "Ann",
                "skills": ["security"],
                "site": "leeds",
                "hourly_rate": 80.0,
                "travel_cost": {"york": 100.0},
            },
            {
                "id": "bob",
                "name": "Bob",
                "skills": ["security"],
                "site": "york",
                "hourly_rate": 90.0,
                "travel_cost": {"leeds": 60.0},
            },
        ],
        "rooms": [
            {
                "id": "r1",
                "site": "leeds",
                "capacity": 20,
                "timezone": "Europe/London",
                "unavailable": [],
            },
        ],
        "fixed": [
            {
                "section": "S1",
                "cohorts": [{"cohort": "c1", "learners": 5}],
                "session": 0,
                "start": "2027-03-02T10:00:00+00:00",
                "facilitator": "bob",
                "room": "r1",
            },
        ],
    }


def test_the_document_is_a_valid_problem():
    problem, errors = parse_problem(document())
    assert errors == [] and problem is not None


def applied(change: dict) -> tuple[dict, dict]:
    before = document()
    kept = copy.deepcopy(before)
    after = changes.apply(before, change)
    assert before == kept, "a change must not modify the document it is given"
    return before, after


def test_add_facilitator_adds_a_hypothetical_one_with_weekly_hours():
    change = {
        "kind": "add_facilitator",
        "id": "new-cara",
        "name": "Cara",
        "skills": ["security"],
        "site": "leeds",
        "hourly_rate": 70.0,
        "weekly": changes.weekly_ranges(["tue", "mon"], "09:00", "17:00"),
    }
    _, after = applied(change)
    added = after["facilitators"][-1]
    assert added["id"] == "new-cara" and added["skills"] == ["security"]
    assert added["weekly"] == {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}
    assert added["hourly_rate"] == 70.0 and added["x-hypothetical"] is True
    assert parse_problem(after)[1] == []
    assert "Cara" in changes.describe(change) and "70.00 an hour" in changes.describe(change)


def test_remove_facilitator_drops_them_and_frees_their_pinned_sessions():
    _, after = applied({"kind": "remove_facilitator", "facilitator": "bob", "name": "Bob"})
    assert [f["id"] for f in after["facilitators"]] == ["ann"]
    assert after["fixed"][0]["facilitator"] is None
    assert parse_problem(after)[1] == []


def test_move_deadline_of_every_cohort_counts_from_the_period_end_when_unset():
    _, after = applied({"kind": "move_deadline", "cohort": None, "days": 14})
    assert [c["deadline"] for c in after["cohorts"]] == ["2027-04-02", "2027-04-09"]
    assert changes.describe({"kind": "move_deadline", "days": 14}) == (
        "Move every deadline 14 days later"
    )


def test_move_deadline_of_one_cohort_leaves_the_others():
    _, after = applied({"kind": "move_deadline", "cohort": "c1", "days": -7})
    assert after["cohorts"][0]["deadline"] == "2027-03-12"
    assert "deadline" not in after["cohorts"][1]


def test_move_deadline_before_the_earliest_start_is_refused():
    with pytest.raises(changes.ChangeError, match="before its earliest start 2027-03-01"):
        changes.apply(document(), {"kind": "move_deadline", "cohort": "c1", "days": -30})


def test_close_site_blocks_its_rooms_for_whole_days():
    change = {"kind": "close_site", "site": "leeds", "start": "2027-03-08", "end": "2027-03-12"}
    _, after = applied(change)
    assert after["rooms"][0]["unavailable"] == [["2027-03-08T00:00", "2027-03-13T00:00"]]
    with pytest.raises(changes.ChangeError, match="no room at site 'york'"):
        changes.apply(document(), change | {"site": "york"})


def test_make_virtual_switches_the_mode_and_takes_rooms_off_pinned_sessions():
    _, after = applied({"kind": "make_virtual", "program": "sec"})
    assert after["programs"][0]["mode"] == "virtual"
    assert after["fixed"][0]["room"] is None
    assert parse_problem(after)[1] == []


def test_add_learners_grows_the_cohort_size():
    _, after = applied({"kind": "add_learners", "cohort": "c2", "count": 6})
    assert after["cohorts"][1]["size"] == 10 and after["cohorts"][0]["size"] == 5


def test_seat_cost_sets_the_programs_amount():
    _, after = applied({"kind": "seat_cost", "program": "sec", "amount": 20.5})
    assert after["programs"][0]["seat_cost"] == 20.5


def test_travel_cost_scales_every_facilitators_travel():
    _, after = applied({"kind": "travel_cost", "percent": 150})
    assert [f["travel_cost"] for f in after["facilitators"]] == [{"york": 150.0}, {"leeds": 90.0}]


def test_scenario_problem_names_the_change_that_broke_it():
    broken = [
        {"kind": "seat_cost", "program": "sec", "amount": 15.0},
        {"kind": "remove_facilitator", "facilitator": "zed"},
        {"kind": "add_learners", "cohort": "c1", "count": 1},
    ]
    # The broken change is reported; the changes around it still apply.
    result = scenario_problem(document(), broken)
    assert result.errors == [
        "Change 2 (Remove facilitator zed): the scenario has no facilitator 'zed' "
        "(an earlier change may remove it)"
    ]
    assert result.document["programs"][0]["seat_cost"] == 15.0
    assert result.document["cohorts"][0]["size"] == 6


def test_scenario_problem_attributes_validator_errors_to_their_change():
    base = document()
    change = {
        "kind": "add_facilitator",
        "id": "ann",
        "name": "Dup",
        "skills": ["security"],
        "site": "leeds",
        "hourly_rate": 1.0,
        "weekly": {},
    }
    result = scenario_problem(base, [change])
    assert result.errors == [
        "Change 1 (Add a hypothetical facilitator, Dup, at leeds teaching security at 1.00 an "
        "hour (no weekly availability)): a facilitator 'ann' is already in the scenario"
    ]
    # A change the validator refuses: a seat cost past the money limit.
    result = scenario_problem(base, [{"kind": "seat_cost", "program": "sec", "amount": 1e12}])
    assert len(result.errors) == 1
    assert result.errors[0].startswith("Change 1 (Set the seat cost of sec to ")
    assert "programs[0].seat_cost" in result.errors[0]
    assert not result.valid
