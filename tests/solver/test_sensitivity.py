"""Sensitivity: re-solves with deadlines moved and facilitators removed or doubled, on cases whose
marginal values are known by hand."""

from __future__ import annotations

from solver.sensitivity import (
    busiest_facilitators,
    deadline_groups,
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


def three_weeks_two_deadlines():
    """ana teaches one cohort a Monday for three weeks; c1 and c2 are due by the first Friday,
    c3 by the last day. The base plan places c3 and one of c1/c2 and leaves ten learners out."""
    return tiny.problem(
        tiny.doc(
            horizon={"start": "2027-01-04", "end": "2027-01-22"},
            cohorts=apart("c1", "c2", deadline="2027-01-08") + apart("c3", deadline="2027-01-22"),
            facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        )
    )


FIRST = "Workshop, due 2027-01-08 (2 cohorts, 20 learners)"
LAST = "Workshop, due 2027-01-22 (1 cohort, 10 learners)"


def test_marginal_value_of_each_deadline_group():
    table = sensitivity(three_weeks_two_deadlines(), seconds=5.0)
    # Two sessions of 100; ten learners left out at 10,000 each.
    assert table["base"] == {"status": "optimal", "cost": 100200.0, "placed": 20}
    rows = rows_by_change(table)
    # The first deadline matters: a week later, c2 takes the second Monday and c3 the third.
    later = rows[f"deadline of {FIRST} one week later"]
    assert (later["cost_change"], later["placed_change"]) == (-99900.0, 10)
    assert later["group"]["cohorts"] == ["c1", "c2"] and later["group"]["left_out"] == 10
    assert later["days"] == 7
    # A week earlier it is capped at the earliest date, the first Monday, which still has the slot.
    earlier = rows[f"deadline of {FIRST} one week earlier"]
    assert (earlier["cost_change"], earlier["placed_change"]) == (0.0, 0)
    # The last deadline does not matter: a week earlier c3 still has the second Monday, and it
    # cannot move later than the horizon's end, so that row is not re-solved.
    sooner = rows[f"deadline of {LAST} one week earlier"]
    assert (sooner["cost_change"], sooner["placed_change"]) == (0.0, 0)
    stuck = rows[f"deadline of {LAST} one week later"]
    assert "cost" not in stuck and "horizon's end" in stuck["note"]
    # The every-deadline rows stay: moving all later is worth what moving the first one is.
    assert rows["every deadline one week later"]["cost_change"] == -99900.0
    assert rows["every deadline one week earlier"]["cost_change"] == 0.0
    assert all(row["status"] == "optimal" for row in table["rows"] if "cost" in row)
    # The group leaving learners out is examined first.
    groups = [row["change"] for row in table["rows"] if row["kind"] == "deadline_group"]
    assert groups[:2] == [f"deadline of {FIRST} one week later",
                          f"deadline of {FIRST} one week earlier"]  # fmt: skip


def test_groups_beyond_the_limit_are_listed_as_not_examined():
    problem = three_weeks_two_deadlines()
    solved = []

    def counting_solve(changed, seconds):
        solved.append(changed)
        return tiny_solve(changed, seconds)

    table = sensitivity(problem, seconds=5.0, solve=counting_solve, group_limit=1, facilitators=[])
    rows = [row for row in table["rows"] if row["kind"] == "deadline_group"]
    assert [row["change"] for row in rows] == [
        f"deadline of {FIRST} one week later",
        f"deadline of {FIRST} one week earlier",
        f"deadline of {LAST}",
    ]
    assert "not examined" in rows[2]["note"] and "cost" not in rows[2]
    assert rows[2]["group"]["cohorts"] == ["c3"]
    assert len(solved) == 1 + 2 + 2  # base, every deadline later/earlier, the first group twice


def tiny_solve(problem, seconds):
    from solver.solve import solve

    return solve(problem, time_limit=seconds, workers=1)


def test_deadline_groups_are_per_program_and_date():
    problem = tiny.problem(
        tiny.doc(
            programs=[tiny.program(), tiny.program(id="q", name="Security")],
            cohorts=[tiny.cohort("c1", deadline="2027-01-08"),
                     tiny.cohort("c2", size=5, deadline="2027-01-08"),
                     tiny.cohort("c3", size=30, program="q", deadline="2027-01-08"),
                     tiny.cohort("c4", deadline="2027-01-06")],
        )
    )  # fmt: skip
    groups = deadline_groups(problem)
    assert [(g.program, g.deadline.isoformat(), g.cohorts, g.learners) for g in groups] == [
        ("q", "2027-01-08", ("c3",), 30),
        ("p", "2027-01-08", ("c1", "c2"), 15),
        ("p", "2027-01-06", ("c4",), 10),
    ]
    assert groups[0].label == "Security, due 2027-01-08 (1 cohort, 30 learners)"
    # Learners the base plan leaves out rank a group first, whatever its size.
    base = {"unscheduled": [{"cohort": "c4", "learners": 3}]}
    assert [g.cohorts for g in deadline_groups(problem, base)][0] == ("c4",)
    moved = deadlines_moved(problem, 1, only=["c4"])
    assert [moved.cohorts[c].deadline.isoformat() for c in ("c1", "c4")] == [
        "2027-01-08", "2027-01-07"
    ]  # fmt: skip


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
