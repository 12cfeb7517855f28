"""Decomposition: parts share nothing that couples cohorts, and their merged plan is valid."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate
from solver import candidates
from solver.check import check
from solver.cost import recompute_cost
from solver.deadline import Deadline
from solver.decompose import PART_KEY, components, merge, parts
from solver.decompose_bound import split_bounds
from solver.lower_bound import lower_bound_parts
from solver.problem import Problem
from solver.schedule import empty_cost
from solver.solve import reported_bound
from tests.solver.tiny import cohort, doc, facilitator, problem, program, room

SITES = ("london", "paris", "oslo")


def random_document(seed: int) -> dict:
    """A small problem with random skills, sites, modes, shared learners and conflict groups."""
    rng = random.Random(seed)
    skills = [f"k{n}" for n in range(rng.randint(1, 5))]
    programs = [
        program(id=f"p{n}", skill=s, mode=rng.choice(["virtual", "in_person"]))
        for n, s in enumerate(skills)
    ]
    cohorts = []
    for n in range(rng.randint(2, 30)):
        extra = {}
        if rng.random() < 0.2:
            extra["learners"] = [f"e{rng.randrange(15)}"]
        if rng.random() < 0.2:
            extra["conflict_groups"] = [f"t{rng.randrange(6)}"]
        cohorts.append(cohort(f"c{n}", size=rng.randint(1, 12), program=rng.choice(programs)["id"],
                              site=rng.choice(SITES), **extra))  # fmt: skip
    facilitators = [
        facilitator(f"f{n}", skills=rng.sample(skills, rng.randint(1, min(2, len(skills)))),
                    site=rng.choice(SITES))
        for n in range(rng.randint(1, 10))
    ]  # fmt: skip
    rooms = [room(f"r{n}", site=rng.choice(SITES)) for n in range(rng.randint(0, 6))]
    return doc(programs=programs, cohorts=cohorts, facilitators=facilitators, rooms=rooms)


def _ids(part: dict, key: str) -> set[str]:
    return {x["id"] for x in part[key]}


def _tags(problem_: Problem, cohort_ids: set[str]) -> set[tuple[str, str]]:
    out = set()
    for c in cohort_ids:
        out |= {("learner", x) for x in problem_.cohorts[c].learners}
        out |= {("conflict", x) for x in problem_.cohorts[c].conflict_groups}
    return out


def _couplings(problem_: Problem, cohort_ids: set[str]) -> set[tuple]:
    """Everything through which a cohort of the set could constrain another: computed from the
    problem's own data, not by the code under test."""
    out = _tags(problem_, cohort_ids)
    for c_id in cohort_ids:
        c = problem_.cohorts[c_id]
        p = problem_.programs[c.program]
        out |= {
            ("facilitator", f.id) for f in problem_.facilitators.values() if p.skill in f.skills
        }
        if p.in_person:
            out |= {("room", r.id) for r in problem_.rooms.values() if r.site == c.site}
            out.add(("group", p.id, c.site))
        else:
            out.add(("group", p.id, None))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), limit=st.integers(1, 12))
def test_parts_are_independent_and_cover_every_cohort_once(seed, limit):
    document = random_document(seed)
    p = problem(document)
    found = parts(document, p, max_cohorts=limit)
    listed = [c["id"] for part in found for c in part["cohorts"]]
    assert sorted(listed) == sorted(p.cohorts)  # every cohort in exactly one part
    cohorts = [_ids(part, "cohorts") for part in found]
    for a, b in combinations(range(len(found)), 2):
        # No facilitator, room, learner or conflict group in two parts.
        assert not _ids(found[a], "facilitators") & _ids(found[b], "facilitators")
        assert not _ids(found[a], "rooms") & _ids(found[b], "rooms")
        assert not _tags(p, cohorts[a]) & _tags(p, cohorts[b])
        if not found[a][PART_KEY]["split"] and not found[b][PART_KEY]["split"]:
            # Whole components: nothing at all couples them, whatever the resources given.
            assert not _couplings(p, cohorts[a]) & _couplings(p, cohorts[b])
    for part in found:  # every part is a valid problem of its own
        sub = problem(part)
        assert set(sub.cohorts) == {c["id"] for c in part["cohorts"]}


def test_a_small_problem_is_one_part_the_document_itself():
    document = random_document(3)
    p = problem(document)
    (only,) = parts(document, p, max_cohorts=len(p.cohorts))
    assert {k: v for k, v in only.items() if k != PART_KEY} == document
    assert only[PART_KEY] == {"index": 0, "of": 1, "cohorts": len(p.cohorts), "split": False}


def _two_skills(**first: object) -> dict:
    """Two virtual programs with their own skill and facilitator: two components unless coupled."""
    return doc(
        programs=[program(id="pa", skill="a"), program(id="pb", skill="b")],
        cohorts=[cohort("ca", program="pa", **first), cohort("cb", program="pb")],
        facilitators=[facilitator("fa", skills=["a"]), facilitator("fb", skills=["b"])],
    )


def test_unrelated_programs_with_their_own_facilitators_are_two_parts():
    assert sorted(map(sorted, components(problem(_two_skills())))) == [["ca"], ["cb"]]


def test_cohorts_sharing_a_learner_stay_together():
    document = _two_skills(learners=["e1"])
    document["cohorts"][1]["learners"] = ["e1"]
    assert components(problem(document)) == [["ca", "cb"]]
    found = parts(document, problem(document), max_cohorts=1)  # even when over the size limit
    assert [sorted(_ids(x, "cohorts")) for x in found] == [["ca", "cb"]]


def test_cohorts_sharing_a_conflict_group_stay_together():
    document = _two_skills(conflict_groups=["team"])
    document["cohorts"][1]["conflict_groups"] = ["team"]
    found = parts(document, problem(document), max_cohorts=1)
    assert [sorted(_ids(x, "cohorts")) for x in found] == [["ca", "cb"]]


def test_a_facilitator_qualified_for_both_couples_them():
    document = _two_skills()
    document["facilitators"].append(facilitator("both", skills=["a", "b"]))
    assert components(problem(document)) == [["ca", "cb"]]


def test_in_person_cohorts_at_one_site_share_its_rooms():
    document = _two_skills()
    for prog in document["programs"]:
        prog["mode"] = "in_person"
    document["rooms"] = [room("r1")]
    assert components(problem(document)) == [["ca", "cb"]]


def _solve_parts(document: dict, p: Problem, limit: int, seconds: float = 3.0):
    """Parts solved one after the other and merged, split components bounded unsplit."""
    from solver.solve import solve

    found = parts(document, p, max_cohorts=limit)
    schedules = [solve(problem(part), time_limit=seconds, workers=1) for part in found]
    bounds = split_bounds(document, p, found, Deadline.after(30))
    return found, schedules, merge(p, schedules, found, bounds)


def test_merged_plan_of_split_parts_passes_the_checker_and_costs_the_sum_of_parts():
    from solver.solve import solve

    document = generate("S", 2)
    p = problem(document)
    found, schedules, merged = _solve_parts(document, p, limit=10)
    assert len(found) == 2 and all(part[PART_KEY]["split"] for part in found)
    assert check(p, merged) == []
    assert merged["cost"] == recompute_cost(p, merged)
    assert merged["cost"]["total"] == round(sum(s["cost"]["total"] for s in schedules), 2)
    assert merged["status"] == "feasible"
    # The split component's bound is computed on it unsplit, and the merged plan is above it.
    (only,) = merged["solver"]["bound_parts"]["pieces"]
    assert only["split"] and only["parts"] == [0, 1] and only["cohorts"] == len(p.cohorts)
    assert only["bound"] == merged["lower_bound"] <= merged["cost"]["total"]
    unsplit = lower_bound_parts(candidates.build(p), 5.0)  # the whole is one component
    assert merged["lower_bound"] == reported_bound(unsplit[unsplit["used"]], 1e12)
    # Two sub-parts of 10 facilitators each still place at least 90 % of what the whole does.
    whole = solve(p, time_limit=3.0, workers=1)
    placed = sum(s["size"] for s in merged["sections"])
    assert placed >= 0.9 * sum(s["size"] for s in whole["sections"]) > 0
    assert len({s["id"] for s in merged["sections"]}) == len(merged["sections"])
    assert [x["index"] for x in merged["solver"]["parts"]] == list(range(len(found)))


def test_independent_parts_merge_with_the_sum_of_their_bounds():
    document = _two_skills()
    document["cohorts"].append(cohort("ca2", program="pa"))
    p = problem(document)
    found, schedules, merged = _solve_parts(document, p, limit=2)
    assert [x[PART_KEY]["split"] for x in found] == [False, False]
    assert check(p, merged) == []
    assert merged["status"] == "optimal"
    assert merged["lower_bound"] == round(sum(s["lower_bound"] for s in schedules), 2)
    assert merged["cost"] == recompute_cost(p, merged)
    pieces = merged["solver"]["bound_parts"]["pieces"]
    assert [(x["parts"], x["split"], x["bound"]) for x in pieces] == [
        ([k], False, s["lower_bound"]) for k, s in enumerate(schedules)
    ]
    assert merged["solver"]["bound_parts"]["used"] == "combined"
    assert merged["solver"]["gap"] == 0.0


def _two_teachers_one_cheap() -> dict:
    """Two cohorts that may not share a section and two facilitators, 10 and 100 an hour, both
    free all week: the whole's best plan has the cheap one teach both (cost 20)."""
    return doc(
        cohorts=[cohort("a", mergeable=False), cohort("b", mergeable=False)],
        facilitators=[
            facilitator("cheap", hourly_rate=10.0),
            facilitator("dear", hourly_rate=100.0),
        ],
    )


def test_a_split_components_bound_is_its_bound_unsplit_not_its_sub_parts_sum():
    document = _two_teachers_one_cheap()
    p = problem(document)
    found, schedules, merged = _solve_parts(document, p, limit=1)
    assert [x[PART_KEY]["split"] for x in found] == [True, True]
    # One sub-part got the dear facilitator only: its bound (100) is no bound of its cohort in
    # the whole, where the cheap one can teach it; the sub-parts' bounds add up to 110 > 20.
    assert sorted(s["lower_bound"] for s in schedules) == [10.0, 100.0]
    assert merged["cost"]["total"] == 110.0
    assert merged["lower_bound"] == 20.0  # the whole's optimum, worked out by hand
    assert merged["solver"]["gap"] == round(90 / 110, 6)
    assert merged["status"] == "feasible" and check(p, merged) == []


def test_a_part_without_a_bound_leaves_the_merged_schedule_without_one():
    document = _two_skills()
    document["cohorts"].append(cohort("ca2", program="pa"))
    p = problem(document)
    found, schedules, _ = _solve_parts(document, p, limit=2)
    schedules[1] = {**schedules[1], "lower_bound": None}  # e.g. its pre-filtering was cut short
    merged = merge(p, schedules, found)
    assert merged["lower_bound"] is None and merged["solver"]["gap"] is None


def test_a_split_component_without_its_bound_leaves_the_merged_schedule_without_one():
    document = _two_teachers_one_cheap()
    p = problem(document)
    found, schedules, _ = _solve_parts(document, p, limit=1)
    merged = merge(p, schedules, found)  # no split_bounds given
    assert merged["lower_bound"] is None and merged["solver"]["bound"] is None
    assert check(p, merged) == []


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), limit=st.integers(1, 12))
def test_the_merged_bound_is_at_most_the_merged_cost(seed, limit):
    document = random_document(seed)
    p = problem(document)
    found, schedules, merged = _solve_parts(document, p, limit, seconds=0.5)
    assert check(p, merged) == []
    assert merged["cost"]["total"] == round(sum(s["cost"]["total"] for s in schedules), 2)
    # Every part had its candidates in time, so every piece has a bound, and so has the whole.
    assert merged["lower_bound"] is not None
    assert merged["lower_bound"] <= merged["cost"]["total"]
    whole = [
        s["lower_bound"] for s, d in zip(schedules, found, strict=True) if not d[PART_KEY]["split"]
    ]
    pieces = merged["solver"]["bound_parts"]["pieces"]
    assert sum(x["bound"] for x in pieces if not x["split"]) == pytest.approx(sum(whole))


def test_a_fixed_section_keeps_its_id_and_its_pinned_facilitator():
    document = generate("S", 1)
    c0 = document["cohorts"][0]
    prog = next(x for x in document["programs"] if x["id"] == c0["program"])
    teacher = next(f for f in document["facilitators"] if prog["skill"] in f["skills"])
    document["fixed"] = [{"section": "PINNED", "cohorts": [{"cohort": c0["id"], "learners": 1}],
                          "session": 0, "start": "2027-03-09T10:00",
                          "facilitator": teacher["id"]}]  # fmt: skip
    p = problem(document)
    found = parts(document, p, max_cohorts=5)
    holding = [x for x in found if teacher["id"] in _ids(x, "facilitators")]
    assert len(holding) == 1 and c0["id"] in _ids(holding[0], "cohorts")


def test_an_infeasible_part_makes_the_whole_infeasible():
    p = problem(_two_skills())
    ok = {"status": "feasible", "sections": [], "unscheduled": [], "lower_bound": None,
          "cost": empty_cost()}  # fmt: skip
    bad = {**ok, "status": "infeasible", "errors": [{"path": "fixed[0]", "message": "clash"}]}
    merged = merge(p, [ok, bad])
    assert merged["status"] == "infeasible"
    assert merged["errors"] == [{"path": "fixed[0]", "message": "clash"}]
    assert merged["sections"] == []


def test_a_sub_part_gets_facilitators_awake_in_its_cohorts_hours():
    # Four London and four Singapore cohorts of one program, split in two; the only Singapore
    # facilitator must go with the Singapore cohorts (London hours are their night).
    london = [cohort(f"a{n}") for n in range(4)]
    singapore = [cohort(f"b{n}", site="singapore", timezone="Asia/Singapore") for n in range(4)]
    people = [facilitator("f1", site="singapore", timezone="Asia/Singapore")]
    people += [facilitator(f"f{n}") for n in (2, 3, 4)]
    document = doc(cohorts=london + singapore, facilitators=people)
    p = problem(document)
    found = parts(document, p, max_cohorts=4)
    by_cohorts = {frozenset(_ids(x, "cohorts")): _ids(x, "facilitators") for x in found}
    assert by_cohorts[frozenset(c["id"] for c in singapore)] == {"f1"}
    assert by_cohorts[frozenset(c["id"] for c in london)] == {"f2", "f3", "f4"}
