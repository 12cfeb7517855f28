"""Daylight saving: a weekly 09:00 availability stays 09:00 local across the change.

Europe/London moves from GMT to BST on 2027-03-28, so 09:00 local is 09:00Z before and 08:00Z after.
"""

from __future__ import annotations

import pytest

PROBLEM = {
    "format": "cohort-scheduler/problem/v1",
    "timezone": "Europe/London",
    "horizon": {"start": "2027-03-15", "end": "2027-04-09"},
    "programs": [{"id": "talk", "sessions": [180], "mode": "virtual", "seats": [1, 10]}],
    "cohorts": [
        {"id": "c1", "program": "talk", "size": 3, "hours": {"from": "07:00", "to": "19:00"}}
    ],
    "facilitators": [{"id": "ana", "weekly": {"tue": [["09:00", "12:00"]]}}],
}


def schedule_at(start: str, end: str) -> dict:
    return {
        "format": "cohort-scheduler/schedule/v1",
        "status": "feasible",
        "cost": {"total": 0.0, "facilitators": 0.0, "travel": 0.0, "rooms": 0.0, "seats": 0.0,
                 "preferences": 0.0, "unscheduled": 0.0, "changes": 0.0, "per_trained_learner": 0.0},
        "sections": [{"id": "S1", "program": "talk", "size": 3, "cohorts": [{"cohort": "c1", "learners": 3}],
                      "sessions": [{"index": 0, "start": start, "end": end, "facilitator": "ana", "room": None}]}],
        "unscheduled": [],
        "errors": [],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end"),
    [("2027-03-23T09:00:00+00:00", "2027-03-23T12:00:00+00:00"),  # GMT: 09:00 local
     ("2027-03-30T08:00:00+00:00", "2027-03-30T11:00:00+00:00")],  # BST: 09:00 local
    ids=["winter 09:00Z", "summer 08:00Z"],
)  # fmt: skip
def test_a_weekly_0900_window_is_0900_local_on_both_sides_of_the_change(violations, start, end):
    assert violations(PROBLEM, schedule_at(start, end)) == set()


def test_0900z_in_summer_is_1000_local_and_outside_the_window(violations):
    found = violations(
        PROBLEM, schedule_at("2027-03-30T09:00:00+00:00", "2027-03-30T12:00:00+00:00")
    )
    assert found == {("facilitator_unavailable", "sections[0].sessions[0].facilitator")}


def test_the_slot_grid_follows_local_midnight_after_the_change(violations):
    found = violations(
        PROBLEM, schedule_at("2027-03-30T08:15:00+00:00", "2027-03-30T11:15:00+00:00")
    )
    assert ("slot_grid", "sections[0].sessions[0].start") in found
