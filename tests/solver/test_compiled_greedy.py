"""The greedy plan's placement loop in C (``solver.compiled_greedy``): built, used where it
applies, and placing exactly what the Python loop places.

Each comparison builds the plan twice, once by the compiled loop and once by the Python loop
(``python_greedy``), and checks that the compiled loop was the one that ran the first time, so
that two runs of the same code cannot pass for a comparison."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from test_greedy_team import _generated, _sections
from test_properties import small_problems
from tiny import cohort, doc, facilitator, problem, program

from solver import candidates, compiled_greedy
from solver.bookings import Calendar
from solver.check import check
from solver.deadline import Deadline, TimeUp
from solver.greedy import form_sections, greedy, greedy_plan, place_section, urgency


def test_the_compiled_placement_is_built():
    assert compiled_greedy.available(), (
        "solver._greedy was not built: the project's install (pip install -e .) compiles "
        "solver/_greedy.c when a C compiler and the Python headers are found"
    )


def _both_plans(monkeypatch, p):
    """(the plan of the compiled loop, the plan of the Python loop), and that each ran."""
    runs = []
    place_all = compiled_greedy.place_all

    def counted(*args):
        runs.append(args)
        return place_all(*args)

    monkeypatch.setattr(compiled_greedy, "place_all", counted)
    compiled = greedy_plan(candidates.build(p))
    assert len(runs) == 1
    with monkeypatch.context() as m:
        m.setattr(compiled_greedy, "applies", lambda cal: False)
        python = greedy_plan(candidates.build(p))
    assert len(runs) == 1
    return compiled, python


@pytest.mark.parametrize(
    "size,seed", [("S", 1), ("S", 3), ("M", 1), ("M", 11), ("L", 1), ("org-40", 1), ("org-80", 2)]
)
def test_the_compiled_loop_places_what_the_python_loop_places(monkeypatch, size, seed):
    """Generated problems: several sites and zones, programs of one to three sessions of
    different lengths, taught by one facilitator throughout or by any, in person and virtual,
    facilitators with buffers, daily maximums, part-time weeks and if-need-be windows, learners
    shared between cohorts and conflict groups."""
    if size.startswith("org"):
        from bench.organisation import generate as organisation
        from solver.validate import parse_problem

        p, errors = parse_problem(organisation(size, seed))
        assert not errors
    else:
        p = _generated(size, seed)
    compiled, python = _both_plans(monkeypatch, p)
    assert len(python.sections) > 10
    assert _sections(compiled) == _sections(python)


def _pending(cand) -> list:
    """The sections to place, formed and sorted as ``greedy_plan`` forms and sorts them."""
    remaining = {c.id: c.size for c in cand.problem.cohorts.values()}
    pending = [
        (group, parts)
        for group in cand.groups.values()
        for parts in form_sections(cand, group, remaining)
        if sum(parts.values()) >= group.program.seats[0]
    ]
    pending.sort(key=lambda gp: urgency(cand, gp[1]))
    return pending


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_on_small_random_problems_the_two_loops_agree(document):
    """Small problems where one rule decides: a one-hour buffer, a daily maximum of one or two
    sessions, an if-need-be hour, rooms or none, a learner in two cohorts."""
    cand = candidates.build(problem(document))
    pending = _pending(cand)
    assume(pending)  # something to place
    compiled = compiled_greedy.place_all(cand, Calendar(cand), pending)
    cal = Calendar(cand)
    python = [place_section(cand, cal, g, parts, book=True) for g, parts in pending]
    assert compiled == python


def test_the_compiled_plan_passes_the_checker():
    p = _generated("M", 1)
    document = greedy(p)
    assert document["sections"] and check(p, document) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_from_a_calendar_holding_bookings_the_two_loops_agree(document):
    """The first half of the sections booked by the Python loop (as fixed sessions and the
    sections a re-plan keeps book it), the rest placed by each loop from there: each person's
    bookings with their buffer and the minutes taught on each local day, each room's and each
    learner's bookings go to the compiled loop as they are."""
    cand = candidates.build(problem(document))
    pending = _pending(cand)
    assume(len(pending) > 1)
    half = len(pending) // 2
    cal = Calendar(cand)
    booked = [place_section(cand, cal, g, parts, book=True) for g, parts in pending[:half]]
    assume(any(booked))  # something in the calendar
    assert compiled_greedy.applies(cal)
    compiled = compiled_greedy.place_all(cand, cal, pending[half:])
    python = [place_section(cand, cal, g, parts, book=True) for g, parts in pending[half:]]
    assert compiled == python


@pytest.mark.parametrize("size,seed", [("M", 1), ("L", 2)])
def test_with_fixed_sessions_the_compiled_loop_places_what_the_python_loop_places(
    monkeypatch, size, seed
):
    """Fixed sessions are booked first (in Python); the other sections are placed by the
    compiled loop from that calendar, as the Python loop places them."""
    from bench.first_schedule import pinned
    from bench.generate import generate

    p = problem(pinned(generate(size, seed), 0.1))
    compiled, python = _both_plans(monkeypatch, p)
    assert any(s.fixed_id for s in python.sections)
    assert len(python.sections) > 10
    assert _sections(compiled) == _sections(python)


def test_a_calendar_whose_bookings_overlap_is_left_to_the_python_loop():
    """Fixed sessions are booked whatever they clash with; the compiled loop's free starts
    assume no two bookings of one person, room or learner overlap, so such a calendar stays
    with the Python loop."""
    cand = candidates.build(_generated("S", 1))
    cal = Calendar(cand)
    assert compiled_greedy.applies(cal)
    group = next(iter(cand.groups.values()))
    parts = {group.cohorts[0]: 1}
    sessions = place_section(cand, cal, group, parts, book=True)
    assert sessions is not None
    assert compiled_greedy.applies(cal)  # booked, no overlap
    cal.book(parts, sessions[0])  # the same session again: it overlaps itself
    assert not compiled_greedy.applies(cal)


def test_the_deadline_is_looked_at_before_the_compiled_loop_starts(monkeypatch):
    """A deadline already passed leaves every section unreached; the compiled loop itself is
    not stopped half-way (0.15 s on 10,000 cohorts)."""
    p = _generated("S", 1)
    cand = candidates.build(p)
    ran = []
    monkeypatch.setattr(compiled_greedy, "place_all", lambda *args: ran.append(args) or [])
    plan = greedy_plan(cand, Deadline(0.0))
    assert not ran and not plan.sections
    assert plan.unreached >= {c for g in cand.groups.values() for c in g.cohorts}
    with pytest.raises(TimeUp):
        Deadline(0.0).check()


def test_the_count_goes_from_none_to_all_sections_with_the_compiled_loop():
    calls = []
    plan = greedy_plan(candidates.build(_generated("M", 1)), building=lambda *c: calls.append(c))
    new = [c for c in calls if c[0] == "new"]
    total = new[0][2]
    assert total >= len(plan.sections) > 100
    assert new == [("new", 0, total), ("new", total, total)]


def test_local_days_follow_the_clock_changes_of_each_zone(monkeypatch):
    """A facilitator's day (daily maximum) is their local date: Havana moves its clocks at
    midnight (14 March 2027, 00:00 becomes 01:00), London at 01:00 (28 March). Each start's day
    in the C side's input is ``TimeGrid.local_date``'s, and a facilitator who may teach one
    hour a day gets the same plan from both loops."""
    hours = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00",
             "to": "23:59"}  # fmt: skip
    document = doc(
        horizon={"start": "2027-03-12", "end": "2027-03-30"},
        cohorts=[cohort(f"c{k}", 5, hours=hours, timezone="America/Havana") for k in range(6)],
        facilitators=[
            facilitator("hav", timezone="America/Havana", max_minutes_per_day=60),
            facilitator("lon", timezone="Europe/London", max_minutes_per_day=60, hourly_rate=150.0),
        ],  # fmt: skip
        programs=[program(seats=[1, 5])],
    )
    p = problem(document)
    cand = candidates.build(p)
    data = compiled_greedy._Input(cand, Calendar(cand))
    for zone, number in data.z_index.items():
        first = cand.grid.local_date(data.starts[0], zone)
        exact = [(cand.grid.local_date(t, zone) - first).days for t in data.starts]
        assert data.local_days[number] == exact
    compiled, python = _both_plans(monkeypatch, p)
    assert len(python.sections) == 6
    assert _sections(compiled) == _sections(python)


def test_malformed_input_is_refused_and_never_crashes():
    """The C side checks every count and number it reads: input changed at random (counts,
    indices, starts, cut short) is refused with ValueError or placed, never read out of
    bounds (a crash would end the test run)."""
    import random
    from array import array

    p = _generated("S", 1)
    cand = candidates.build(p)
    cal = Calendar(cand)
    remaining = {c.id: c.size for c in p.cohorts.values()}
    pending = [
        (g, parts) for g in cand.groups.values() for parts in form_sections(cand, g, remaining)
    ]
    for group, parts in pending[:3]:  # a calendar holding bookings: their counts are read too
        place_section(cand, cal, group, parts, book=True)
    data = compiled_greedy._Input(cand, cal)
    for group, parts in pending[3:]:
        data.section(group, parts)
    ints, words = data.ints(), data.words()
    rng, refused = random.Random(7), 0
    for _ in range(300):
        changed = array("q", ints)
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(changed))
            changed[k] = rng.choice([-1, 0, 1, changed[k] + 1, changed[k] - 1, 10**6, -(10**6)])
        cut = words if rng.random() < 0.8 else words[: rng.randrange(len(words) + 1)]
        try:
            compiled_greedy._greedy.place(changed, cut)
        except (ValueError, MemoryError):
            refused += 1
    assert refused > 100
    with pytest.raises(ValueError, match="malformed placement input"):
        compiled_greedy._greedy.place(ints[:-1], words)
