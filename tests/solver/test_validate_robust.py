"""Validation and the checker never raise: any JSON value anywhere gives errors, not a traceback;
hostile values (out of range, more than two decimals, NaN, thousands of digits, 100k levels of
nesting) are errors at their own JSON path, on one short line."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.check import check
from solver.jsonfile import read_json
from solver.limits import MAX_AMOUNT, MAX_LEARNERS
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


# --- hostile values: every one is an error at its own JSON path ---------------------------------


def _errors_of_text(text: str) -> list[dict[str, str]]:
    doc, errors = read_json(text)
    if errors:
        return errors
    return parse_problem(doc)[1]


def _with(path: list, value) -> dict:
    doc = copy.deepcopy(PROBLEM)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("where", "value", "path", "message"),
    [
        (["rooms", 0, "capacity"], 1e30, "rooms[0].capacity", "must be at most 100,000, not 1e+30"),
        (["facilitators", 0, "hourly_rate"], 1e300, "facilitators[0].hourly_rate",
         "must be at most 100,000,000, not 1e+300"),
        (["cohorts", 0, "size"], 10**40, "cohorts[0].size", "must be at most 100,000, not 1e+40"),
        (["programs", 0, "sessions", 0], 10**6, "programs[0].sessions[0]",
         "must be at most 1,440, not 1000000"),
        (["programs", 0, "seats"], [1, 10**9], "programs[0].seats[1]",
         "must be at most 100,000, not 1000000000"),
        (["programs", 0, "gap_days"], [0, 10**5], "programs[0].gap_days[1]",
         "must be at most 3,660, not 100000"),
        (["slot_minutes"], 2880, "slot_minutes", "must be at most 1,440, not 2880"),
        (["cohorts", 0, "unscheduled_cost"], 12.345, "cohorts[0].unscheduled_cost",
         "must be in whole cents (at most two decimals), not 12.345"),
        (["programs", 0, "seat_cost"], 1e-7, "programs[0].seat_cost",
         "must be in whole cents (at most two decimals), not 1e-07"),
        (["change_cost"], "50", "change_cost", "must be a number, not a string"),
        (["cohorts", 0, "size"], [10], "cohorts[0].size", "must be a whole number, not a list"),
        (["horizon", "end"], "2099-12-31", "horizon.end",
         "the horizon is 26,660 days long, at most 1,100 are planned at once"),
    ],
    ids=["capacity 1e30", "rate 1e300", "huge size", "long session", "seats", "gap days", "slot",
         "three decimals", "tiny amount", "string amount", "list size", "long horizon"],
)  # fmt: skip
def test_out_of_range_numbers_and_wrong_types_are_errors_at_their_path(where, value, path, message):
    problem, errors = parse_problem(_with(where, value))
    assert problem is None
    assert {"path": path, "message": message} in errors


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_errors_at_their_path(literal):
    text = json.dumps(_with(["rooms", 0, "capacity"], 0)).replace(
        '"capacity": 0', f'"capacity": {literal}'
    )
    assert _errors_of_text(text) == [
        {"path": "rooms[0].capacity", "message": f"{literal} is not a JSON number"}
    ]


def test_an_integer_of_thousands_of_digits_is_an_error_at_its_path():
    text = json.dumps(_with(["cohorts", 0, "size"], 0)).replace(
        '"size": 0', '"size": ' + "9" * 5000
    )
    assert _errors_of_text(text) == [
        {
            "path": "cohorts[0].size",
            "message": "must be a whole number from 1 to 100,000, not a number that large",
        }
    ]


def test_a_number_beyond_floating_point_is_an_error_at_its_path():
    text = json.dumps(_with(["change_cost"], 0)).replace('"change_cost": 0', '"change_cost": 1e400')
    assert _errors_of_text(text) == [
        {"path": "change_cost", "message": "must be a finite number, not inf"}
    ]


def test_an_amount_beyond_floating_point_given_as_an_int_is_an_error_at_its_path():
    """A document made in code (not read from a file) may hold any Python int."""
    errors = parse_problem(_with(["change_cost"], 10**400))[1]
    assert errors == [{"path": "change_cost", "message": "must be at most 100,000,000, not inf"}]


def test_json_nested_100k_levels_is_an_error_naming_where_it_goes_too_deep():
    text = '{"cohorts": [{"x-notes": ' + "[" * 100_000 + "]" * 100_000 + "}]}"
    [error] = _errors_of_text(text)
    assert error["path"] == "cohorts[0].x-notes[0][0][0]…"
    assert error["message"].startswith("the file nests lists and objects more than 64 levels deep")


def test_long_values_and_odd_property_names_stay_on_one_short_line():
    doc = _with(["cohorts", 0, "deadline"], "2027-01-05" + "x" * 10**6)
    doc["cohorts"][0]["bad\nkey" + "k" * 100] = 1
    errors = parse_problem(doc)[1]
    assert errors and all("\n" not in e["path"] + e["message"] for e in errors)
    assert all(len(e["path"]) + len(e["message"]) < 300 for e in errors)


def test_the_largest_values_allowed_are_priced_to_the_cent_and_solved():
    """Every amount at MAX_AMOUNT and every count at its limit: no overflow in cents or CP-SAT."""
    from tiny import cohort, doc, facilitator, problem, program, room

    from solver.solve import solve

    document = doc(
        programs=[program(mode="in_person", seats=[1, MAX_LEARNERS], seat_cost=0.01,
                          sessions=[60])],
        cohorts=[cohort("a", MAX_LEARNERS, unscheduled_cost=MAX_AMOUNT),
                 cohort("b", MAX_LEARNERS, unscheduled_cost=MAX_AMOUNT)],
        facilitators=[facilitator("f", hourly_rate=MAX_AMOUNT, session_fee=MAX_AMOUNT,
                                  site="paris", travel_cost={"london": MAX_AMOUNT})],
        rooms=[room("r", MAX_LEARNERS, hourly_cost=MAX_AMOUNT)],
        change_cost=MAX_AMOUNT,
    )  # fmt: skip
    parsed = problem(document)
    schedule = solve(parsed, time_limit=10)
    assert check(parsed, schedule) == []
    assert schedule["status"] == "optimal"
    # Both cohorts placed (leaving one out costs 10^13): 2 sections × (rate, fee, travel and room
    # at MAX_AMOUNT, and 100,000 seats at 0.01).
    assert schedule["cost"]["total"] == 2 * (4 * MAX_AMOUNT + 1_000) == 800_002_000
