"""Each explanation reason of ``solver.explain``, from the smallest problem that needs it."""

from __future__ import annotations

from tiny import cohort, doc, facilitator, problem, program, room, solved

from solver.explain import explain


def _reasons(document) -> dict[str, list[str]]:
    return {item["cohort"]: item["reasons"] for item in explain(problem(document))}


def test_no_facilitator_with_the_skill():
    reasons = _reasons(doc(facilitators=[facilitator("ana", skills=["other"])]))
    assert reasons["c1"] == ["no qualified facilitator: nobody has skill 's'"]


def test_no_qualified_facilitator_free_within_the_cohorts_hours_before_its_deadline():
    weekend = facilitator("ana", weekly={"sat": [["09:00", "17:00"]]})
    reasons = _reasons(doc(facilitators=[weekend]))
    assert reasons["c1"] == [
        "no qualified facilitator (skill 's') is free within the cohort's hours "
        "before its deadline 2027-01-08"
    ]


def test_fewer_learners_than_the_minimum_and_nothing_to_merge_with():
    reasons = _reasons(doc(programs=[program(seats=[6, 20])], cohorts=[cohort("c1", 3)]))
    assert reasons["c1"] == [
        "only 3 learners, fewer than the minimum of 6 seats, and no other cohort to merge with"
    ]


def test_a_small_cohort_with_a_merge_partner_has_no_static_reason():
    document = doc(programs=[program(seats=[6, 20])], cohorts=[cohort("a", 3), cohort("b", 3)])
    assert _reasons(document) == {}


def test_no_room_at_the_site_large_enough():
    document = doc(programs=[program(mode="in_person", seats=[6, 20])], rooms=[room("tiny", 4)])
    assert _reasons(document)["c1"] == [
        "no room at site 'london' large enough: the largest seats 4, a section needs at least 6"
    ]


def test_unscheduled_cohort_names_the_competing_cohorts_and_facilitators():
    one_hour = {"days": ["mon"], "from": "09:00", "to": "10:00"}
    document = doc(
        cohorts=[cohort("a", 10, hours=one_hour, mergeable=False),
                 cohort("b", 5, hours=one_hour, mergeable=False)],
    )  # fmt: skip
    schedule = solved(document)
    [left] = schedule["unscheduled"]
    assert left["cohort"] == "b"
    assert left["reasons"] == ["competition with cohorts a for facilitators ana"]
