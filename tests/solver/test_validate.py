"""Validation of problem documents: every error kind with its JSON path and plain message."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from solver.validate import load_problem_file, parse_problem

DATA = Path(__file__).parent / "data"


def set_in(doc, path, value):
    """Set ``doc[path...] = value`` where path is a tuple of keys and indexes."""
    *parents, last = path
    for key in parents:
        doc = doc[key]
    doc[last] = value


def drop(doc, path):
    *parents, last = path
    for key in parents:
        doc = doc[key]
    del doc[last]


def test_the_issue_example_is_valid():
    problem, errors = load_problem_file(DATA / "issue_problem.json")
    assert errors == []
    assert problem.cohorts["lon-1"].deadline == date(2027, 2, 12)
    assert problem.fixed[0].start == datetime(2027, 1, 5, 9, tzinfo=UTC)


def test_the_small_problem_is_valid_and_fills_defaults(problem_doc):
    problem, errors = parse_problem(problem_doc)
    assert errors == []
    assert problem.slot_minutes == 30
    cohort = problem.cohorts["vir-1"]
    assert cohort.size == 4  # from len(learners)
    assert cohort.timezone == "Europe/London"
    assert cohort.hours.days == frozenset(range(5)) and cohort.hours.start == time(9)
    assert cohort.hours.end == time(17)
    assert (cohort.earliest, cohort.deadline) == (date(2027, 1, 4), date(2027, 1, 29))
    assert cohort.mergeable and cohort.splittable and cohort.unscheduled_cost == 10000.0
    web = problem.programs["web"]
    assert web.same_facilitator and web.seat_cost == 0.0 and web.skill is None
    assert web.gap_days == (0, 26) and web.name == "web"
    bob = problem.facilitators["bob"]
    assert bob.buffer_minutes == 0 and bob.if_need_be_cost == 0.0 and bob.availability.always
    assert bob.max_minutes_per_day is None
    assert problem.rooms["lon-b"].timezone == "Europe/London"
    assert problem.rooms["lon-b"].hourly_cost == 0.0
    assert problem.change_cost == 0.0 and problem.previous is None and problem.fixed == ()


def test_size_wins_over_listed_learners(problem_doc):
    problem, _ = parse_problem(problem_doc)
    assert problem.cohorts["lon-1"].size == 10
    assert problem.cohorts["lon-1"].learners == ("e1",)


def test_24_00_ends_a_day(problem_doc):
    problem_doc["facilitators"][0]["weekly"]["sat"] = [["18:00", "24:00"]]
    problem, errors = parse_problem(problem_doc)
    assert errors == []
    assert problem.facilitators["ana"].availability.weekly[5] == ((time(18), time(0)),)


def test_fixed_start_with_an_offset_is_kept_timezone_aware(problem_doc):
    problem_doc["fixed"] = [{"section": "S1", "cohorts": [{"cohort": "lon-1", "learners": 10}],
                             "session": 0, "start": "2027-01-05T10:00+01:00"}]  # fmt: skip
    problem, errors = parse_problem(problem_doc)
    assert errors == []
    assert problem.fixed[0].start == datetime(2027, 1, 5, 9, tzinfo=UTC)


FIXED = {"section": "S1", "cohorts": [{"cohort": "lon-1", "learners": 10}], "session": 0,
         "start": "2027-01-05T09:00", "facilitator": "ana", "room": "lon-a"}  # fmt: skip

# (id, change to the valid document, expected path, expected message)
CASES = [
    ("wrong format", lambda d: set_in(d, ("format",), "v1"), "format",
     "must be \"cohort-scheduler/problem/v1\", not 'v1'"),
    ("missing format", lambda d: drop(d, ("format",)), "format",
     "must be \"cohort-scheduler/problem/v1\", not missing"),
    ("missing required field", lambda d: drop(d, ("programs", 0, "mode")), "programs[0].mode",
     "mode is required"),
    ("wrong type", lambda d: set_in(d, ("cohorts", 0, "size"), "ten"), "cohorts[0].size",
     "must be a whole number, not a string"),
    ("wrong boolean", lambda d: set_in(d, ("cohorts", 0, "mergeable"), "yes"), "cohorts[0].mergeable",
     "must be true or false, not a string"),
    ("unknown property", lambda d: set_in(d, ("cohorts", 0, "deadine"), "2027-01-20"),
     "cohorts[0].deadine", "unknown property 'deadine' (did you mean 'deadline'?)"),
    ("unknown program", lambda d: set_in(d, ("cohorts", 1, "program"), "nope"), "cohorts[1].program",
     "unknown program 'nope'"),
    ("duplicate id", lambda d: set_in(d, ("rooms", 1, "id"), "lon-a"), "rooms[1].id",
     "duplicate id 'lon-a' (also rooms[0])"),
    ("horizon end before start", lambda d: set_in(d, ("horizon", "end"), "2027-01-01"), "horizon.end",
     "end 2027-01-01 is before start 2027-01-04"),
    ("deadline before earliest", lambda d: set_in(d, ("cohorts", 0, "earliest"), "2027-01-20")
     or set_in(d, ("cohorts", 0, "deadline"), "2027-01-18"), "cohorts[0].deadline",
     "deadline 2027-01-18 is before earliest 2027-01-20"),
    ("interval end before start", lambda d: set_in(d, ("cohorts", 0, "unavailable"),
     [["2027-01-10T12:00", "2027-01-10T09:00"]]), "cohorts[0].unavailable[0]",
     "end 2027-01-10T09:00 is not after start 2027-01-10T12:00"),
    ("weekly end before start", lambda d: set_in(d, ("facilitators", 0, "weekly", "mon"),
     [["17:00", "09:00"]]), "facilitators[0].weekly.mon[0]", "end 09:00 is not after start 17:00"),
    ("hours end before start", lambda d: set_in(d, ("cohorts", 0, "hours"), {"from": "17:00", "to": "09:00"}),
     "cohorts[0].hours.to", "end 09:00 is not after start 17:00"),
    ("time outside the day", lambda d: set_in(d, ("facilitators", 0, "weekly", "tue"), [["09:00", "25:00"]]),
     "facilitators[0].weekly.tue[0][1]", "must be a time between 00:00 and 24:00 like 09:30, not '25:00'"),
    ("24:00 as a start", lambda d: set_in(d, ("facilitators", 0, "weekly", "tue"), [["24:00", "24:00"]]),
     "facilitators[0].weekly.tue[0]", "end 24:00 is not after start 24:00"),
    ("unknown weekday", lambda d: set_in(d, ("facilitators", 0, "weekly", "monday"), []),
     "facilitators[0].weekly.monday", "unknown property 'monday' (did you mean 'mon'?)"),
    ("bad date", lambda d: set_in(d, ("cohorts", 0, "earliest"), "2027-02-30"), "cohorts[0].earliest",
     "must be a date like 2027-01-04, not '2027-02-30'"),
    ("bad local datetime", lambda d: set_in(d, ("facilitators", 0, "available"), [["2027-01-09T09:00Z",
     "2027-01-09T12:00"]]), "facilitators[0].available[0][0]",
     "must be a local date and time like 2027-01-09T09:00, not '2027-01-09T09:00Z'"),
    ("unknown time zone", lambda d: set_in(d, ("facilitators", 1, "timezone"), "Europe/Londres"),
     "facilitators[1].timezone", "unknown time zone 'Europe/Londres' (use an IANA name like Europe/London)"),
    ("negative cost", lambda d: set_in(d, ("facilitators", 0, "hourly_rate"), -5), "facilitators[0].hourly_rate",
     "must not be negative, not -5"),
    ("negative travel cost", lambda d: set_in(d, ("facilitators", 1, "travel_cost", "london"), -1),
     "facilitators[1].travel_cost.london", "must not be negative, not -1"),
    ("negative size", lambda d: set_in(d, ("cohorts", 0, "size"), -3), "cohorts[0].size",
     "must be at least 1, not -3"),
    ("negative buffer", lambda d: set_in(d, ("facilitators", 0, "buffer_minutes"), -15),
     "facilitators[0].buffer_minutes", "must be at least 0, not -15"),
    ("zero-minute session", lambda d: set_in(d, ("programs", 1, "sessions"), [0]), "programs[1].sessions[0]",
     "must be at least 1, not 0"),
    ("no sessions", lambda d: set_in(d, ("programs", 1, "sessions"), []), "programs[1].sessions",
     "a program needs at least one session"),
    ("seats min above max", lambda d: set_in(d, ("programs", 0, "seats"), [20, 6]), "programs[0].seats",
     "minimum 20 seats is greater than maximum 6 seats"),
    ("gap days min above max", lambda d: set_in(d, ("programs", 0, "gap_days"), [7, 2]),
     "programs[0].gap_days", "minimum 7 days is greater than maximum 2 days"),
    ("wrong mode", lambda d: set_in(d, ("programs", 0, "mode"), "hybrid"), "programs[0].mode",
     "must be \"in_person\" or \"virtual\", not 'hybrid'"),
    ("session longer than every window", lambda d: set_in(d, ("programs", 0, "sessions"), [180, 600])
     or set_in(d, ("facilitators", 1, "weekly"), {"mon": [["09:00", "17:00"]]})
     or set_in(d, ("cohorts", 0, "hours"), {"from": "07:00", "to": "19:00"})
     or set_in(d, ("cohorts", 1, "hours"), {"from": "07:00", "to": "19:00"}),
     "programs[0].sessions[1]",
     "a 600-minute session is longer than any availability window of the facilitators who can teach it "
     "(longest 480 minutes)"),
    ("session longer than daily maximum", lambda d: set_in(d, ("facilitators", 0, "max_minutes_per_day"), 120)
     or set_in(d, ("facilitators", 1, "max_minutes_per_day"), 150), "programs[0].sessions[0]",
     "a 180-minute session is longer than any availability window of the facilitators who can teach it "
     "(longest 150 minutes)"),
    ("session longer than the cohort's hours", lambda d: set_in(d, ("cohorts", 1, "hours"),
     {"from": "10:00", "to": "12:00"}), "cohorts[1].hours",
     "program 'sec' has a 180-minute session, longer than the cohort's daily hours 10:00–12:00 (120 minutes)"),
    ("in-person cohort without a site", lambda d: drop(d, ("cohorts", 0, "site")), "cohorts[0].site",
     "a cohort of in-person program 'sec' needs a site"),
    ("size without learners", lambda d: drop(d, ("cohorts", 2, "learners")), "cohorts[2].size",
     "size is required when no learners are listed"),
    ("size below listed learners", lambda d: set_in(d, ("cohorts", 2, "size"), 2), "cohorts[2].size",
     "size 2 is smaller than the 4 learners listed"),
    ("learner listed twice", lambda d: set_in(d, ("cohorts", 2, "learners"), ["e1", "e1"]),
     "cohorts[2].learners[1]", "'e1' is listed twice (also at cohorts[2].learners[0])"),
    ("slot does not divide a day", lambda d: set_in(d, ("slot_minutes",), 7), "slot_minutes",
     "7 does not divide a day of 1440 minutes evenly"),
    ("fixed unknown cohort", lambda d: set_in(d, ("fixed",), [{**FIXED, "cohorts": [{"cohort": "x", "learners": 1}]}]),
     "fixed[0].cohorts[0].cohort", "unknown cohort 'x'"),
    ("fixed unknown facilitator", lambda d: set_in(d, ("fixed",), [{**FIXED, "facilitator": "zoe"}]),
     "fixed[0].facilitator", "unknown facilitator 'zoe'"),
    ("fixed unknown room", lambda d: set_in(d, ("fixed",), [{**FIXED, "room": "hall"}]), "fixed[0].room",
     "unknown room 'hall'"),
    ("fixed session index out of range", lambda d: set_in(d, ("fixed",), [{**FIXED, "session": 2}]),
     "fixed[0].session", "session 2 is out of range: program 'sec' has 2 sessions (numbered from 0)"),
    ("fixed room on a virtual program", lambda d: set_in(d, ("fixed",), [{**FIXED, "room": "lon-a",
     "cohorts": [{"cohort": "vir-1", "learners": 4}]}]), "fixed[0].room",
     "program 'web' is virtual: its sessions have no room"),
    ("fixed start off the grid", lambda d: set_in(d, ("fixed",), [{**FIXED, "start": "2027-01-05T09:10"}]),
     "fixed[0].start", "start 2027-01-05 09:10 (Europe/London) is not on the 30-minute slot grid"),
    ("fixed start outside the horizon", lambda d: set_in(d, ("fixed",), [{**FIXED, "start": "2027-03-01T09:00"}]),
     "fixed[0].start", "start 2027-03-01 09:00 (Europe/London) is outside the horizon"),
    ("fixed more learners than the cohort", lambda d: set_in(d, ("fixed",), [{**FIXED,
     "cohorts": [{"cohort": "lon-2", "learners": 6}]}]), "fixed[0].cohorts[0].learners",
     "6 learners but cohort 'lon-2' has 5"),
    ("previous is not a schedule", lambda d: set_in(d, ("previous",), {"format": "x"}), "previous",
     "must be a schedule document with format \"cohort-scheduler/schedule/v1\""),
    # an earlier schedule's names are read as names (known or not: people and rooms leave)
    ("previous section id not a name", lambda d: previous(d, ("id",), ["S1"]),
     "previous.sections[0].id", "must be a non-empty string, not a list"),
    ("previous cohort not a name", lambda d: previous(d, ("cohorts", 0, "cohort"), {"id": "lon-1"}),
     "previous.sections[0].cohorts[0].cohort", "must be a non-empty string, not an object"),
    ("previous learners not a count", lambda d: previous(d, ("cohorts", 1, "learners"), "five"),
     "previous.sections[0].cohorts[1].learners", "must be a whole number, not a string"),
    ("previous cohorts entry not an object", lambda d: previous(d, ("cohorts", 0), "lon-1"),
     "previous.sections[0].cohorts[0]", "must be an object"),
    ("previous facilitator not a name", lambda d: previous(d, ("sessions", 1, "facilitator"), ["ana"]),
     "previous.sections[0].sessions[1].facilitator", "must be a non-empty string, not a list"),
    ("previous room not a name", lambda d: previous(d, ("sessions", 0, "room"), 7),
     "previous.sections[0].sessions[0].room", "must be a non-empty string, not a number"),
]  # fmt: skip


def previous(doc, path, value):
    """The small schedule as the document's ``previous``, with one value of its first section
    changed."""
    schedule = json.loads((DATA / "small_schedule.json").read_text())
    set_in(schedule["sections"][0], path, value)
    doc["previous"] = schedule


@pytest.mark.parametrize(
    ("change", "path", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_error_is_reported_at_its_path(problem_doc, errors_of, change, path, message):
    change(problem_doc)
    assert {"path": path, "message": message} in errors_of(problem_doc)


def test_every_error_is_reported_at_once(problem_doc, errors_of):
    problem_doc["timezone"] = "Mars/Olympus"
    problem_doc["cohorts"][0]["size"] = -1
    problem_doc["rooms"][0]["capacity"] = 0
    paths = [e["path"] for e in errors_of(problem_doc)]
    assert paths == ["timezone", "cohorts[0].size", "rooms[0].capacity"]


def test_a_document_that_is_not_an_object_is_an_error_at_the_root(errors_of):
    assert errors_of([1, 2]) == [{"path": "$", "message": "must be an object, not a list"}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"{ not json", "the file is not valid JSON: Expecting property name enclosed in double quotes: "
         "line 1 column 3 (char 2)"),
        (b"\xff\xfe{}", "the file is not UTF-8 text (byte 0)"),
    ],
    ids=["empty", "not JSON", "not UTF-8"],
)  # fmt: skip
def test_an_unreadable_file_is_an_error_at_the_root(tmp_path, content, message):
    path = tmp_path / "problem.json"
    path.write_bytes(content)
    assert load_problem_file(path) == (None, [{"path": "$", "message": message}])


def test_a_missing_file_is_an_error_at_the_root(tmp_path):
    problem, errors = load_problem_file(tmp_path / "nope.json")
    assert problem is None and errors[0]["path"] == "$" and "cannot read" in errors[0]["message"]


def test_a_file_with_a_byte_order_mark_is_read(tmp_path, problem_doc):
    path = tmp_path / "problem.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(problem_doc).encode())
    assert load_problem_file(path)[1] == []


def test_extension_properties_are_ignored(problem_doc, errors_of):
    problem_doc["x-app"] = {"exported_by": "admin"}
    problem_doc["cohorts"][0]["x-row"] = 12
    assert errors_of(problem_doc) == []


def test_a_missing_required_list_is_reported(problem_doc, errors_of):
    del problem_doc["programs"]
    assert {"path": "programs", "message": "programs is required"} in errors_of(problem_doc)


def test_a_broken_entry_is_not_also_reported_as_an_unknown_reference(problem_doc, errors_of):
    problem_doc["programs"][0]["seats"] = [20, 6]
    problem_doc["fixed"] = [dict(FIXED, facilitator="ana")]
    problem_doc["facilitators"][0]["hourly_rate"] = -1
    assert [e["path"] for e in errors_of(problem_doc)] == [
        "programs[0].seats",
        "facilitators[0].hourly_rate",
    ]


def test_a_section_fixed_twice_is_reported(problem_doc, errors_of):
    problem_doc["fixed"] = [FIXED, FIXED]
    assert {
        "path": "fixed[1]",
        "message": "section 'S1' session 0 is fixed twice (also fixed[0])",
    } in errors_of(problem_doc)


def test_entries_of_one_fixed_section_list_the_same_cohorts(problem_doc, errors_of):
    problem_doc["fixed"] = [FIXED, dict(FIXED, session=1, start="2027-01-07T09:00",
                                        cohorts=[{"cohort": "lon-2", "learners": 5}])]  # fmt: skip
    assert {
        "path": "fixed[1].cohorts",
        "message": "section 'S1' lists other cohorts in fixed[0]",
    } in errors_of(problem_doc)


def test_a_fixed_section_of_cohorts_of_two_programs_is_reported(problem_doc, errors_of):
    problem_doc["fixed"] = [dict(FIXED, room=None, cohorts=[{"cohort": "lon-1", "learners": 10},
                                                          {"cohort": "vir-1", "learners": 4}])]  # fmt: skip
    assert {
        "path": "fixed[0].cohorts",
        "message": "cohorts of different programs: sec, web",
    } in errors_of(problem_doc)


def test_a_weekly_pattern_shared_by_facilitators_and_rooms_is_read_alike_and_errs_at_each():
    """Patterns are read once per document (validate_common._remembered_weekly): a valid one
    gives each owner its own equal pattern; a wrong one is reported at every owner's path."""
    from tiny import cohort, doc, facilitator, room

    week = {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "sat": [["18:00", "24:00"]]}
    document = doc(
        cohorts=[cohort("c")],
        facilitators=[facilitator("ana", weekly=week), facilitator("bo", weekly=dict(week))],
        rooms=[room("r", weekly=week)],
    )
    parsed, errors = parse_problem(document)
    assert errors == []
    ana, bo = (parsed.facilitators[f].availability.weekly for f in ("ana", "bo"))
    assert ana == bo == parsed.rooms["r"].availability.weekly
    assert ana[0] == ((time(9), time(12)), (time(13), time(17))) and ana[5] == (
        (time(18), time(0)),
    )
    assert ana is not bo
    wrong = {"tue": [["17:00", "09:00"]]}
    document["facilitators"] = [facilitator("ana", weekly=wrong), facilitator("bo", weekly=wrong)]
    document["rooms"] = [room("r", weekly={"tue": [["17:00", "09:00"]], "mon": []})]
    assert [e["path"] for e in parse_problem(document)[1]] == [
        "facilitators[0].weekly.tue[0]",
        "facilitators[1].weekly.tue[0]",
        "rooms[0].weekly.tue[0]",
    ]


def test_windows_shared_by_facilitators_and_rooms_are_read_alike_and_err_at_each():
    """Availability windows are read once per document for each [start, end] pair of strings
    (validate_common._remembered_intervals): owners sharing a holiday get equal windows; a wrong
    pair, or one that is no pair of strings, is reported at every owner's own path."""
    from tiny import cohort, doc, facilitator, room

    holiday = ["2027-01-05T00:00", "2027-01-06T00:00"]
    leave = ["2027-01-07T09:00", "2027-01-07T12:00"]
    document = doc(
        cohorts=[cohort("c")],
        facilitators=[
            facilitator("ana", unavailable=[holiday, leave]),
            facilitator("bo", unavailable=[list(holiday)], if_need_be=[leave]),
        ],
        rooms=[room("r", unavailable=[holiday], available=[leave])],
    )
    parsed, errors = parse_problem(document)
    assert errors == []
    ana, bo = (parsed.facilitators[f].availability for f in ("ana", "bo"))
    room_windows = parsed.rooms["r"].availability
    assert ana.unavailable[0] == bo.unavailable[0] == room_windows.unavailable[0]
    assert ana.unavailable[0].start == datetime(2027, 1, 5)
    assert ana.unavailable[1] == bo.if_need_be[0] == room_windows.available[0]
    assert ana.unavailable[1].end == datetime(2027, 1, 7, 12)
    backwards = ["2027-01-07T12:00", "2027-01-07T09:00"]
    document["facilitators"] = [
        facilitator("ana", unavailable=[holiday, backwards]),
        facilitator("bo", if_need_be=[backwards]),
    ]
    document["rooms"] = [room("r", available=[holiday, ["2027-01-07T09:00", 12]])]
    assert [e["path"] for e in parse_problem(document)[1]] == [
        "facilitators[0].unavailable[1]",
        "facilitators[1].if_need_be[0]",
        "rooms[0].available[1][1]",
    ]
