"""Sensitivity: re-solves with deadlines moved and facilitators removed or doubled, on cases whose
marginal values are known by hand."""

from __future__ import annotations

from solver.sensitivity import (
    busiest_facilitators,
    deadlines_moved,
    one_more_like,
    sensitivity,
    without_facilitator,
)
from tests.solver import tiny

ONE_SLOT = {"mon": [["09:00", "10:00"]]}  # one 60-minute session a week


def apart(*ids: str, **over):
    return [tiny.cohort(c, mergeable=False, **over) for c in ids]


def rows_by_change(table) -> dict[str, dict]:
    return {row["change"]: row for row in table["rows"]}


def test_marginal_value_of_each_facilitator():
    # Two cohorts, two Monday-only facilitators: ana (100 an hour) and bo (200 an hour).
    problem = tiny.problem(
        tiny.doc(
            cohorts=apart("c1", "c2"),
            facilitators=[
                tiny.facilitator("ana", weekly=ONE_SLOT),
                tiny.facilitator("bo", weekly=ONE_SLOT, hourly_rate=200.0),
            ],
        )
    )
    table = sensitivity(problem, seconds=5.0)
    assert table["base"] == {"status": "optimal", "cost": 300.0, "placed": 20}
    rows = rows_by_change(table)
    # Without ana, bo teaches one cohort and ten learners cost 10,000 each.
    assert (rows["without ana"]["cost_change"], rows["without ana"]["placed_change"]) == (
        99900.0,
        -10,
    )
    assert (rows["without bo"]["cost_change"], rows["without bo"]["placed_change"]) == (
        99800.0,
        -10,
    )
    # A second ana replaces bo (saves 100); a second bo changes nothing.
    assert (
        rows["one more like ana"]["cost_change"],
        rows["one more like ana"]["placed_change"],
    ) == (
        -100.0,
        0,
    )
    assert rows["one more like bo"]["cost_change"] == 0.0
    assert all(row["status"] == "optimal" for row in table["rows"])


def test_marginal_value_of_a_deadline_week():
    # ana teaches one cohort a Monday; both deadlines fall in the first week of two.
    problem = tiny.problem(
        tiny.doc(
            horizon={"start": "2027-01-04", "end": "2027-01-15"},
            cohorts=apart("c1", "c2", deadline="2027-01-08"),
            facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        )
    )
    rows = rows_by_change(sensitivity(problem, seconds=5.0))
    later = rows["every deadline one week later"]
    assert (later["cost_change"], later["placed_change"]) == (-99900.0, 10)
    earlier = rows["every deadline one week earlier"]  # capped at the earliest date, Monday
    assert (earlier["cost_change"], earlier["placed_change"]) == (0.0, 0)


def test_changed_problems_keep_the_original_untouched():
    problem = tiny.problem(tiny.doc(cohorts=apart("c1", deadline="2027-01-06")))
    assert deadlines_moved(problem, 7).cohorts["c1"].deadline.isoformat() == "2027-01-08"
    assert deadlines_moved(problem, -7).cohorts["c1"].deadline.isoformat() == "2027-01-04"
    assert set(without_facilitator(problem, "ana").facilitators) == set()
    twin = one_more_like(problem, "ana").facilitators["ana #2"]
    assert (twin.skills, twin.site, twin.hourly_rate) == (frozenset({"s"}), "london", 100.0)
    assert problem.cohorts["c1"].deadline.isoformat() == "2027-01-06"
    assert set(problem.facilitators) == {"ana"}


def test_a_facilitator_with_published_sessions_is_not_removed():
    document = tiny.doc(
        cohorts=apart("c1"),
        fixed=[{"section": "s1", "cohorts": [{"cohort": "c1", "learners": 10}], "session": 0,
                "start": "2027-01-04T09:00:00+00:00", "facilitator": "ana", "room": None}],
    )  # fmt: skip
    rows = rows_by_change(sensitivity(tiny.problem(document), seconds=5.0))
    assert "cost" not in rows["without ana"]
    assert "published" in rows["without ana"]["note"]


def test_rows_can_be_limited_to_the_busiest_facilitators():
    document = tiny.doc(
        cohorts=apart("c1", "c2", "c3"),
        facilitators=[
            tiny.facilitator("ana", weekly={"mon": [["09:00", "11:00"]]}),
            tiny.facilitator("bo", weekly=ONE_SLOT, hourly_rate=200.0),
            tiny.facilitator("cy", skills=["other"]),
        ],
    )
    base = tiny.solved(document)
    assert busiest_facilitators(base, 1) == ["ana"]  # two sessions; bo one, cy none
    assert busiest_facilitators(base, 5) == ["ana", "bo"]
    assert busiest_facilitators(base, 5, among=["cy", "bo"]) == ["bo", "cy"]
    table = sensitivity(
        tiny.problem(document), base, seconds=5.0, facilitators=busiest_facilitators(base, 1)
    )
    assert {row["subject"] for row in table["rows"]} == {None, "ana"}
