"""Validation and the checker never raise: any JSON value anywhere gives errors, not a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.check import check
from solver.validate import parse_problem

DATA = Path(__file__).parent / "data"
PROBLEM = json.loads((DATA / "small_problem.json").read_text())
SCHEDULE = json.loads((DATA / "small_schedule.json").read_text())

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.sampled_from(["", "09:00", "24:00", "2027-01-05", "2027-01-05T09:00", "Europe/London", "lon-1",
                       "sec", "ana", "lon-a", "in_person", "mon"]) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


def _containers(value, out):
    """Every dict and list inside ``value`` (the places a mutation can land)."""
    if isinstance(value, dict | list):
        out.append(value)
        for child in value.values() if isinstance(value, dict) else value:
            _containers(child, out)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_value_anywhere_gives_errors_not_an_exception(data):
    doc = copy.deepcopy(PROBLEM)
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(_containers(doc, [])))
        value = data.draw(json_values)
        if isinstance(target, dict):
            key = data.draw(st.sampled_from(sorted(target) + ["x"])) if target else "x"
            target[key] = value
        elif target:
            target[data.draw(st.integers(0, len(target) - 1))] = value
    problem, errors = parse_problem(doc)
    assert (problem is None) == bool(errors)
    assert all(set(e) == {"path", "message"} and e["path"] for e in errors)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_checker_reports_any_broken_schedule_without_an_exception(data):
    problem, _ = parse_problem(PROBLEM)
    schedule = copy.deepcopy(SCHEDULE)
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(_containers(schedule, [])))
        value = data.draw(json_values)
        if isinstance(target, dict):
            target[data.draw(st.sampled_from(sorted(target) + ["x"])) if target else "x"] = value
        elif target:
            target[data.draw(st.integers(0, len(target) - 1))] = value
    found = check(problem, schedule)
    assert all(set(v) == {"rule", "path", "message"} for v in found)
