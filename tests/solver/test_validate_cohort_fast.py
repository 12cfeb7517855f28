"""A plainly valid cohort is read at once (``validate_parts.plain_cohort``, with hours, zones,
dates, intervals and amounts remembered per document); any cohort, valid or not, gives what
reading it field by field gives (``read_cohort_in_full``): the same problem and the same errors at
the same paths, in the same order."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.fields import Reader
from solver.limits import MAX_LEARNERS, MAX_TEXT
from solver.validate import parse_problem
from solver.validate_parts import Context, plain_cohort, read_cohort, read_cohort_in_full

DATA = Path(__file__).parent / "data"
PROBLEM = json.loads((DATA / "small_problem.json").read_text())
CTX = Context("Europe/London", date(2027, 1, 4), date(2027, 1, 29), 30)

FULL = {
    "id": "lon-1", "program": "sec", "size": 12, "learners": ["e1", "e2", "e3"],
    "conflict_groups": ["office-a"], "site": "london", "timezone": "Europe/Berlin",
    "hours": {"days": ["mon", "tue", "wed"], "from": "09:30", "to": "16:30"},
    "unavailable": [["2027-01-05T00:00", "2027-01-06T00:00"], ["2027-01-12T09:00", "2027-01-12T12:00"]],
    "earliest": "2027-01-05", "deadline": "2027-01-22", "mergeable": False, "splittable": True,
    "unscheduled_cost": 800.0, "x-id": 7,
}  # fmt: skip
BASES = [
    FULL,
    {"id": "lon-2", "program": "sec", "size": 5, "learners": ["e2"], "site": "london"},
    {"id": "vir-1", "program": "web", "learners": ["e1", "e3", "e4", "e5"]},
]

# fmt: off
TEXTS = [None, "", " ", "\t", 7, True, 1.5, "x" * MAX_TEXT, "x" * (MAX_TEXT + 1), ["lon-9"], "lon-9"]
NAMES = [None, [], ["e1"], ["e1", "e1"], ["e1", ""], ["e1", " "], ["e1", 3], ["e1", None], "e1",
         ["x" * (MAX_TEXT + 1)], [["e1"]], [{"a": 1}], ["e1", "e2", "e3", "e4"], {"e1": 1}]
HOURS = [None, {}, "9-5", [], {"days": []}, {"days": ["mon", "mon"]}, {"days": ["funday"]},
         {"days": "mon"}, {"days": [1]}, {"days": ["mon", ""]}, {"from": "25:00"}, {"from": "9:00"},
         {"from": "17:00", "to": "09:00"}, {"to": "24:00"}, {"from": "24:00"}, {"from": "00:00"},
         {"from": 900}, {"colour": 1}, {"x-note": 1}, {"days": None, "from": None, "to": None},
         {"days": ["mon"], "from": "09:00", "to": "12:00"}, {"days": ["sun", "sat"], "to": "10:00"},
         {"from": "09:00", "to": "09:30"}, {"from": "10:00", "to": "10:00"}, {"to": "09:00"}]
CLOCKS = [None, "09:00", "9:00", "00:00", "12:00", "17:00", "24:00", "24:01", "25:00", "09:60", "",
          900, "09:00:00"]
STARTS = ["2027-01-05T09:00", "2027-01-05T12:00", "2027-01-05T09:00:00", "2027-02-30T09:00",
          "2027-01-05", "2027-01-05T09:00Z", 20270105, None]
INTERVALS = [None, [], "x", ["2027-01-05T09:00"], [[]], [[1, 2]], [["2027-01-05T09:00"]],
             [["2027-01-05T09:00", "2027-01-05T12:00", "2027-01-05T13:00"]],
             [["2027-01-05T12:00", "2027-01-05T09:00"]], [["2027-01-05T09:00", "2027-01-05T09:00"]]]
DAYS = [None, "2027-01-05", "2027-01-29", "2027-01-04", "2026-12-01", "2027-12-31", "2027-1-5",
        "2027-02-30", "", 20270105, "2027-01-05T00:00"]
FLAGS = [None, True, False, 1, 0, "true"]
AMOUNTS = [None, 0, False, 0.0, -0.0, 1, True, 1.0, 5, 12.34, 12.345, 0.1, 0.07, 1e-05, 1e-2, 1e8, 1e8 + 0.01, 100_000_001,
           -1, -0.01, float("inf"), "10", 10**8, 1e15, 2.675, 1.005, 3000.0]
SIZES = [None, 0, -1, 1, 3, 4, 1.0, 4.0, 2.5, True, "3", MAX_LEARNERS, MAX_LEARNERS + 1, 10**7]
ZONES = [None, "Europe/London", "Europe/Berlin", "UTC", "Mars/Olympus", "europe/london", "", 5,
         "../etc/passwd", "Europe/London\x00", "America/New_York"]
VALUES = {
    "id": TEXTS, "program": TEXTS + ["sec", "web", "nope"], "site": TEXTS + ["london"],
    "learners": NAMES, "conflict_groups": NAMES, "size": SIZES, "timezone": ZONES, "hours": HOURS,
    "unavailable": INTERVALS, "earliest": DAYS, "deadline": DAYS, "mergeable": FLAGS, "splittable": FLAGS,
    "unscheduled_cost": AMOUNTS,
    "lerners": [["e1"]], "colour": ["red"], "x-note": ["anything"], "": [1], "x" * 50: [1],
}
NOT_OBJECTS = [None, [], "cohort", 5, [FULL]]
# fmt: on


def single_changes():
    """Each base cohort with one property changed to each of its values, or removed; the hours'
    days, from and to and an unavailable interval's ends changed one at a time."""
    for base in BASES:
        for key, values in VALUES.items():
            yield {k: v for k, v in base.items() if k != key}
            yield from ({**base, key: copy.deepcopy(value)} for value in values)
        for part, values in (("days", NAMES), ("from", CLOCKS), ("to", CLOCKS)):
            yield from ({**base, "hours": {**FULL["hours"], part: value}} for value in values)
        for start in STARTS:
            yield from ({**base, "unavailable": [[start, end]]} for end in STARTS)


@st.composite
def cohorts(draw):
    """A valid cohort with a few of its properties changed, removed or added."""
    cohort = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(sorted(VALUES) + ["hours.days", "hours.from", "unavailable.0"]))
        if key == "hours.days" or key == "hours.from":
            hours = cohort.setdefault("hours", {})
            if isinstance(hours, dict):
                hours[key[6:]] = draw(st.sampled_from(NAMES if key == "hours.days" else STARTS))
        elif key == "unavailable.0":
            pair = [draw(st.sampled_from(STARTS)), draw(st.sampled_from(STARTS))]
            cohort["unavailable"] = [*(cohort.get("unavailable") or [])[:1], pair]
        elif draw(st.booleans()) and key in cohort:
            del cohort[key]
        else:
            cohort[key] = copy.deepcopy(draw(st.sampled_from(VALUES[key])))
    return cohort


documents = st.lists(cohorts() | st.sampled_from(NOT_OBJECTS), min_size=1, max_size=6)


def _parsed(doc):
    problem, errors = parse_problem(doc)
    return problem, errors, repr(problem)  # repr tells -0.0 from 0.0


@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_each_single_change_reads_as_in_full(order):
    """Every value read in one document (the memo sees each value after the others), in both
    orders: a remembered value must not stand in for another one."""
    entries = list(single_changes()) + NOT_OBJECTS
    entries = entries[::-1] if order == "reversed" else entries
    fast, full = Reader(), Reader()
    for k, entry in enumerate(entries):
        path = f"cohorts[{k}]"
        expected = read_cohort_in_full(full, entry, path, CTX)
        found = read_cohort(fast, entry, path, CTX)
        assert (found, repr(found)) == (expected, repr(expected)), entry
        assert fast.errors == full.errors, entry
    assert len(fast.memo) > 10  # the plain ones were read at once


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=documents, top=st.sampled_from(["as is", "no zone", "no horizon", "late start"]))
def test_cohorts_read_at_once_give_what_reading_in_full_gives(entries, top):
    doc = copy.deepcopy(PROBLEM)
    doc["cohorts"] = entries
    if top == "no zone":
        del doc["timezone"]
    elif top == "no horizon":
        doc["horizon"] = "soon"
    elif top == "late start":  # a default earliest after some deadlines
        doc["horizon"]["start"] = "2027-01-20"
    fast = _parsed(doc)
    with mock.patch("solver.validate_parts.plain_cohort", lambda r, value, ctx: None):
        full = _parsed(doc)
    assert fast == full


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entry=cohorts())
def test_a_cohort_read_at_once_is_valid(entry):
    """Whatever ``plain_cohort`` accepts is what the full reader gives, without an error, even
    after the memo has seen other values; it never records an error itself. (That it accepts
    the plain cohorts at all: ``test_a_plain_valid_cohort_is_read_at_once``.)"""
    r = Reader()
    for base in BASES:
        plain_cohort(r, base, CTX)
    cohort = plain_cohort(r, entry, CTX)
    full = Reader()
    in_full = read_cohort_in_full(full, entry, "cohorts[0]", CTX)
    assert cohort is None or (cohort == in_full and not full.errors)
    assert r.errors == []


@pytest.mark.parametrize("entry", [*BASES, {**FULL, "x-closed-days": [1, 2], "site": None}])
def test_a_plain_valid_cohort_is_read_at_once(entry):
    r = Reader()
    cohort = plain_cohort(r, entry, CTX)
    assert cohort is not None and cohort == read_cohort_in_full(Reader(), entry, "c", CTX)
    assert r.errors == []
    again = plain_cohort(r, copy.deepcopy(entry), CTX)  # now from the memo
    assert again == cohort and repr(again) == repr(cohort)


def test_an_amount_keeps_its_sign_when_remembered():
    r = Reader()
    zero = plain_cohort(r, {**FULL, "unscheduled_cost": 0.0}, CTX)
    negative_zero = plain_cohort(r, {**FULL, "unscheduled_cost": -0.0}, CTX)
    assert repr(zero.unscheduled_cost) == "0.0" and repr(negative_zero.unscheduled_cost) == "-0.0"


def test_a_bad_value_is_reported_in_each_cohort_that_has_it():
    """Only values read without an error are remembered: the second cohort with the same bad
    hours, zone or amount has its own errors."""
    bad = {
        **FULL,
        "hours": {"from": "25:00"},
        "timezone": "Mars/Olympus",
        "unscheduled_cost": 1.005,
    }
    r = Reader()
    assert read_cohort(r, bad, "cohorts[0]", CTX) is None
    assert read_cohort(r, bad, "cohorts[1]", CTX) is None
    paths = [e["path"] for e in r.errors]
    assert paths == [f"cohorts[{k}].{key}" for k in (0, 1)
                     for key in ("timezone", "hours.from", "unscheduled_cost")]  # fmt: skip


# Errors the cohort reader gave before it read plain cohorts at once (commit 3bb9dd8), one
# representative cohort of each kind of mistake.
BEFORE = [
    ({**FULL, "id": " ", "program": 7, "site": ""}, [
        ("c.id", "must be a non-empty string, not a string"),
        ("c.program", "must be a non-empty string, not a number"),
        ("c.site", "must be a non-empty string, not a string"),
    ]),
    ({**FULL, "learners": ["e1", "e1", ""], "conflict_groups": "office"}, [
        ("c.learners[2]", "must be a non-empty string, not a string"),
        ("c.conflict_groups", "must be a list, not a string"),
    ]),
    ({**FULL, "learners": ["e1", "e2", "e1"], "size": 2}, [
        ("c.learners[2]", "'e1' is listed twice (also at c.learners[0])"),
        ("c.size", "size 2 is smaller than the 3 learners listed"),
    ]),
    ({**FULL, "size": True, "lerners": []}, [
        ("c.lerners", "unknown property 'lerners' (did you mean 'learners'?)"),
        ("c.size", "must be a whole number, not a boolean"),
    ]),
    ({**FULL, "hours": {"days": ["mon", "funday", "mon"], "from": "9:00", "to": "24:01"}}, [
        ("c.hours.days[2]", "'mon' is listed twice (also at c.hours.days[0])"),
        ("c.hours.days[1]", "unknown weekday 'funday' (use mon, tue, … sun)"),
        ("c.hours.from", "must be a time between 00:00 and 24:00 like 09:30, not '9:00'"),
        ("c.hours.to", "must be a time between 00:00 and 24:00 like 09:30, not '24:01'"),
    ]),
    ({**FULL, "hours": {"from": "17:00", "to": "09:00", "colour": 1}}, [
        ("c.hours.colour", "unknown property 'colour'"),
        ("c.hours.to", "end 09:00 is not after start 17:00"),
    ]),
    ({**FULL, "timezone": "Mars/Olympus", "unscheduled_cost": 12.345}, [
        ("c.timezone", "unknown time zone 'Mars/Olympus' (use an IANA name like Europe/London)"),
        ("c.unscheduled_cost", "must be in whole cents (at most two decimals), not 12.345"),
    ]),
    ({**FULL, "unavailable": [["2027-01-05T12:00", "2027-01-05T09:00"], ["2027-01-05"]]}, [
        ("c.unavailable[0]", "end 2027-01-05T09:00 is not after start 2027-01-05T12:00"),
        ("c.unavailable[1]", "must be a [start, end] pair, not 1 values"),
    ]),
    ({**FULL, "earliest": "2027-01-20", "deadline": "2027-01-10", "mergeable": "yes"}, [
        ("c.mergeable", "must be true or false, not a string"),
        ("c.deadline", "deadline 2027-01-10 is before earliest 2027-01-20"),
    ]),
    ({"program": "web", "learners": [], "unscheduled_cost": -1}, [
        ("c.id", "id is required"),
        ("c.size", "size is required when no learners are listed"),
        ("c.unscheduled_cost", "must not be negative, not -1"),
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("entry", "expected"), BEFORE)
def test_a_bad_cohort_has_the_errors_it_had_before(entry, expected):
    r = Reader()
    assert read_cohort(r, FULL, "first", CTX) is not None  # its values now in the memo
    assert read_cohort(r, entry, "c", CTX) is None
    assert [(e["path"], e["message"]) for e in r.errors] == expected
