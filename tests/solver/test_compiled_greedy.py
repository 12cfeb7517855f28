"""The greedy plan's placement loop in C (``solver.compiled_greedy``): built, used where it
applies, and placing exactly what the Python loop places.

Each comparison builds the plan twice, once by the compiled loop and once by the Python loop
(``python_greedy``), and checks that the compiled loop was the one that ran the first time, so
that two runs of the same code cannot pass for a comparison."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_greedy_team import _generated, _sections
from test_properties import small_problems
from tiny import cohort, doc, facilitator, problem, program

from solver import candidates, compiled_greedy
from solver import greedy as greedy_module
from solver.bookings import Calendar
from solver.check import check
from solver.deadline import Deadline, TimeUp
from solver.greedy import form_sections, greedy, greedy_plan, place_section, urgency
from solver.plan import Plan, to_document


def test_the_compiled_placement_is_built():
    assert compiled_greedy.available(), (
        "solver._greedy was not built: the project's install (pip install -e .) compiles "
        "solver/_greedy.c when a C compiler and the Python headers are found"
    )


def _both_plans(monkeypatch, p, kept=False):
    """(the plan of the compiled loop, the plan of the Python loop), and that each ran: the
    compiled loop placed the new sections and, with ``kept``, kept those of the plan it
    starts from (the Python loop did not keep them instead)."""
    runs = _count_runs(monkeypatch)
    compiled = greedy_plan(candidates.build(p))
    if kept:  # and placed the learners left, if any
        assert runs.count("keep") == 1 and "python keep" not in runs and runs.count("place") <= 1
    else:
        assert runs.count("place") == 1
    ran = list(runs)
    with monkeypatch.context() as m:
        m.setattr(compiled_greedy, "applies", lambda cal: False)
        python = greedy_plan(candidates.build(p))
    assert [r for r in runs if r != "python keep"] == ran
    return compiled, python


def _count_runs(monkeypatch) -> list[str]:
    """The names of the steps run, as they run: the compiled loop's ``place`` and ``keep``,
    and the Python loop's keeping of a plan (``python keep``)."""
    runs: list[str] = []
    for name in ("place", "keep"):
        method = getattr(compiled_greedy.Placement, name)

        def counted(self, *args, name=name, method=method):
            runs.append(name)
            return method(self, *args)

        monkeypatch.setattr(compiled_greedy.Placement, name, counted)
    python_keep = greedy_module._previous_sections

    def counted_python(*args):
        runs.append("python keep")
        return python_keep(*args)

    monkeypatch.setattr(greedy_module, "_previous_sections", counted_python)
    return runs


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


@pytest.mark.parametrize("size,seed", [("M", 11), ("org-80", 2)])
def test_sections_placed_in_batches_beside_are_placed_as_the_python_loop_places_them(
    monkeypatch, size, seed
):
    """Many sections go to the C side in batches placed in a thread of their own
    (``Placement.place``); batches of a few sections here, so that each batch's placement runs
    while the next is written, and the calendar carries over from batch to batch."""
    import threading

    if size.startswith("org"):
        from bench.organisation import generate as organisation
        from solver.validate import parse_problem

        p, errors = parse_problem(organisation(size, seed))
        assert not errors
    else:
        p = _generated(size, seed)
    cand = candidates.build(p)
    pending = _pending(cand)
    monkeypatch.setattr(compiled_greedy, "MIN_BATCH", 2)
    assert len(pending) >= compiled_greedy.PLACE_BATCHES * 2
    threads: list[str] = []
    placed = compiled_greedy.Placement._placed

    def recorded(self, written):
        threads.append(threading.current_thread().name)
        return placed(self, written)

    monkeypatch.setattr(compiled_greedy.Placement, "_placed", recorded)
    in_batches = compiled_greedy.place_all(cand, Calendar(cand), pending)
    assert len(threads) == compiled_greedy.PLACE_BATCHES
    assert all(name.startswith("greedy-place") for name in threads)
    cal = Calendar(cand)
    python = [place_section(cand, cal, g, parts, book=True) for g, parts in pending]
    assert in_batches == python
    assert sum(s is not None for s in python) > 10


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
    runs = _count_runs(monkeypatch)
    assert greedy_plan(candidates.build(p)).sections and runs == ["place"]  # it runs in time
    plan = greedy_plan(cand, Deadline(0.0))
    assert runs == ["place"] and not plan.sections
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
    bounds (a crash would end the test run). So are the sections of a plan to keep, with
    their sessions."""
    import random

    p = _generated("S", 1)
    cand = candidates.build(p)
    cal = Calendar(cand)
    remaining = {c.id: c.size for c in p.cohorts.values()}
    pending = [
        (g, parts) for g in cand.groups.values() for parts in form_sections(cand, g, remaining)
    ]
    booked = []
    for group, parts in pending[:3]:  # a calendar holding bookings: their counts are read too
        booked.append((group, parts, place_section(cand, cal, group, parts, book=True)))
    data = compiled_greedy._Input(cand, cal)
    calendar = data.calendar_ints()
    k = cand.sets.position
    for group, parts, sessions in booked:  # kept where they are (they are booked already)
        listed = [(x.index, k[x.start], x.facilitator, x.room) for x in sessions or []]
        data.section(group, parts, listed)
    assert any(sessions for _, _, sessions in booked)
    kept, kept_words = data.batch_ints(), data.batch_words()
    for group, parts in pending[3:]:
        data.section(group, parts)
    ints, words = data.batch_ints(), data.batch_words()
    rng, refused = random.Random(7), 0
    for _ in range(300):
        target = rng.choice(["calendar", "keep", "place"])
        changed = {"calendar": array("q", calendar), "keep": array("q", kept),
                   "place": array("q", ints)}  # fmt: skip
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(changed[target]))
            before = changed[target][k]
            changed[target][k] = rng.choice([-1, 0, 1, before + 1, before - 1, 10**6, -(10**6)])
        cut = words if rng.random() < 0.8 else words[: rng.randrange(len(words) + 1)]
        try:
            made = compiled_greedy._greedy.calendar(changed["calendar"])
            compiled_greedy._greedy.keep(made, changed["keep"], kept_words)
            compiled_greedy._greedy.place(made, changed["place"], cut)
        except (ValueError, MemoryError):
            refused += 1
    assert refused > 100
    with pytest.raises(ValueError, match="malformed placement input"):
        compiled_greedy._greedy.calendar(calendar[:-1])
    made = compiled_greedy._greedy.calendar(calendar)
    with pytest.raises(ValueError, match="malformed placement input"):
        compiled_greedy._greedy.place(made, ints[:-1], words)
    with pytest.raises(ValueError, match="failed before"):  # what it booked is not known
        compiled_greedy._greedy.place(made, ints, words)


def _in_order(plan) -> list:
    """The plan's sections in its order, with what each kept of the plan it starts from."""
    return [
        (s.group, list(s.parts.items()), [(x.index, x.start, x.facilitator, x.room)
                                          for x in s.sessions], s.previous_id, s.fixed_id)
        for s in plan.sections
    ]  # fmt: skip


def _disturbed(document: dict, seed: int, shrink: bool) -> dict:
    """``document`` re-planned from its own greedy schedule after a coordinator's changes: a
    fifth of the sections with sessions moved (a day or two, half an hour) or given to another
    facilitator or room, sessions dropped or listed twice, a tenth of the facilitators down to
    one hour a week; with ``shrink``, a tenth of the cohorts smaller than the plan seats."""
    import random
    from datetime import datetime, timedelta

    previous = greedy(problem(document))
    rng = random.Random(seed)
    rooms = [r["id"] for r in document.get("rooms", [])]
    for section in previous["sections"]:
        sessions = section["sessions"]
        if rng.random() < 0.2:
            for x in sessions:
                if rng.random() < 0.5:
                    shift = timedelta(days=rng.choice([-2, -1, 1, 2]),
                                      minutes=rng.choice([0, 30, -60]))  # fmt: skip
                    x["start"] = (datetime.fromisoformat(x["start"]) + shift).isoformat()
                if rng.random() < 0.2:
                    x["facilitator"] = rng.choice(document["facilitators"])["id"]
                if rng.random() < 0.2 and x.get("room") and rooms:
                    x["room"] = rng.choice(rooms)
        if rng.random() < 0.05 and len(sessions) > 1:
            del sessions[rng.randrange(len(sessions))]
        if rng.random() < 0.03:
            sessions.insert(0, dict(sessions[-1]))
    for f in document["facilitators"]:
        if rng.random() < 0.1:
            f["weekly"], f["available"] = {"mon": [["09:00", "10:00"]]}, []
    if shrink:
        for c in document["cohorts"]:
            if rng.random() < 0.1 and c["size"] > 2:
                c["size"] -= max(1, c["size"] // 3)
                c["learners"] = c.get("learners", [])[: c["size"]]
    return {**document, "previous": previous}


@pytest.mark.parametrize("size,seed", [("M", 2), ("L", 1), ("org-80", 2), ("org-120", 12)])
def test_a_replan_keeps_and_places_what_the_python_loop_keeps_and_places(monkeypatch, size, seed):
    """From a plan a coordinator changed: sections kept whole, sessions kept with the others
    placed again around them (the pinned search), sections placed afresh, in the plan's order;
    then the sections of the learners left. The compiled loop does both steps in one calendar
    and gives the same plan, kept sections and all."""
    document = _disturbed(_document(size, seed), 5, False)
    p = problem(document)
    compiled, python = _both_plans(monkeypatch, p, kept=True)
    grid = candidates.build(p).grid
    before = {
        sec["id"]: sorted((x["index"], grid.text_minute(x["start"])) for x in sec["sessions"])
        for sec in document["previous"]["sections"]
    }
    kept = [s for s in python.sections if s.previous_id is not None]
    whole = [s for s in kept if [(x.index, x.start) for x in s.sessions] == before[s.previous_id]]
    assert len(whole) > 20 and len(kept) - len(whole) > 5  # some kept whole, some moved
    assert _in_order(compiled) == _in_order(python)


def test_a_replan_whose_cohort_shrank_gets_the_python_loops_plan(monkeypatch):
    """A section takes what is left of its cohorts, which depends on whether the sections before
    it were placed. Cohort c (16) was split over two sections, the first shared with d; now c
    has 8 learners and d can no longer attend. The compiled loop counts the first section as
    placed, so the second would take none of c; it was not placed, so the second takes c's 8.
    The Python loop keeps that plan instead, and the plan is the Python loop's."""
    shared = program(seats=[1, 12])
    before = doc(programs=[shared], cohorts=[cohort("c", 16), cohort("d", 4)])
    previous = greedy(problem(before))
    previous["sections"].sort(key=lambda sec: len(sec["cohorts"]), reverse=True)
    assert [sorted(p["cohort"] for p in sec["cohorts"]) for sec in previous["sections"]] == [
        ["c", "d"], ["c"]]  # fmt: skip
    sunday = {"days": ["sun"], "from": "09:00", "to": "17:00"}
    after = doc(programs=[shared], cohorts=[cohort("c", 8), cohort("d", 4, hours=sunday)],
                previous=previous)  # fmt: skip
    p = problem(after)
    runs = _count_runs(monkeypatch)
    compiled = greedy_plan(candidates.build(p))
    assert runs == ["keep", "python keep", "place"]  # then d, left, is tried again
    assert [(s.parts, s.previous_id) for s in compiled.sections] == [
        ({"c": 8}, previous["sections"][1]["id"])]  # fmt: skip
    assert _in_order(compiled) == _in_order(_python_greedy_plan(p))


def _document(size: str, seed: int) -> dict:
    if size.startswith("org"):
        from bench.organisation import generate as organisation

        return organisation(size, seed)
    from bench.generate import generate

    return generate(size, seed)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), small_problems(), st.integers(-2, 2), st.booleans(),
       st.lists(st.booleans(), min_size=8, max_size=8))  # fmt: skip
def test_on_small_random_replans_the_two_loops_agree(before, after, shift, same, swapped):
    """The schedule of one small problem as the plan another starts from (same names: its
    cohorts, facilitators and rooms may have changed every way, the program may now ask for
    one facilitator throughout), each start moved by ``shift`` hours, some sessions given to
    the other facilitator: the compiled loop keeps and places what the Python loop does, and
    the plan keeps every rule of the problem it is made for."""
    from datetime import datetime, timedelta

    previous = greedy(problem(before))
    sessions = [x for section in previous["sections"] for x in section["sessions"]]
    for k, x in enumerate(sessions):
        x["start"] = (datetime.fromisoformat(x["start"]) + timedelta(hours=shift)).isoformat()
        if swapped[k % len(swapped)]:
            x["facilitator"] = {"f0": "f1", "f1": "f0"}[x["facilitator"]]
    assume(previous["sections"])
    after = {**after, "programs": [{**after["programs"][0], "same_facilitator": same}]}
    p = problem({**after, "previous": previous})
    compiled = greedy_plan(candidates.build(p))
    cand = candidates.build(p)
    cal = Calendar(cand)
    assert compiled_greedy.applies(cal)
    plan = Plan(unreached=set())
    remaining = {c.id: c.size for c in p.cohorts.values()}
    greedy_module._previous_sections(cand, cal, plan, remaining, None)
    kept = _in_order(plan)
    assert _in_order(compiled)[: len(kept)] == kept
    python = _python_greedy_plan(p)
    assert _in_order(compiled) == _in_order(python)
    assert check(p, to_document(cand, compiled, status="feasible", reasons={}, solver={},
                                lower_bound=0.0)) == []  # fmt: skip


def _python_greedy_plan(p):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compiled_greedy, "applies", lambda cal: False)
        return greedy_plan(candidates.build(p))
