"""End-to-end behaviour of ``solver.solve.solve``: feasible schedules, time zones, fixed sessions,
re-planning, progress and cancel."""

from __future__ import annotations

import threading

from tiny import cohort, doc, facilitator, problem, program, room, sessions, solved, unscheduled

from solver.check import check
from solver.solve import solve

ISSUE_EXAMPLE = doc(
    horizon={"start": "2027-01-04", "end": "2027-02-26"},
    slot_minutes=30,
    programs=[program(id="sec-champ", sessions=[180, 120], gap_days=[2, 7], mode="in_person",
                      skill="security", seats=[6, 20], seat_cost=12.0)],
    cohorts=[cohort("lon-1", 18, program="sec-champ", learners=["e104", "e233"],
                    conflict_groups=["team-ops"], unavailable=[["2027-01-18T00:00", "2027-01-23T00:00"]],
                    deadline="2027-02-12", unscheduled_cost=2000.0),
             cohort("lon-2", 30, program="sec-champ", conflict_groups=["team-ops"])],
    facilitators=[facilitator("ana", skills=["security"], hourly_rate=90.0,
                              weekly={"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "wed": [["09:00", "17:00"]]},
                              available=[["2027-01-09T09:00", "2027-01-09T13:00"]],
                              unavailable=[["2027-01-11T00:00", "2027-01-13T00:00"]],
                              if_need_be=[["2027-01-15T13:00", "2027-01-15T17:00"]], if_need_be_cost=80.0,
                              travel_cost={"paris": 250.0}, max_minutes_per_day=360, buffer_minutes=15)],
    rooms=[room("lon-a", 24, hourly_cost=40.0)],
    fixed=[{"section": "S1", "cohorts": [{"cohort": "lon-1", "learners": 18}], "session": 0,
            "start": "2027-01-06T09:00", "facilitator": "ana", "room": "lon-a"}],
    change_cost=50.0,
)  # fmt: skip


def test_issue_example_is_solved_to_proven_optimality_and_passes_the_checker():
    schedule = solved(ISSUE_EXAMPLE)
    assert schedule["status"] == "optimal"
    assert schedule["solver"]["gap"] == 0.0
    assert schedule["lower_bound"] == schedule["cost"]["total"]
    assert unscheduled(schedule) == {}
    s1 = next(s for s in schedule["sections"] if s["id"] == "S1")
    assert s1["sessions"][0]["start"] == "2027-01-06T09:00:00+00:00"


def test_weekly_availability_stays_at_local_nine_across_the_dst_change():
    document = doc(
        horizon={"start": "2027-03-22", "end": "2027-04-02"},
        programs=[program(sessions=[60, 60], gap_days=[7, 7])],
        facilitators=[facilitator("ana", weekly={"mon": [["09:00", "10:00"]]})],
    )
    first, second = sessions(solved(document))
    assert first["start"] == "2027-03-22T09:00:00+00:00"  # GMT
    assert second["start"] == "2027-03-29T08:00:00+00:00"  # 09:00 BST


def _across_zones(*cohorts):
    return doc(programs=[program(sessions=[120], seats=[10, 20])], cohorts=list(cohorts))


def test_cohorts_in_different_zones_share_a_virtual_section_within_their_common_hours():
    london = cohort("lon", 6, timezone="Europe/London", site="london")
    new_york = cohort("nyc", 6, timezone="America/New_York", site="new-york")
    schedule = solved(_across_zones(london, new_york))
    [x] = sessions(schedule)
    assert x["cohorts"] == {"lon": 6, "nyc": 6}
    # 09:00-17:00 London and 09:00-17:00 New York overlap from 14:00 to 17:00 UTC in January.
    assert x["start"][11:16] in ("14:00", "15:00")


def test_cohorts_whose_hours_never_overlap_are_not_merged():
    singapore = cohort("sgp", 6, timezone="Asia/Singapore", site="singapore")
    new_york = cohort("nyc", 6, timezone="America/New_York", site="new-york")
    schedule = solved(_across_zones(singapore, new_york))
    assert schedule["sections"] == []
    assert unscheduled(schedule) == {"sgp": 6, "nyc": 6}


def _fixed(section, cohort_id, start, who="ana"):
    return {"section": section, "cohorts": [{"cohort": cohort_id, "learners": 10}], "session": 0,
            "start": start, "facilitator": who}  # fmt: skip


def test_fixed_sessions_that_clash_give_infeasible_naming_both():
    clash = [_fixed("F1", "a", "2027-01-05T10:00"), _fixed("F2", "b", "2027-01-05T10:00")]
    p = problem(doc(cohorts=[cohort("a"), cohort("b")], fixed=clash))
    schedule = solve(p, time_limit=5)
    assert schedule["status"] == "infeasible"
    assert sorted(e["path"] for e in schedule["errors"]) == ["fixed[0]", "fixed[1]"]


def test_fixed_session_against_the_data_is_named_alone():
    ana = facilitator("ana", weekly={"mon": [["09:00", "17:00"]]})
    fixed = [_fixed("F1", "a", "2027-01-04T10:00"), _fixed("F2", "b", "2027-01-05T10:00")]
    p = problem(doc(cohorts=[cohort("a"), cohort("b")], facilitators=[ana], fixed=fixed))
    schedule = solve(p, time_limit=5)
    assert schedule["status"] == "infeasible"
    assert [e["path"] for e in schedule["errors"]] == ["fixed[1]"]
    assert schedule["errors"][0]["message"].endswith(
        "contradicts the data: ana is not available then"
    )


def test_replanning_moves_only_the_sessions_that_must_move():
    cohorts = [cohort(c, mergeable=False) for c in ("a", "b", "c")]
    one_hour = {day: [["09:00", "10:00"]] for day in ("mon", "tue", "wed", "thu")}
    ana = facilitator("ana", weekly=one_hour)
    first = solved(doc(cohorts=cohorts, facilitators=[ana], change_cost=50.0))
    day = sessions(first)[0]["start"][:10]
    ana["unavailable"] = [[f"{day}T00:00", f"{day}T23:59"]]
    again = solved(doc(cohorts=cohorts, facilitators=[ana], previous=first, change_cost=50.0))
    before = {x["section"]: (x["start"], x["facilitator"]) for x in sessions(first)}
    after = {x["section"]: (x["start"], x["facilitator"]) for x in sessions(again)}
    changed = [sid for sid in before if before[sid] != after.get(sid)]
    expected = [x["section"] for x in sessions(first) if x["start"].startswith(day)]
    assert changed == expected and len(expected) == 1
    assert again["cost"]["changes"] == 50.0 * len(expected)


def test_progress_reports_cost_and_bound():
    seen = []
    solved(ISSUE_EXAMPLE, progress=lambda elapsed, cost, bound: seen.append((elapsed, cost, bound)))
    assert seen
    assert all(bound <= cost + 1e-6 for _, cost, bound in seen)
    assert [c for _, c, _ in seen] == sorted((c for _, c, _ in seen), reverse=True)


def test_a_set_stop_event_still_returns_a_checked_schedule():
    stop = threading.Event()
    stop.set()
    p = problem(ISSUE_EXAMPLE)
    schedule = solve(p, time_limit=30, stop_event=stop)
    assert schedule["status"] in ("optimal", "feasible")
    assert check(p, schedule) == []
    assert schedule["solver"]["wall_seconds"] < 10


def test_fixed_session_without_facilitator_or_room_keeps_its_start_and_gets_both():
    fixed = [{"section": "F1", "cohorts": [{"cohort": "c1", "learners": 10}], "session": 0,
              "start": "2027-01-05T10:00"}]  # fmt: skip
    schedule = solved(doc(programs=[program(mode="in_person")], rooms=[room("r")], fixed=fixed))
    [x] = sessions(schedule)
    assert (x["section"], x["start"], x["facilitator"], x["room"]) == (
        "F1", "2027-01-05T10:00:00+00:00", "ana", "r",
    )  # fmt: skip


def test_a_moved_session_of_a_previous_section_charges_only_the_sessions_that_moved():
    """Re-planning after a manual move: the fixed section's other sessions are still where they
    were, so neither the cost nor the model's bound may charge them as changes (the model once
    did, and its bound rose above the cost)."""
    two = program(sessions=[60, 60], gap_days=[1, 7])
    first = solved(doc(programs=[two], change_cost=50.0))
    section = first["sections"][0]
    moved = next(s for s in section["sessions"] if s["index"] == 1)
    new_start = (
        "2027-01-08T15:00:00+00:00"
        if moved["start"][:10] != "2027-01-08"
        else "2027-01-07T15:00:00+00:00"
    )
    fixed = [{"section": section["id"], "cohorts": section["cohorts"], "session": 1,
              "start": new_start, "facilitator": moved["facilitator"]}]  # fmt: skip
    again = solved(doc(programs=[two], change_cost=50.0, previous=first, fixed=fixed))
    assert again["cost"]["changes"] == 50.0
    assert again["solver"]["bound"] is not None
    assert again["solver"]["bound"] <= again["cost"]["total"]
