"""Fixed sessions on problems large enough for large-neighbourhood search: the search keeps them as
published and its schedule passes the checker, while fixed sessions that clash still get the full
model's infeasible answer naming them."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime
from typing import Any

import pytest

from bench.generate import generate
from solver import candidates, lns
from solver import solve as engine
from solver.bookings import facilitator_price
from solver.check import check
from solver.deadline import Deadline
from solver.greedy import greedy, greedy_plan
from solver.validate import parse_problem

PINS = 4


def _parse(document: dict[str, Any]):
    problem, errors = parse_problem(document)
    assert errors == [], errors
    return problem


def _pinned(document: dict[str, Any], count: int) -> dict[str, Any]:
    """``document`` with the first session of ``count`` sections of its greedy schedule fixed where
    the greedy put it, but with the dearest qualified facilitator free then (so that the search
    would gain by moving it), the last one with its facilitator and room left open."""
    problem = _parse(document)
    cand = candidates.build(problem)
    sections = greedy(problem)["sections"]
    picked = [sections[k * len(sections) // count] for k in range(count)]
    fixed, taken = [], set()
    for k, s in enumerate(picked):
        first = s["sessions"][0]
        group = cand.groups[cand.group_of[s["cohorts"][0]["cohort"]]]
        start = cand.grid.minute(datetime.fromisoformat(first["start"]))
        minutes = group.program.sessions[0]
        free = [
            f for f in cand.qualified[group.program.id]
            if f not in taken and cand.facilitator_free(f, start, minutes)
        ]  # fmt: skip
        dearest = max(free, key=lambda f: facilitator_price(cand, group, f, start, minutes))
        taken.add(dearest)
        open_choice = k == count - 1
        fixed.append({
            "section": f"F{k + 1}",
            "cohorts": s["cohorts"],
            "session": 0,
            "start": first["start"],
            "facilitator": None if open_choice else dearest,
            "room": None if open_choice else first["room"],
        })  # fmt: skip
    return {**copy.deepcopy(document), "fixed": fixed}


@pytest.fixture(scope="module")
def pinned_m():
    """A 200-cohort problem with a few fixed sessions and its schedule from a 30-second solve
    (time for search steps after the greedy plan and the bound even on a machine so busy that the
    greedy and the bound take 10 s: 10 s left none there, and the limit is wall-clock)."""
    document = _pinned(generate("M", 1), PINS)
    problem = _parse(document)
    assert len(problem.cohorts) > engine.FULL_MODEL_COHORTS
    return document, problem, engine.solve(problem, time_limit=30)


def test_a_large_problem_with_fixed_sessions_is_solved_by_neighbourhoods(pinned_m):
    _, _, schedule = pinned_m
    assert schedule["status"] == "feasible"
    assert schedule["solver"]["strategy"] == "lns"
    assert schedule["solver"]["lns_steps"] > 0


def test_the_neighbourhood_schedule_with_fixed_sessions_passes_the_checker(pinned_m):
    _, problem, schedule = pinned_m
    assert check(problem, schedule) == []


def test_every_fixed_session_stays_exactly_as_pinned(pinned_m):
    document, _, schedule = pinned_m
    sections = {s["id"]: s for s in schedule["sections"]}
    for fx in document["fixed"]:
        section = sections[fx["section"]]
        [session] = [x for x in section["sessions"] if x["index"] == fx["session"]]
        assert section["cohorts"] == fx["cohorts"]
        assert session["start"] == fx["start"]
        for choice in ("facilitator", "room"):
            if fx[choice] is not None:
                assert session[choice] == fx[choice]


def test_neighbourhood_steps_over_the_fixed_sections_groups_leave_them_as_they_were(pinned_m):
    _, problem, _ = pinned_m
    cand = candidates.build(problem)
    plan = greedy_plan(cand)
    fixed = {s.fixed_id: s for s in plan.sections if s.fixed_id}
    # Groups small enough for a 2-second step to re-plan them around their fixed section.
    groups = {s.group for s in fixed.values() if len(cand.groups[s.group].cohorts) < 10}
    results = [lns.step(cand, plan, {g}, 2.0, 2, Deadline.after(30))[0] for g in groups]
    changed = [r for r in results if r is not None]
    assert changed  # at least one step found a cheaper plan for its group
    for result in changed:
        assert {s.fixed_id: s for s in result.sections if s.fixed_id} == fixed


def _clashing(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with two fixed sessions that need one facilitator at once: a section of its
    greedy schedule as published, and another section of the same program whose cohorts can also
    attend then, pinned to the same start and facilitator."""
    problem = _parse(document)
    cand = candidates.build(problem)
    sections = greedy(problem)["sections"]
    for a, b in itertools.permutations(sections, 2):
        first = a["sessions"][0]
        start = cand.grid.minute(datetime.fromisoformat(first["start"]))
        cohorts = [p["cohort"] for p in b["cohorts"]]
        if cand.group_of[cohorts[0]] == cand.group_of[a["cohorts"][0]["cohort"]] and all(
            start in cand.cohort_starts[(c, 0)] for c in cohorts
        ):
            pins = [(a, first["facilitator"], first["room"]), (b, first["facilitator"], None)]
            fixed = [
                {"section": f"F{k + 1}", "cohorts": s["cohorts"], "session": 0,
                 "start": first["start"], "facilitator": who, "room": where}
                for k, (s, who, where) in enumerate(pins)
            ]  # fmt: skip
            return {**copy.deepcopy(document), "fixed": fixed}
    raise AssertionError("no two sections of one program can meet at the same time")


def test_clashing_fixed_sessions_on_a_large_problem_give_infeasible_naming_both(monkeypatch):
    # S stands in for a large problem (the threshold lowered below its 20 cohorts) so that the
    # full model's proof and explanation stay quick.
    monkeypatch.setattr(engine, "FULL_MODEL_COHORTS", 10)
    problem = _parse(_clashing(generate("S", 1)))
    assert len(problem.cohorts) > engine.FULL_MODEL_COHORTS
    schedule = engine.solve(problem, time_limit=5)
    assert schedule["status"] == "infeasible"
    assert sorted(e["path"] for e in schedule["errors"]) == ["fixed[0]", "fixed[1]"]
    assert "clash with each other" in schedule["errors"][0]["message"]
