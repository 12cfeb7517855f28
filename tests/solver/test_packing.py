"""Sections packed full (solver.packing): one test per rule of composition, then placement inside a
plan and the search's repacking pass, each result through the independent checker."""

from __future__ import annotations

from tiny import cohort, doc, facilitator, problem, program

from solver import candidates, lns, packing
from solver.check import check
from solver.deadline import Deadline
from solver.greedy import greedy_plan
from solver.lower_bound import group_bounds
from solver.packing import compose, first_fit, repack
from solver.plan import Plan, PlannedSection, PlannedSession, price, to_document

GROUP = "p@virtual"


def _cand(programs=None, cohorts=None, facilitators=None, **top):
    document = doc(programs=programs, cohorts=cohorts, facilitators=facilitators, **top)
    return candidates.build(problem(document))


def _sizes(cand) -> dict[str, int]:
    return {c.id: c.size for c in cand.problem.cohorts.values()}


def _shapes(sections) -> list[dict[str, int]]:
    return sorted(sections, key=lambda s: sorted(s.items()))


def _violations(cand, plan):
    document = to_document(cand, plan, status="feasible", reasons={}, solver={}, lower_bound=0.0)
    return check(cand.problem, document)


def test_a_large_cohort_fills_whole_sections_and_its_remainder_shares_with_another():
    cand = _cand(programs=[program(seats=[1, 16])], cohorts=[cohort("a", 27), cohort("b", 5)])
    sections = first_fit(cand, cand.groups[GROUP], _sizes(cand))
    # The greedy's even split makes a: 14 + 13 and leaves b alone, three sections.
    assert _shapes(sections) == [{"a": 11, "b": 5}, {"a": 16}]


def test_a_cohort_that_may_not_be_split_sits_in_one_section():
    cohorts = [cohort("a", 10, splittable=False), cohort("b", 10)]
    cand = _cand(programs=[program(seats=[1, 16])], cohorts=cohorts)
    sections = compose(cand, cand.groups[GROUP], _sizes(cand))
    assert [s["a"] for s in sections if "a" in s] == [10]
    assert sum(s.get("b", 0) for s in sections) == 10


def test_a_cohort_that_may_not_merge_sits_alone():
    cohorts = [cohort("a", 4, mergeable=False), cohort("b", 4)]
    cand = _cand(programs=[program(seats=[1, 16])], cohorts=cohorts)
    sections = compose(cand, cand.groups[GROUP], _sizes(cand))
    assert _shapes(sections) == [{"a": 4}, {"b": 4}]


def test_cohorts_without_a_common_start_never_share_a_section():
    morning = {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "12:00"}
    afternoon = {**morning, "from": "14:00", "to": "17:00"}
    cohorts = [cohort("a", 4, hours=morning), cohort("b", 4, hours=afternoon)]
    cand = _cand(programs=[program(seats=[1, 16])], cohorts=cohorts)
    sections = compose(cand, cand.groups[GROUP], _sizes(cand))
    assert _shapes(sections) == [{"a": 4}, {"b": 4}]


def test_filling_splits_a_rest_no_section_takes_whole_over_the_roomiest_sections():
    cohorts = [cohort("a", 7, splittable=False), cohort("b", 7, splittable=False), cohort("c", 6)]
    cand = _cand(programs=[program(seats=[1, 10])], cohorts=cohorts)
    group = cand.groups[GROUP]
    assert len(first_fit(cand, group, _sizes(cand))) == 3  # c alone
    filled = first_fit(cand, group, _sizes(cand), fill=True)
    assert _shapes(filled) == [{"a": 7, "c": 3}, {"b": 7, "c": 3}]
    assert len(compose(cand, group, _sizes(cand))) == 2


def test_a_section_under_the_minimum_takes_learners_from_a_full_section_of_its_cohort():
    cand = _cand(programs=[program(seats=[8, 16])], cohorts=[cohort("a", 19)])
    sections = first_fit(cand, cand.groups[GROUP], _sizes(cand))
    assert _shapes(sections) == [{"a": 8}, {"a": 11}]


def test_learners_who_cannot_reach_the_minimum_are_left_out():
    cand = _cand(programs=[program(seats=[8, 16])], cohorts=[cohort("a", 5)])
    assert compose(cand, cand.groups[GROUP], _sizes(cand)) == []


def test_cp_sat_finds_fewer_sections_where_first_fit_strands_a_cohort():
    sizes = [5, 4, 3, 3, 3, 2]  # largest first into sections of 10: 5+4, 3+3+3, 2 — three sections
    cohorts = [cohort(f"c{k}", n, splittable=False) for k, n in enumerate(sizes)]
    cand = _cand(programs=[program(seats=[1, 10])], cohorts=cohorts)
    group = cand.groups[GROUP]
    assert len(first_fit(cand, group, _sizes(cand))) == 3
    sections = compose(cand, group, _sizes(cand))
    assert len(sections) == 2
    assert sorted(n for s in sections for n in s.values()) == sorted(sizes)


def test_a_packing_model_too_large_to_settle_is_not_built_and_first_fit_stands(monkeypatch):
    sizes = [5, 4, 3, 3, 3, 2]  # as above: the model would find two sections
    cohorts = [cohort(f"c{k}", n, splittable=False) for k, n in enumerate(sizes)]
    cand = _cand(programs=[program(seats=[1, 10])], cohorts=cohorts)
    group = cand.groups[GROUP]
    # 6 cohorts x 6 sections (each cohort alone) = 36 cells: one over the limit
    monkeypatch.setattr(packing, "PACK_MODEL_CELLS", 35)
    built = []
    monkeypatch.setattr(packing, "_fewer_sections", lambda *a, **k: built.append(a))
    assert len(compose(cand, group, _sizes(cand))) == 3  # first-fit's sections
    assert built == []
    monkeypatch.setattr(packing, "PACK_MODEL_CELLS", 36)
    compose(cand, group, _sizes(cand))
    assert len(built) == 1


def _two_program_plan():
    """Cohort a (27) and b (5) at 16 seats, and the greedy's three sections for them."""
    cohorts = [cohort("a", 27), cohort("b", 5)]
    cand = _cand(
        programs=[program(seats=[1, 16])],
        cohorts=cohorts,
        facilitators=[facilitator("ana"), facilitator("bob", hourly_rate=150.0)],
    )
    return cand, greedy_plan(cand)


def test_repack_places_the_group_in_fewer_sections_and_keeps_every_rule():
    cand, plan = _two_program_plan()
    assert len(plan.sections) == 3
    packed = repack(cand, plan, GROUP)
    assert len(packed.sections) == 2
    assert _violations(cand, packed) == []
    assert price(cand, packed)["total"] < price(cand, plan)["total"]
    assert price(cand, packed)["unscheduled"] == 0


def test_repack_keeps_fixed_sections_as_they_are():
    cand, plan = _two_program_plan()
    pinned = PlannedSection(GROUP, {"a": 10}, [PlannedSession(0, 600, 60, "bob", None)], "S1")
    others = [s for s in plan.sections if "b" in s.parts]
    start = Plan([pinned, *others])
    packed = repack(cand, start, GROUP)
    assert pinned in packed.sections
    assert sum(s.parts.get("a", 0) for s in packed.sections) == 27
    assert _violations(cand, packed) == []


def test_repack_never_seats_fewer_of_the_group_than_the_plan(monkeypatch):
    cand, plan = _two_program_plan()
    real = packing.place_section
    calls = []

    def no_room_for_the_second(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs) if len(calls) == 1 else None

    monkeypatch.setattr(packing, "place_section", no_room_for_the_second)
    assert repack(cand, plan, GROUP) is None
    assert len(calls) == 2


def test_the_search_opens_with_repacking_and_keeps_it_only_when_cheaper():
    cand, plan = _two_program_plan()
    outcome = lns.Outcome(plan, price(cand, plan)["total"])
    kept = []
    lns.repack_all(
        cand, outcome, group_bounds(cand), Deadline.after(30),
        lambda result: kept.append(outcome.offer(cand, result)), lambda: False,
    )  # fmt: skip
    assert kept == [True]
    assert len(outcome.plan.sections) == 2
    # Repacking a plan that is already packed finds nothing cheaper and keeps it.
    again = []
    lns.repack_all(
        cand, outcome, {}, Deadline.after(30),
        lambda result: again.append(outcome.offer(cand, result)), lambda: False,
    )  # fmt: skip
    assert again == [False]
