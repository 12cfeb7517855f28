"""Repair: one test per level of the lexicographic objective, each against the independent
checker and an independent count of the people affected (from the two schedule documents)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from solver.check import check
from solver.repair import repair
from solver.schedule import schedule_document
from tests.solver.tiny import cohort, doc, facilitator, problem, program, room, solved

MONDAY = [["2027-01-04T00:00", "2027-01-05T00:00"]]


def section(sid: str, cohorts: dict[str, int], sessions: list[tuple[str, str, str | None]]):
    """A previous section: ``sessions`` as (UTC start "2027-01-04T09:00", facilitator, room),
    each 60 minutes."""
    return {
        "id": sid,
        "program": "p",
        "cohorts": [{"cohort": c, "learners": n} for c, n in cohorts.items()],
        "size": sum(cohorts.values()),
        "sessions": [
            {
                "index": i,
                "start": f"{start}:00+00:00",
                "end": f"{start[:11]}{int(start[11:13]) + 1:02d}:00:00+00:00",
                "facilitator": f,
                "room": r,
            }
            for i, (start, f, r) in enumerate(sessions)
        ],
    }


def previous(*sections: dict) -> dict:
    return schedule_document("feasible", sections=list(sections))


def repaired(document: dict) -> dict:
    parsed = problem(document)
    schedule = repair(parsed, time_limit=10)
    assert check(parsed, schedule) == [], check(parsed, schedule)
    return schedule


def placements(schedule: dict) -> dict[tuple[str, int], tuple]:
    return {
        (s["id"], x["index"]): (x["start"], x["facilitator"], x["room"])
        for s in schedule["sections"]
        for x in s["sessions"]
    }


def people_affected(before: dict, after: dict) -> int:
    """Facilitators whose own sessions differ, plus learners whose section or its sessions
    differ (per cohort: those who cannot keep a section left exactly as it was)."""
    old, new = placements(before), placements(after)

    def taught(places: dict) -> dict[str, set]:
        out = defaultdict(set)
        for key, (start, f, r) in places.items():
            out[f].add((key, start, r))
        return out

    teachers_before, teachers_after = taught(old), taught(new)
    facilitators = sum(
        teachers_before.get(f, set()) != teachers_after.get(f, set())
        for f in set(teachers_before) | set(teachers_after)
    )
    parts_after = {
        s["id"]: {c["cohort"]: c["learners"] for c in s["cohorts"]} for s in after["sections"]
    }
    stay: dict[str, int] = defaultdict(int)
    placed_before: dict[str, int] = defaultdict(int)
    placed_after: dict[str, int] = defaultdict(int)
    for s in after["sections"]:
        for c in s["cohorts"]:
            placed_after[c["cohort"]] += c["learners"]
    for s in before["sections"]:
        whole = all(
            new.get((s["id"], x["index"])) == old[(s["id"], x["index"])] for x in s["sessions"]
        )
        for c in s["cohorts"]:
            placed_before[c["cohort"]] += c["learners"]
            if whole:
                stay[c["cohort"]] += min(
                    c["learners"], parts_after.get(s["id"], {}).get(c["cohort"], 0)
                )
    learners = sum(
        max(placed_before[c], placed_after[c]) - stay[c]
        for c in set(placed_before) | set(placed_after)
    )
    return facilitators + learners


def level(schedule: dict, name: str) -> dict[str, Any]:
    return next(item for item in schedule["solver"]["repair"] if item["level"] == name)


# --- level 0: nothing broken ------------------------------------------------------------------


def test_a_broken_session_moves_and_every_other_session_stays():
    """Ana can no longer teach on Monday: her Monday session moves, Ben's Tuesday one stays."""
    before = previous(
        section("S1", {"c1": 10}, [("2027-01-04T09:00", "ana", None)]),
        section("S2", {"c2": 10}, [("2027-01-05T09:00", "ben", None)]),
    )
    document = doc(
        cohorts=[cohort("c1", mergeable=False), cohort("c2", mergeable=False)],
        facilitators=[facilitator("ana", unavailable=MONDAY), facilitator("ben")],
        previous=before,
    )
    assert check(problem(document), before) != []  # the published plan is broken
    after = repaired(document)
    moved = placements(after)
    assert moved[("S2", 0)] == ("2027-01-05T09:00:00+00:00", "ben", None)
    start, teacher, _ = moved[("S1", 0)]  # moved inside its own section, not replaced
    assert teacher == "ana"  # moved in time, not to another teacher
    assert not start.startswith("2027-01-04")
    assert people_affected(before, after) == 11  # Ana and her 10 learners
    assert level(after, "people affected")["value"] == 11
    assert level(after, "sessions changed")["value"] == 1


# --- level 1: learners are not dropped -------------------------------------------------------


def test_a_broken_session_is_moved_rather_than_its_learners_dropped_even_when_dropping_is_cheaper():
    before = previous(section("S1", {"c1": 5}, [("2027-01-04T09:00", "ana", None)]))
    document = doc(
        cohorts=[cohort("c1", size=5, unscheduled_cost=0.0)],
        facilitators=[facilitator("ana", unavailable=MONDAY)],
        previous=before,
    )
    cheapest = solved(document)
    # By cost alone, dropping them is best.
    assert [(u["cohort"], u["learners"]) for u in cheapest["unscheduled"]] == [("c1", 5)]
    after = repaired(document)
    assert after["unscheduled"] == []
    assert level(after, "learners kept in the plan")["value"] == 5


# --- level 2: fewest people affected, before cost --------------------------------------------


def test_the_fewest_people_are_affected_even_where_a_bigger_change_is_cheaper():
    """c1 attends on Mondays only. Merging c1 and c2 into one Monday section would save Ana's
    second hour but moves everyone (5 people); moving S1 alone affects Ana and c1's two."""
    before = previous(
        section("S1", {"c1": 2}, [("2027-01-04T09:00", "ana", None)]),
        section("S2", {"c2": 2}, [("2027-01-05T09:00", "ana", None)]),
    )
    document = doc(
        cohorts=[
            cohort("c1", size=2, mergeable=True, hours={"days": ["mon"]}),
            cohort("c2", size=2, mergeable=True),
        ],
        facilitators=[facilitator("ana", unavailable=[["2027-01-04T09:00", "2027-01-04T10:00"]])],
        previous=before,
    )
    cheapest = solved(document)
    after = repaired(document)
    assert people_affected(before, after) == 3
    assert level(after, "people affected")["value"] == 3
    assert people_affected(before, cheapest) > 3
    assert cheapest["cost"]["total"] < after["cost"]["total"]  # cost alone would choose otherwise
    assert placements(after)[("S2", 0)] == ("2027-01-05T09:00:00+00:00", "ana", None)


# --- level 3: cost among the smallest changes ------------------------------------------------


def test_among_equally_small_changes_the_cheapest_is_chosen():
    """Room r1 closes on Monday; r2 and r3 both fit at the same time, r2 costs less."""
    in_person = program(mode="in_person")
    before = previous(section("S1", {"c1": 10}, [("2027-01-04T09:00", "ana", "r1")]))
    document = doc(
        programs=[in_person],
        cohorts=[cohort("c1")],
        rooms=[
            room("r1", unavailable=MONDAY),
            room("r2", hourly_cost=1.0),
            room("r3", hourly_cost=50.0),
        ],
        previous=before,
    )
    after = repaired(document)
    assert placements(after)[("S1", 0)] == ("2027-01-04T09:00:00+00:00", "ana", "r2")
    assert level(after, "cost")["value"] == round(after["cost"]["total"] * 100)
