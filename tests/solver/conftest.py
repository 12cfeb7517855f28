"""Shared test data for the solver's contract tests: one small valid problem and its valid schedule
(``data/small_problem.json``, ``data/small_schedule.json``).

Europe/London is on UTC in January, so the schedule's UTC instants read as local times too."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from solver.check import check
from solver.validate import parse_problem

DATA = Path(__file__).parent / "data"

# A lower bound above a schedule's cost raises here (solver.solve.InvalidBound) instead of being
# logged and reported as unknown; the CLI run as a subprocess inherits it.
os.environ.setdefault("COHORT_SOLVER_STRICT", "1")


def load(name: str) -> dict[str, Any]:
    """A JSON document from ``tests/solver/data``."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


PROBLEM = load("small_problem.json")
# Passes every rule of PROBLEM; its cost is worked out in test_cost.py.
SCHEDULE = load("small_schedule.json")


@pytest.fixture
def problem_doc() -> dict[str, Any]:
    """A fresh copy of the small valid problem, free to mutate."""
    return copy.deepcopy(PROBLEM)


@pytest.fixture
def schedule_doc() -> dict[str, Any]:
    """A fresh copy of a schedule that passes every rule of the small problem."""
    return copy.deepcopy(SCHEDULE)


@pytest.fixture
def violations():
    """``violations(problem_doc, schedule_doc)``: the ``(rule, path)`` pairs the checker reports."""

    def run(problem: dict[str, Any], schedule: dict[str, Any]) -> set[tuple[str, str]]:
        parsed, errors = parse_problem(problem)
        assert errors == []
        return {(v["rule"], v["path"]) for v in check(parsed, schedule)}

    return run


@pytest.fixture
def errors_of():
    """``errors_of(problem_doc)``: the validation errors of a document, as a list of dicts."""

    def run(doc: Any) -> list[dict[str, str]]:
        problem, errors = parse_problem(doc)
        assert (problem is None) == bool(errors)
        return errors

    return run


@pytest.fixture
def python_greedy(monkeypatch):
    """The greedy plan placed by its Python loop even where the compiled one
    (``solver.compiled_greedy``) would run: for tests of that loop's own parts (masks, teams,
    tries ruled out, the deadline between sections), which the compiled loop does not use."""
    from solver import compiled_greedy

    monkeypatch.setattr(compiled_greedy, "applies", lambda cal: False)
