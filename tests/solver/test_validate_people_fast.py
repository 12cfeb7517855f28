"""A plainly valid facilitator or room is read at once (``validate_parts.plain_facilitator`` and
``plain_room``, with zones, amounts, weekly patterns and windows remembered per document); any
entry, valid or not, gives what reading it field by field gives (``read_facilitator_in_full``,
``read_room_in_full``): the same problem and the same errors at the same paths, in order."""

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
from solver.limits import MAX_LEARNERS, MAX_MINUTES, MAX_TEXT
from solver.validate import parse_problem
from solver.validate_parts import (
    Context,
    plain_facilitator,
    plain_room,
    read_facilitator,
    read_facilitator_in_full,
    read_room,
    read_room_in_full,
)

DATA = Path(__file__).parent / "data"
PROBLEM = json.loads((DATA / "small_problem.json").read_text())
CTX = Context("Europe/London", date(2027, 1, 4), date(2027, 1, 29), 30)

WEEK = {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["09:00", "24:00"]]}
HOLIDAY = ["2027-01-05T00:00", "2027-01-06T00:00"]
# fmt: off
FACILITATOR = {
    "id": "ana", "name": "Ana", "skills": ["sec", "web"], "site": "london",
    "timezone": "Europe/Berlin", "weekly": WEEK, "available": [["2027-01-09T09:00", "2027-01-09T12:00"]],
    "unavailable": [HOLIDAY], "if_need_be": [["2027-01-07T17:00", "2027-01-07T19:00"]],
    "if_need_be_cost": 25.5, "hourly_rate": 80, "session_fee": 0.0,
    "travel_cost": {"paris": 120.0, "london": 0}, "max_minutes_per_day": 360, "buffer_minutes": 15,
    "x-id": 3,
}
ROOM = {
    "id": "r1", "name": "Room 1", "site": "london", "capacity": 20, "hourly_cost": 12.5,
    "timezone": "Europe/London", "weekly": WEEK, "available": [], "unavailable": [HOLIDAY], "x-id": 4,
}
FACILITATORS = [FACILITATOR, {"id": "bo", "skills": ["sec"]}, {"id": "cy"}]
ROOMS = [ROOM, {"id": "r2", "site": "paris", "capacity": 8}]

TEXTS = [None, "", " ", 7, True, 1.5, "x" * MAX_TEXT, "x" * (MAX_TEXT + 1), ["ana"], "ana"]
NAMES = [None, [], ["sec"], ["sec", "sec"], ["sec", ""], ["sec", 3], "sec", [["sec"]], {"sec": 1}]
ZONES = [None, "Europe/London", "UTC", "Mars/Olympus", "europe/london", "", 5, "America/New_York"]
AMOUNTS = [None, 0, False, 0.0, -0.0, 1, True, 12.34, 12.345, 1e8, 1e8 + 0.01, -1, float("inf"),
           "10", 10**8, 10**400]
WHOLES = [None, 0, 1, 15, 360, -1, 1.0, 15.0, 2.5, True, False, "15", MAX_MINUTES, MAX_MINUTES + 1,
          MAX_LEARNERS, MAX_LEARNERS + 1, float("nan")]
WEEKS = [None, {}, WEEK, {"mon": []}, {"mon": [["09:00", "12:00"]], "funday": []},
         {"mon": [["12:00", "09:00"]]}, {"mon": [["9:00", "12:00"]]}, {"mon": [["09:00"]]},
         {"mon": "09:00-12:00"}, {"mon": [[900, 1200]]}, [], "weekly", {"x-note": 1}]
INTERVALS = [None, [], "x", [HOLIDAY], [HOLIDAY, HOLIDAY], [["2027-01-05T09:00"]], [[1, 2]],
             [["2027-01-05T12:00", "2027-01-05T09:00"]], [["2027-01-05T09:00", "2027-01-05T09:00"]],
             [["2027-02-30T09:00", "2027-03-01T09:00"]], [["2027-01-05T09:00:00", "2027-01-05T10:00"]]]
COSTS = [None, {}, {"paris": 10}, {"paris": None}, {"paris": -1}, {"paris": "10"}, {"paris": 1.005},
         {"paris": 10, "berlin": 12.5}, [], "paris", {"": 3}]
COMMON = {
    "id": TEXTS, "site": TEXTS + ["paris"], "timezone": ZONES, "weekly": WEEKS,
    "available": INTERVALS, "unavailable": INTERVALS, "colour": ["red"], "x-note": ["anything"],
}
FACILITATOR_VALUES = {
    **COMMON, "skills": NAMES, "if_need_be": INTERVALS, "if_need_be_cost": AMOUNTS,
    "hourly_rate": AMOUNTS, "session_fee": AMOUNTS, "travel_cost": COSTS,
    "max_minutes_per_day": WHOLES, "buffer_minutes": WHOLES, "capacity": [20],
}
ROOM_VALUES = {
    **COMMON, "capacity": WHOLES, "hourly_cost": AMOUNTS, "if_need_be": [[HOLIDAY]],
}
NOT_OBJECTS = [None, [], "ana", 5, [FACILITATOR]]
# fmt: on

KINDS = {
    "facilitators": (FACILITATORS, FACILITATOR_VALUES, read_facilitator, read_facilitator_in_full),
    "rooms": (ROOMS, ROOM_VALUES, read_room, read_room_in_full),
}


def single_changes(kind: str):
    """Each base entry with one property changed to each of its values, or removed."""
    bases, values, _, _ = KINDS[kind]
    for base in bases:
        for key, listed in values.items():
            yield {k: v for k, v in base.items() if k != key}
            yield from ({**base, key: copy.deepcopy(value)} for value in listed)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_each_single_change_reads_as_in_full(kind, order):
    """Every value read in one document (the memo sees each value after the others), in both
    orders: a remembered value must not stand in for another one."""
    _, _, read, read_in_full = KINDS[kind]
    entries = list(single_changes(kind)) + NOT_OBJECTS
    entries = entries[::-1] if order == "reversed" else entries
    fast, full = Reader(), Reader()
    for k, entry in enumerate(entries):
        path = f"{kind}[{k}]"
        expected = read_in_full(full, entry, path, CTX)
        found = read(fast, entry, path, CTX)
        assert (found, repr(found)) == (expected, repr(expected)), entry
        assert fast.errors == full.errors, entry
    assert len(fast.memo) > 5  # the plain ones were read at once


@st.composite
def entries(draw, kind: str):
    """A valid facilitator or room with a few of its properties changed, removed or added."""
    bases, values, _, _ = KINDS[kind]
    entry = copy.deepcopy(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(sorted(values)))
        if draw(st.booleans()) and key in entry:
            del entry[key]
        else:
            entry[key] = copy.deepcopy(draw(st.sampled_from(values[key])))
    return entry


def _parsed(doc):
    problem, errors = parse_problem(doc)
    return problem, errors, repr(problem)  # repr tells -0.0 from 0.0


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facilitators=st.lists(entries("facilitators") | st.sampled_from(NOT_OBJECTS), max_size=4),
    rooms=st.lists(entries("rooms") | st.sampled_from(NOT_OBJECTS), max_size=4),
)
def test_entries_read_at_once_give_what_reading_in_full_gives(facilitators, rooms):
    doc = copy.deepcopy(PROBLEM)
    doc["facilitators"] = doc["facilitators"] + facilitators
    doc["rooms"] = doc["rooms"] + rooms
    fast = _parsed(doc)
    with (
        mock.patch("solver.validate_parts.plain_facilitator", lambda r, value, ctx: None),
        mock.patch("solver.validate_parts.plain_room", lambda r, value, ctx: None),
    ):
        full = _parsed(doc)
    assert fast == full


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_entry_read_at_once_is_valid(kind, data):
    """Whatever the plain reader accepts is what the full reader gives, without an error, even
    after the memo has seen the bases; it never records an error itself."""
    bases, _, _, read_in_full = KINDS[kind]
    plain = plain_facilitator if kind == "facilitators" else plain_room
    entry = data.draw(entries(kind))
    r = Reader()
    for base in bases:
        plain(r, base, CTX)
    found = plain(r, entry, CTX)
    full = Reader()
    in_full = read_in_full(full, entry, f"{kind}[0]", CTX)
    assert found is None or (found == in_full and not full.errors)
    assert r.errors == []


@pytest.mark.parametrize(
    ("plain", "read_in_full", "entry"),
    [(plain_facilitator, read_facilitator_in_full, f) for f in FACILITATORS]
    + [(plain_room, read_room_in_full, room) for room in ROOMS],
)
def test_a_plain_valid_entry_is_read_at_once(plain, read_in_full, entry):
    r = Reader()
    found = plain(r, entry, CTX)
    assert found is not None and found == read_in_full(Reader(), entry, "e", CTX)
    assert r.errors == []
    again = plain(r, copy.deepcopy(entry), CTX)  # now from the memo
    assert again == found and repr(again) == repr(found)
    assert again.availability.weekly is not found.availability.weekly  # a pattern of its own
