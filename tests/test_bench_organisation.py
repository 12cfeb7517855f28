"""The org bench family (bench/organisation.py): valid documents of the asked size, the same for a
seed every time, a complete symmetric travel matrix that prices the facilitators' trips, and
learners shared the way departments share them."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench import threshold, versus
from bench.organisation import SIZES, generate, travel_matrix
from solver.check import check
from solver.solve import solve
from solver.validate import parse_problem


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("seed", [1, 11])
def test_every_size_validates_and_has_the_asked_shape(size, seed):
    cohorts, offices, facilitators, rooms_per_office = SIZES[size]
    doc = generate(size, seed)

    problem, errors = parse_problem(doc)

    assert errors == []
    assert len(problem.cohorts) == cohorts
    assert len(problem.facilitators) == facilitators
    assert len(doc["x-travel"]) == offices
    assert 3 <= offices <= 8
    assert len(problem.rooms) == offices * rooms_per_office
    # A few time zones, not one per office and not a single one.
    zones = {c["timezone"] for c in doc["cohorts"]}
    assert 2 <= len(zones) <= offices
    assert {p["mode"] for p in doc["programs"]} == {"in_person", "virtual"}
    for c in doc["cohorts"]:
        assert c["size"] == len(c["learners"]) == len(set(c["learners"]))
        assert 4 <= c["size"] <= 40
        assert c["deadline"] >= c["earliest"]


@pytest.mark.parametrize("size", ["org-40", "org-250"])
def test_a_seed_gives_the_same_document_every_time_and_seeds_differ(size):
    first = json.dumps(generate(size, 11), sort_keys=True)

    assert json.dumps(generate(size, 11), sort_keys=True) == first
    assert json.dumps(generate(size, 12), sort_keys=True) != first


@pytest.mark.parametrize("size", ["org-40", "org-120", "org-250"])
def test_travel_matrix_is_complete_and_symmetric_and_prices_every_trip(size):
    doc = generate(size, 3)
    travel = doc["x-travel"]
    offices = sorted(travel)

    for a in offices:
        assert sorted(travel[a]) == [o for o in offices if o != a]
        for b in travel[a]:
            assert travel[a][b] == travel[b][a]
            assert travel[a][b]["cost"] > 0 and travel[a][b]["hours"] > 0
    for f in doc["facilitators"]:
        # Home is free; every other office costs what the matrix says a trip from home costs.
        assert f["site"] in travel
        assert f["travel_cost"] == {o: travel[f["site"]][o]["cost"] for o in travel[f["site"]]}


def test_a_long_trip_takes_a_hotel_night_and_a_short_one_does_not():
    travel = travel_matrix(["london", "manchester", "singapore"])
    short, long = travel["london"]["manchester"], travel["london"]["singapore"]

    assert short["hours"] < 3 < long["hours"]
    # The fare grows with the distance, and a trip over three hours adds a night's hotel.
    assert long["cost"] - short["cost"] > 160
    assert travel_matrix(["london", "singapore"])["london"]["singapore"] == long


def test_learners_are_shared_between_programmes_never_within_one():
    doc = generate("org-120", 2)
    programs_of: dict[str, list[str]] = {}
    for c in doc["cohorts"]:
        for learner in c["learners"]:
            programs_of.setdefault(learner, []).append(c["program"])

    shared = [p for p in programs_of.values() if len(p) > 1]
    # Hundreds of people sit in two programmes (their department's and a compliance course)...
    assert len(shared) > 100
    # ...but nobody is in two waves of the same programme.
    assert all(len(p) == len(set(p)) for p in programs_of.values())


def test_managers_also_take_the_courses_everyone_takes_and_rooms_seat_a_full_section():
    doc = generate("org-80", 1)
    manager_only = {"new-manager", "coaching"}
    others = Counter(
        learner
        for c in doc["cohorts"]
        if c["program"] not in manager_only
        for learner in c["learners"]
    )
    managers = {
        learner for c in doc["cohorts"] if c["program"] in manager_only for learner in c["learners"]
    }
    rooms_at = Counter(r["site"] for r in doc["rooms"])
    biggest = {o: max(r["capacity"] for r in doc["rooms"] if r["site"] == o) for o in rooms_at}
    seats = {p["id"]: p["seats"][1] for p in doc["programs"]}
    mode = {p["id"]: p["mode"] for p in doc["programs"]}

    # The managers of the manager programmes sit in the courses for everyone too, so their
    # sessions may not clash: the sharing a department's real people bring.
    assert len(managers & set(others)) >= 10
    for c in doc["cohorts"]:
        if mode[c["program"]] == "in_person":
            assert biggest[c["site"]] >= seats[c["program"]]


@pytest.mark.slow
def test_a_generated_problem_solves_to_a_schedule_the_checker_accepts():
    problem, errors = parse_problem(generate("org-40", 1))
    assert errors == []

    schedule = solve(problem, time_limit=8, workers=1)

    assert schedule["status"] in ("feasible", "optimal")
    assert check(problem, schedule) == []
    assert schedule["sections"]
    virtual = {p for p, prog in problem.programs.items() if prog.mode == "virtual"}
    for section in schedule["sections"]:
        rooms = {s["room"] for s in section["sessions"]}
        # Virtual programmes take no room; in-person ones always one.
        assert (rooms == {None}) == (section["program"] in virtual)


def test_threshold_problems_of_the_org_family_are_the_family_instances():
    name, doc = threshold.problem_of("org", 2, 60)

    assert name == "org-60 seed 2"
    assert doc == generate("org-60", 2)


def test_versus_baselines_repacking_never_makes_the_greedy_plan_dearer():
    problem, errors = parse_problem(generate("org-20", 1))
    assert errors == []

    greedy, repacked, seconds = versus.greedy_and_repacked(problem)

    # On org-20 seed 1 repacking into fuller sections saves about a sixth (22,748 to 18,740).
    assert 0 < repacked < greedy
    assert seconds >= 0
