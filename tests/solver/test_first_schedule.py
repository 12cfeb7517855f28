"""The first schedule and the bound the engine reports (issue 18): the greedy plan is reported
before any search solution, a re-plan never starts (or ends) dearer than keeping the previous
schedule, and the bound is never 0 when the search finds nothing — with what it is made of."""

from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_lower_bound import IN_PERSON
from test_properties import small_problems
from tiny import cohort, doc, facilitator, problem, program, room

from solver import candidates
from solver import greedy as greedy_module
from solver import solve as engine
from solver.check import PLAN_RULES, check
from solver.greedy import greedy, greedy_plan
from solver.lower_bound import analytic_bound, lower_bound
from solver.plan import Plan, price, to_document
from solver.previous import keeps_every_rule, previous_plan
from solver.validate import parse_problem

# Two groups with a facilitator each way: the greedy puts each cohort with the cheapest free
# facilitator in turn, the search can do better, so the trace has a greedy entry and a search one.
TWO_SITES = doc(
    horizon={"start": "2027-01-04", "end": "2027-01-08"},
    programs=[program(mode="in_person", sessions=[60, 60], gap_days=[0, 3], seats=[2, 12],
                      seat_cost=3.0)],
    cohorts=[cohort("a", 10), cohort("b", 7), cohort("c", 5, site="paris"), cohort("d", 4)],
    facilitators=[facilitator("ana", hourly_rate=50.0),
                  facilitator("ben", site="paris", hourly_rate=30.0, travel_cost={"london": 80.0})],
    rooms=[room("big", 12), room("small", 6, hourly_cost=2.0), room("p", 8, site="paris")],
    change_cost=25.0,
)  # fmt: skip


def _greedy_cost(document) -> float:
    cand = candidates.build(problem(document))
    return price(cand, greedy_plan(cand))["total"]


def _traced(monkeypatch, document, **kwargs):
    """Solve, recording progress calls and CP-SAT's own solutions in one ordered list."""
    events = []
    original = engine._Watcher.on_solution_callback

    def on_solution(self):
        events.append(("search", self.objective_value / 100))
        original(self)

    monkeypatch.setattr(engine._Watcher, "on_solution_callback", on_solution)
    schedule = engine.solve(
        problem(document),
        time_limit=kwargs.pop("time_limit", 10),
        progress=lambda elapsed, cost, bound: events.append(("progress", cost, bound)),
        **kwargs,
    )
    return schedule, events


@pytest.mark.parametrize("document", [TWO_SITES, IN_PERSON], ids=["two-sites", "in-person"])
def test_the_greedy_plan_is_reported_before_the_full_models_first_solution(monkeypatch, document):
    schedule, events = _traced(monkeypatch, document)
    searched = [k for k, e in enumerate(events) if e[0] == "search"]
    assert searched, "CP-SAT reported no solution: the test proves nothing"
    assert events[0] == ("progress", _greedy_cost(document), events[0][2])
    assert searched[0] > 0
    assert (
        schedule["solver"]["first_solution_seconds"]
        <= (schedule["solver"]["search_first_solution_seconds"])
    )


def test_the_greedy_plan_is_reported_before_neighbourhood_search_starts(monkeypatch):
    events = []
    original = engine.lns.search

    def search(*args, **kwargs):
        events.append(("search",))
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "FULL_MODEL_COHORTS", 0)
    monkeypatch.setattr(engine.lns, "search", search)
    p = problem(TWO_SITES)
    schedule = engine.solve(
        p, time_limit=5, progress=lambda elapsed, cost, bound: events.append((cost, bound))
    )
    assert schedule["solver"]["strategy"] == "lns"
    assert events[0] == (_greedy_cost(TWO_SITES), events[0][1])
    assert events.index(("search",)) > 0
    assert check(p, schedule) == []


def test_every_reported_bound_is_a_real_bound_from_the_first_report(monkeypatch):
    schedule, events = _traced(monkeypatch, TWO_SITES)
    reports = [e for e in events if e[0] == "progress"]
    optimum = schedule["cost"]["total"]
    assert schedule["status"] == "optimal"
    # The first schedule comes before any bound is computed: "no bound yet", never a
    # placeholder 0; the next report is the same cost with the analytic bound.
    assert reports[0][2] is None
    assert reports[1][1] == reports[0][1]
    assert reports[1][2] == analytic_bound(candidates.build(problem(TWO_SITES))) > 0
    assert all(0 < bound <= optimum + 0.005 for _, _, bound in reports[1:])


def test_when_the_search_finds_nothing_the_bound_is_the_analytic_and_lp_bound(monkeypatch):
    """The re-plan that showed "Lower bound 0.00, Gap 100 %": CP-SAT stopped without a solution
    (in presolve) and the bound stayed at its initial 0."""
    monkeypatch.setattr(engine, "_solve_cancellable", lambda *args: engine.cp_model.UNKNOWN)
    p = problem(TWO_SITES)
    schedule = engine.solve(p, time_limit=5)
    expected = lower_bound(candidates.build(p))
    assert schedule["solver"]["bound"] == pytest.approx(expected, abs=0.01)
    assert expected > 0
    assert schedule["solver"]["gap"] < 1
    parts = schedule["solver"]["bound_parts"]
    assert parts["used"] in ("analytic", "lp")
    assert parts[parts["used"]] == pytest.approx(expected, abs=0.01)


def test_the_bound_parts_name_each_bound_and_the_analytic_items():
    schedule = engine.solve(problem(TWO_SITES), time_limit=10)
    parts = schedule["solver"]["bound_parts"]
    items = parts["analytic_items"]
    assert set(items) == {"seats", "facilitators", "travel", "rooms", "unscheduled"}
    assert sum(items.values()) == pytest.approx(parts["analytic"])
    # Every placeable learner placed in the cheapest case: 26 learners x 2 sessions x 3.00.
    assert items["seats"] == 26 * 2 * 3.0
    assert parts["search"] >= parts["lp"] - 0.01 or parts["used"] != "search"
    assert schedule["solver"]["bound"] == pytest.approx(parts[parts["used"]], abs=0.01)


def _replan(document, previous, **over):
    return doc(**{**_fields(document), "previous": previous, **over})


def _fields(document):
    return {k: v for k, v in document.items() if k not in ("format",)}


def test_a_replan_is_never_dearer_than_the_previous_schedule_kept_as_is(monkeypatch):
    first = engine.solve(problem(TWO_SITES), time_limit=10)
    assert first["status"] == "optimal"
    document = _replan(TWO_SITES, first)
    p = problem(document)
    kept_cost = price(candidates.build(p), previous_plan(candidates.build(p)))["total"]
    # Whatever the greedy makes of it (here: nothing placed), the previous schedule is the start.
    monkeypatch.setattr(engine, "greedy_plan", lambda cand, *args: Plan())
    monkeypatch.setattr(engine, "_solve_cancellable", lambda *args: engine.cp_model.UNKNOWN)
    seen = []
    again = engine.solve(p, time_limit=5, progress=lambda t, cost, bound: seen.append(cost))
    assert seen[0] > kept_cost  # the greedy's (empty) plan, reported first
    assert seen[-1] == kept_cost == again["cost"]["total"]
    assert again["cost"]["changes"] == 0
    assert check(p, again) == []
    assert again["solver"]["bound"] > 0


def test_a_replan_with_search_ends_no_dearer_than_the_previous_schedule():
    first = engine.solve(problem(TWO_SITES), time_limit=10)
    p = problem(_replan(TWO_SITES, first))
    kept_cost = price(candidates.build(p), previous_plan(candidates.build(p)))["total"]
    again = engine.solve(p, time_limit=10)
    assert again["cost"]["total"] <= kept_cost
    assert check(p, again) == []


def test_the_previous_schedule_is_no_start_once_a_pin_moves_one_of_its_sessions():
    first = engine.solve(problem(TWO_SITES), time_limit=10)
    section = first["sections"][0]
    x = section["sessions"][0]
    moved = "2027-01-08T15:00:00+00:00" if x["start"][:10] != "2027-01-08" else \
        "2027-01-07T15:00:00+00:00"  # fmt: skip
    pin = {"section": section["id"], "cohorts": section["cohorts"], "session": 0,
           "start": moved, "facilitator": x["facilitator"], "room": x["room"]}  # fmt: skip
    still = {**pin, "start": x["start"]}
    assert previous_plan(candidates.build(problem(_replan(TWO_SITES, first, fixed=[pin])))) is None
    kept = previous_plan(candidates.build(problem(_replan(TWO_SITES, first, fixed=[still]))))
    assert kept is not None
    assert {s.fixed_id for s in kept.sections} == {section["id"], None}


def test_a_section_kept_whole_still_keeps_the_days_between_its_sessions():
    """Each session of a re-plan's section may still fit where it was while the days between
    them no longer keep the program's gap: such a section is placed again, never kept."""
    week = {"horizon": {"start": "2027-01-04", "end": "2027-01-08"}, "cohorts": [cohort("a", 10)]}
    first = greedy(problem(doc(programs=[program(sessions=[60, 60], gap_days=[0, 3])], **week)))
    [section] = first["sections"]
    wednesday = [("09:00", "10:00"), ("11:00", "12:00")]
    for x, (start, end) in zip(section["sessions"], wednesday, strict=True):
        x["start"], x["end"] = f"2027-01-06T{start}:00+00:00", f"2027-01-06T{end}:00+00:00"
    p = problem(doc(programs=[program(sessions=[60, 60], gap_days=[1, 3])], previous=first, **week))
    cand = candidates.build(p)
    # Wednesday is allowed to either session alone (Monday or Tuesday before, Thursday or
    # Friday after), so both still fit; only the pair breaks the gap.
    assert all(cand.sets.has(cand.start_mask("a", i), 2 * 1440 + 540 + 120 * i) for i in (0, 1))
    plan = greedy_plan(cand)
    [placed] = plan.sections
    days = [cand.grid.day_index(x.start) for x in placed.sessions]
    assert 1 <= days[1] - days[0] <= 3
    assert placed.previous_id == section["id"]
    assert check(p, to_document(cand, plan, status="feasible", reasons={}, solver={},
                                lower_bound=0.0)) == []  # fmt: skip


def test_a_previous_session_whose_facilitator_or_room_has_left_is_placed_again():
    """A re-plan's previous schedule may name a facilitator or a room no longer in the problem
    (they left): that session cannot stay, the previous plan is no start as it is, and the
    section is placed again instead of the solve failing (it raised KeyError when the plan was
    priced, and unhashable names raised TypeError; those are now refused when the problem is
    read: tests/solver/test_validate.py)."""
    week = {"horizon": {"start": "2027-01-04", "end": "2027-01-08"}, "cohorts": [cohort("a", 10)]}
    in_person = [program(mode="in_person")]
    first = greedy(problem(doc(programs=in_person, rooms=[room("r1")], **week)))
    for gone in ({"facilitator": "zoe"}, {"room": "r9"}):
        previous = copy.deepcopy(first)
        previous["sections"][0]["sessions"][0].update(gone)
        p = problem(doc(programs=in_person, rooms=[room("r1")], previous=previous, **week))
        cand = candidates.build(p)
        assert previous_plan(cand) is None
        plan = greedy_plan(cand)
        [placed] = plan.sections
        assert placed.sessions[0].facilitator == "ana" and placed.sessions[0].room == "r1"
        assert check(p, to_document(cand, plan, status="feasible", reasons={}, solver={},
                                    lower_bound=0.0)) == []  # fmt: skip
        schedule = engine.solve(p, time_limit=5, workers=1)
        assert schedule["status"] in ("optimal", "feasible") and check(p, schedule) == []


def _replanned(document: dict, previous: dict) -> tuple[dict, dict]:
    """The greedy plan of ``document`` re-planned from ``previous`` (as a schedule document)
    and ``solve``'s answer; both pass the checker."""
    p = problem({**document, "previous": previous})
    cand = candidates.build(p)
    plan = to_document(cand, greedy_plan(cand), status="feasible", reasons={}, solver={},
                       lower_bound=0.0)  # fmt: skip
    assert check(p, plan) == []
    schedule = engine.solve(p, time_limit=5, workers=1)
    assert schedule["status"] in ("optimal", "feasible") and check(p, schedule) == []
    return plan, schedule


def _cohorts(schedule: dict) -> list[list[dict]]:
    return sorted((section["cohorts"] for section in schedule["sections"]), key=str)


def test_a_replan_does_not_keep_a_section_whose_cohort_may_no_longer_share_it():
    """A cohort made not mergeable after publishing sits alone in the re-plan: its merged
    section is formed again (it was kept, and the re-plan's answer broke the rule)."""
    week = {"horizon": {"start": "2027-01-04", "end": "2027-01-08"}}
    before = doc(cohorts=[cohort("a", 6), cohort("b", 5)], **week)
    [merged] = greedy(problem(before))["sections"]
    assert {part["cohort"] for part in merged["cohorts"]} == {"a", "b"}
    after = doc(cohorts=[cohort("a", 6), cohort("b", 5, mergeable=False)], **week)
    plan, schedule = _replanned(after, greedy(problem(before)))
    alone = [[{"cohort": "a", "learners": 6}], [{"cohort": "b", "learners": 5}]]
    assert _cohorts(plan) == _cohorts(schedule) == alone


def test_a_replan_does_not_keep_part_of_a_cohort_that_may_no_longer_be_split():
    """A cohort split over two sections and made not splittable since (its program now seats
    it whole) sits in one section of the re-plan (both halves were kept)."""
    week = {"horizon": {"start": "2027-01-04", "end": "2027-01-08"}}
    before = doc(programs=[program(seats=[1, 12])], cohorts=[cohort("a", 20)], **week)
    assert len(greedy(problem(before))["sections"]) == 2
    after = doc(programs=[program(seats=[1, 24])],
                cohorts=[cohort("a", 20, splittable=False)], **week)  # fmt: skip
    plan, schedule = _replanned(after, greedy(problem(before)))
    assert _cohorts(plan) == _cohorts(schedule) == [[{"cohort": "a", "learners": 20}]]


def test_a_replan_keeps_only_the_first_teachers_sessions_where_one_teaches_throughout():
    """A program asking for the same facilitator throughout, one of whose sessions a coordinator
    gave to someone else: the re-plan keeps the sessions of who teaches the first one and places
    the other again with them (the section was kept whole, with two facilitators)."""
    same = doc(
        horizon={"start": "2027-01-04", "end": "2027-01-08"},
        programs=[program(sessions=[60, 60], gap_days=[0, 3], same_facilitator=True)],
        cohorts=[cohort("a", 10)],
        facilitators=[facilitator("ana"), facilitator("bo", hourly_rate=150.0)],
    )
    previous = greedy(problem(same))
    [section] = previous["sections"]
    first, second = section["sessions"]
    assert first["facilitator"] == second["facilitator"] == "ana"
    second["facilitator"] = "bo"
    plan, schedule = _replanned(same, previous)
    [kept] = plan["sections"]
    assert [x["facilitator"] for x in kept["sessions"]] == ["ana", "ana"]
    assert kept["sessions"][0]["start"] == first["start"]
    assert {x["facilitator"] for x in schedule["sections"][0]["sessions"]} == {"ana"}


def test_any_value_in_a_previous_schedule_is_an_error_or_a_replan_never_a_crash():
    """Each name, count and list of an earlier schedule replaced by values of every JSON kind:
    the problem is refused with errors, or the re-plan's first steps (keeping what still fits,
    the previous plan read as it is, pricing) run and the plan passes the checker. 41 of these
    154 raised before (KeyError, TypeError, ValueError)."""
    week = {"horizon": {"start": "2027-01-04", "end": "2027-01-08"},
            "cohorts": [cohort("a", 10), cohort("b", 8)]}  # fmt: skip
    base = doc(programs=[program(mode="in_person", sessions=[60, 60], gap_days=[0, 3])],
               rooms=[room("r1")], facilitators=[facilitator("ana"), facilitator("bo")], **week)  # fmt: skip
    first = greedy(problem(base))
    [section] = first["sections"]
    paths = [("id",), ("cohorts",), ("program",), ("size",)]
    paths += [
        ("cohorts", k, key)
        for k in range(len(section["cohorts"]))
        for key in ("cohort", "learners")
    ]
    paths += [("sessions", k, key) for k in range(2) for key in ("facilitator", "room", "end")]
    odd = [None, [], {}, ["x"], {"a": 1}, "abc", -1, 10**12, 1.5, True, ""]
    refused = replanned = 0
    for path in paths:
        for value in odd:
            previous = copy.deepcopy(first)
            node = previous["sections"][0]
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
            document = {**base, "previous": previous}
            parsed, errors = parse_problem(document)
            if parsed is None:
                assert errors and all(e["path"].startswith("previous.sections[0]") for e in errors)
                refused += 1
                continue
            cand = candidates.build(parsed)
            previous_plan(cand)
            plan = greedy_plan(cand)
            assert check(parsed, to_document(cand, plan, status="feasible", reasons={}, solver={},
                                             lower_bound=0.0)) == []  # fmt: skip
            replanned += 1
    assert refused > 20 and replanned > 20


def test_two_kept_sessions_that_fit_alone_but_not_together_are_not_both_kept():
    """A facilitator's daily maximum lowered since the plan was made: each of a section's two
    sessions on one day still fits alone, not both. The first stays, the second moves."""
    week = {"horizon": {"start": "2027-01-04", "end": "2027-01-08"}, "cohorts": [cohort("a", 10)]}
    two = program(sessions=[120, 120], gap_days=[0, 3])
    first = greedy(problem(doc(programs=[two], facilitators=[facilitator("ana")], **week)))
    assert len({x["start"][:10] for x in first["sections"][0]["sessions"]}) == 1  # one day
    lowered = facilitator("ana", max_minutes_per_day=180)
    p = problem(doc(programs=[two], facilitators=[lowered], previous=first, **week))
    cand = candidates.build(p)
    plan = greedy_plan(cand)
    document = to_document(cand, plan, status="feasible", reasons={}, solver={}, lower_bound=0.0)
    assert check(p, document) == []
    kept, moved = plan.sections[0].sessions
    assert cand.grid.iso(kept.start) == first["sections"][0]["sessions"][0]["start"]
    assert cand.grid.day_index(moved.start) > cand.grid.day_index(kept.start)


def test_a_replan_after_moves_and_departures_keeps_every_rule():
    """A published plan with a fifth of its sections moved by hand (a day or two, half an hour)
    or given to someone else, and a tenth of the facilitators down to one hour a week: what the
    re-plan keeps of each section, and what it places around the sessions it keeps, pass the
    checker (the pinned sessions are booked before the others are placed, and tested against
    each other)."""
    from bench.organisation import generate as organisation

    document = organisation("org-120", 2)
    previous = greedy(problem(document))
    rng = random.Random(5)
    for section in previous["sections"]:
        if rng.random() < 0.2:
            for x in section["sessions"]:
                if rng.random() < 0.5:
                    shift = timedelta(
                        days=rng.choice([-2, -1, 1, 2]), minutes=rng.choice([0, 30, -60])
                    )
                    x["start"] = (datetime.fromisoformat(x["start"]) + shift).isoformat()
        if rng.random() < 0.05:
            for x in section["sessions"]:
                x["facilitator"] = rng.choice(document["facilitators"])["id"]
    _leave(document, rng)
    cand = candidates.build(problem({**document, "previous": previous}))
    plan = greedy_plan(cand)
    assert sum(s.previous_id is not None for s in plan.sections) > 100
    assert keeps_every_rule(cand, plan)


def _leave(document: dict, rng: random.Random) -> None:
    """A tenth of the facilitators down to one hour a week (they left, or nearly)."""
    for f in document["facilitators"]:
        if rng.random() < 0.1:
            f["weekly"], f["available"] = {"mon": [["09:00", "10:00"]]}, []


def test_sections_kept_whole_are_what_placing_them_with_every_session_pinned_gives(
    monkeypatch, python_greedy
):
    """A section whose sessions all still fit is booked as it is, without the search for a
    placement: the plan is the one that search finds (``place_section`` with every session
    pinned), on a re-plan where a fifth of the sections moved and some facilitators left. (The
    Python loop's; the compiled loop keeps the same plan: ``test_compiled_greedy.py``.)"""
    from bench.generate import generate

    document = generate("M", 2)
    previous = greedy(problem(document))
    rng = random.Random(7)
    for section in previous["sections"]:
        for x in section["sessions"]:
            if rng.random() < 0.1:
                moved = datetime.fromisoformat(x["start"]) + timedelta(days=rng.choice([-1, 1, 2]))
                x["start"] = moved.isoformat()
    _leave(document, rng)
    p = problem({**document, "previous": previous})

    def plan_digest():
        from bench.plan_digest import digest

        cand = candidates.build(p)
        return digest(greedy_plan(cand)), price(cand, greedy_plan(cand))["total"]

    kept_whole = plan_digest()
    searched = []

    def search(cand, cal, group, parts, pins):  # pins come booked (_still_valid)
        searched.append(group.key)
        greedy_module._unbook(cal, parts, pins)
        return greedy_module.place_section(cand, cal, group, parts, pins, book=True)

    monkeypatch.setattr(greedy_module, "_keep_as_is", search)
    assert plan_digest() == kept_whole
    assert len(searched) > 100


def _generated(size: str, seed: int):
    from bench.generate import generate
    from solver.validate import parse_problem

    parsed, errors = parse_problem(generate(size, seed))
    assert errors == []
    return parsed


def test_the_first_report_on_a_generated_problem_is_the_greedy_plan_and_passes_the_checker():
    p = _generated("S", 2)
    stop, first = engine.threading.Event(), []

    def progress(elapsed, cost, bound):
        first.append(cost)
        stop.set()  # the first schedule is what this test is about

    engine.solve(p, time_limit=30, progress=progress, stop_event=stop)
    cand = candidates.build(p)
    plan = greedy_plan(cand)
    document = engine.to_document(
        cand, plan, status="feasible", reasons={}, solver={}, lower_bound=0.0
    )
    assert first[0] == price(cand, plan)["total"] == document["cost"]["total"]
    assert len(plan.sections) > 10
    assert check(p, document) == []


def test_on_a_generated_l_problem_the_first_report_is_the_whole_greedy_plan_before_any_search(
    monkeypatch,
):
    """1,000 cohorts (bench size L): the plan reported first is complete, keeps every rule as
    the independent checker sees it, and is what the search then starts from."""
    p = _generated("L", 2)
    events, handed = [], []

    def search(cand, plan, *args, **kwargs):
        events.append(("search",))
        handed.append((cand, plan))
        return engine.lns.Outcome(plan, price(cand, plan)["total"])

    monkeypatch.setattr(engine.lns, "search", search)
    monkeypatch.setattr(engine, "_bound", lambda *args: events.append(("bound",)))
    engine.solve(p, time_limit=120, progress=lambda t, cost, bound: events.append((t, cost)))
    # Then the same cost again with the analytic bound, then the LP bound and the search.
    assert [e if isinstance(e[0], str) else e[1] for e in events[1:]] == [
        events[0][1],
        ("bound",),
        ("search",),
    ]
    [(cand, plan)] = handed
    assert events[0][1] == price(cand, plan)["total"]
    assert not plan.unreached and len(plan.sections) > 1000
    document = engine.to_document(
        cand, plan, status="feasible", reasons={}, solver={}, lower_bound=0.0
    )
    assert check(p, document) == []
    placed = sum(part["learners"] for s in document["sections"] for part in s["cohorts"])
    assert placed > 0.99 * sum(c.size for c in p.cohorts.values())


def _no_filter(monkeypatch):
    """Masks of free starts that rule nothing out: the greedy then tests every allowed start
    with the exact tests alone, one after the other, as it did before the masks."""
    from solver import free_starts

    def everything(self, *args):
        return self.sets.everything

    for name in ("facilitator", "qualified", "room", "rooms", "learners"):
        monkeypatch.setattr(free_starts.FreeStarts, name, everything)
    monkeypatch.setattr(
        free_starts.FreeStarts,
        "facilitators",
        lambda self, options, minutes: [self.sets.everything] * len(options),
    )


def _sections(plan):
    return [(s.group, s.parts, s.sessions) for s in plan.sections]


@pytest.mark.parametrize("size,seed", [("S", 1), ("S", 3), ("M", 1)])
def test_the_masks_of_free_starts_leave_the_greedy_plan_as_the_plain_scan_makes_it(
    monkeypatch, python_greedy, size, seed
):
    cand = candidates.build(_generated(size, seed))
    fast = greedy_plan(cand)
    _no_filter(monkeypatch)
    plain = greedy_plan(candidates.build(cand.problem))
    assert len(fast.sections) > 10
    assert _sections(fast) == _sections(plain)


@pytest.mark.parametrize("size,seed", [("S", 2), ("M", 2)])
def test_the_masks_of_free_starts_leave_repacking_as_the_plain_scan_makes_it(
    monkeypatch, size, seed
):
    """Repacking places sections with the cheapest rooms first (``cheapest=True``)."""
    from solver.packing import repack

    cand = candidates.build(_generated(size, seed))
    plan = greedy_plan(cand)
    fast = [repack(cand, plan, key, seconds=0) for key in cand.groups]
    _no_filter(monkeypatch)
    plain = [repack(cand, plan, key, seconds=0) for key in cand.groups]
    assert sum(r is not None for r in fast) >= 3
    assert [r and _sections(r) for r in fast] == [r and _sections(r) for r in plain]


@pytest.mark.parametrize("previous", [False, True], ids=["fixed", "fixed-and-previous"])
def test_the_masks_of_free_starts_leave_a_replan_with_pins_as_the_plain_scan_makes_it(
    monkeypatch, previous
):
    """Fixed sessions and a previous schedule go through the pinned paths of the greedy."""
    first = engine.solve(problem(TWO_SITES), time_limit=5)
    section = first["sections"][0]
    x = section["sessions"][0]
    pin = {"section": section["id"], "cohorts": section["cohorts"], "session": 0,
           "start": x["start"], "facilitator": x["facilitator"], "room": x["room"]}  # fmt: skip
    p = problem(
        doc(**{**_fields(TWO_SITES), "fixed": [pin], "previous": first if previous else None})
    )
    fast = greedy_plan(candidates.build(p))
    _no_filter(monkeypatch)
    plain = greedy_plan(candidates.build(p))
    assert any(s.fixed_id for s in fast.sections) and len(fast.sections) >= 2
    assert _sections(fast) == _sections(plain)


def test_availability_looked_up_at_grid_starts_agrees_with_the_intervals():
    from solver.timegrid import contains

    cand = candidates.build(_generated("S", 1))
    starts = cand.grid.slot_starts[:: max(1, len(cand.grid.slot_starts) // 400)]
    checked = 0
    for f, intervals in cand.bookable.items():
        for minutes in (60, 90, 180):
            for t in starts:
                assert cand.facilitator_free(f, t, minutes) == contains(intervals, t, t + minutes)
                checked += 1
    for r, intervals in cand.room_bookable.items():
        for t in starts:
            assert cand.room_free(r, t, 120) == contains(intervals, t, t + 120)
    assert checked > 1000


def test_people_with_the_same_hours_share_masks_only_where_their_availability_is_the_same():
    from solver.timegrid import contains

    hours = {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}
    people = [
        facilitator("ana", weekly=hours),
        facilitator("bob", weekly=hours),  # ana's twin: the same masks
        facilitator("cy", weekly=hours, timezone="America/New_York"),
        facilitator("dee", weekly=hours, unavailable=[["2027-01-04T00:00", "2027-01-05T00:00"]]),
    ]
    cand = candidates.build(problem(doc(facilitators=people)))
    masks = {f: cand.facilitator_mask(f, 60) for f in ("ana", "bob", "cy", "dee")}
    assert masks["ana"] == masks["bob"]
    assert len({masks["ana"], masks["cy"], masks["dee"]}) == 3
    monday_ten = cand.grid.local_minute(datetime(2027, 1, 4, 10), "Europe/London")  # 10:00 UTC
    assert cand.facilitator_free("ana", monday_ten, 60)
    assert not cand.facilitator_free("dee", monday_ten, 60)  # her day off
    assert not cand.facilitator_free("cy", monday_ten, 60)  # 05:00 in New York
    for f, intervals in cand.bookable.items():
        for t in cand.grid.slot_starts:
            assert cand.facilitator_free(f, t, 60) == contains(intervals, t, t + 60)


@pytest.mark.parametrize("second_at,valid", [("09:00", False), ("10:00", True)])
def test_the_check_of_the_fixed_sections_reads_their_cohorts_alone_with_the_same_verdict(
    second_at, valid
):
    """The fixed sections are checked with only the cohorts they seat (``previous``'s
    ``_with_cohorts_of``): cohorts a, b and c share learner x; a and b are fixed, c is not in
    the plan checked. a and b at the same hour clash; an hour apart they do not, and c, which
    shares x with both, makes no clash without a session. The verdict is the checker's on the
    whole problem."""
    shared = {"learners": ["x"]}
    fixed = [
        {"section": "S1", "cohorts": [{"cohort": "a", "learners": 5}], "session": 0,
         "start": "2027-01-04T09:00:00+00:00", "facilitator": "ana", "room": None},
        {"section": "S2", "cohorts": [{"cohort": "b", "learners": 5}], "session": 0,
         "start": f"2027-01-04T{second_at}:00+00:00", "facilitator": "ben", "room": None},
    ]  # fmt: skip
    p = problem(doc(cohorts=[cohort(c, 5, **shared) for c in "abc"],
                    facilitators=[facilitator("ana"), facilitator("ben")], fixed=fixed))  # fmt: skip
    cand = candidates.build(p)
    plan = Plan([s for s in greedy_plan(cand).sections if s.fixed_id is not None])
    assert len(plan.sections) == 2
    whole = to_document(cand, Plan(list(plan.sections)), status="feasible", reasons={},
                        solver={}, lower_bound=0.0)  # fmt: skip
    assert any(u["cohort"] == "c" for u in whole["unscheduled"])
    assert (not check(p, whole, PLAN_RULES)) is valid
    assert keeps_every_rule(cand, plan) is valid
    assert engine._valid_start(cand, greedy_plan(cand)) is valid
    assert greedy_plan(cand).fixed_fit is valid  # the engine's own tests see the clash too


@pytest.mark.parametrize("second_at,valid", [("09:00", False), ("10:00", True)])
def test_two_fixed_sections_in_one_room_at_once_are_no_first_schedule(second_at, valid):
    """Two fixed in-person sections, each with its own facilitator, in the same room: at the
    same hour neither the engine's tests nor the checker let them pass; an hour apart both do."""
    fixed = [
        {"section": sid, "cohorts": [{"cohort": c, "learners": 5}], "session": 0,
         "start": f"2027-01-04T{at}:00+00:00", "facilitator": who, "room": "r1"}
        for sid, c, at, who in (("S1", "a", "09:00", "ana"), ("S2", "b", second_at, "ben"))
    ]  # fmt: skip
    p = problem(doc(programs=[program(mode="in_person")], rooms=[room("r1"), room("r2")],
                    cohorts=[cohort("a", 5), cohort("b", 5)],
                    facilitators=[facilitator("ana"), facilitator("ben")], fixed=fixed))  # fmt: skip
    cand = candidates.build(p)
    plan = greedy_plan(cand)
    assert plan.fixed_fit is valid
    assert engine._valid_start(cand, plan) is valid


@pytest.mark.parametrize("moved_share", [0.0, 0.3])
def test_a_plan_with_fixed_sessions_is_judged_as_the_checker_judges_the_whole_plan(moved_share):
    """The first schedule's check looks at the fixed sections alone (``solve._valid_start``):
    its verdict is the checker's on the whole plan, whether the fixed sessions are where the
    plan had them (valid) or a share of them moved a day, clashing with others or with the
    data (not valid)."""
    from bench.first_schedule import pinned
    from bench.generate import generate

    document = generate("M", 4)
    document = pinned(document, 0.15)
    rng = random.Random(11)
    for pin in document["fixed"]:
        if rng.random() < moved_share:
            pin["start"] = (datetime.fromisoformat(pin["start"]) + timedelta(days=1)).isoformat()
    p = problem(document)
    cand = candidates.build(p)
    plan = greedy_plan(cand)
    whole = to_document(cand, Plan(list(plan.sections)), status="feasible", reasons={},
                        solver={}, lower_bound=0.0)  # fmt: skip
    valid = not check(p, whole, PLAN_RULES)  # the checker on the whole plan and problem
    assert engine._valid_start(cand, plan) == valid
    assert keeps_every_rule(cand, plan) == valid
    assert valid == (moved_share == 0.0)
    assert plan.fixed_fit == valid  # where they fit, the engine's own tests said so


def test_fixed_sections_that_pass_the_engines_tests_are_not_checked_again(monkeypatch):
    """Every fixed section whole and passing the tests each placement passes: the first
    schedule is reported without asking the checker (which would agree: the test above)."""
    from bench.first_schedule import pinned
    from bench.generate import generate

    p = problem(pinned(generate("M", 4), 0.15))
    cand = candidates.build(p)
    plan = greedy_plan(cand)
    assert plan.fixed_fit
    monkeypatch.setattr(engine, "keeps_every_rule", lambda *a: pytest.fail("checker asked"))
    assert engine._valid_start(cand, plan)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])  # fmt: skip
@given(small_problems(), small_problems(), st.booleans(),
       st.lists(st.sampled_from(["fix", "fix", "swap", "partial", "free"]), min_size=6,
                max_size=6),
       st.lists(st.sampled_from([-1, 0, 0, 1]), min_size=8, max_size=8))  # fmt: skip
def test_fixed_sections_the_engine_passes_keep_every_rule(before, after, same, how, shifts):
    """The sections of one small problem's schedule fixed in another (its cohorts, people and
    rooms changed every way, its program may ask for one facilitator throughout), each session
    moved by up to an hour, some given to the other facilitator, fixed in part or left to be
    placed: where the engine's own tests pass every fixed section (``Plan.fixed_fit``) the
    checker finds the whole plan keeps every rule, and the first schedule's verdict is always
    the checker's."""
    fixed = []
    sections = greedy(problem(before))["sections"]
    for section, what in zip(sections, how, strict=False):
        for x in section["sessions"]:
            if what == "free" or (what == "partial" and x["index"] > 0):
                continue
            hours = shifts[len(fixed) % len(shifts)]
            start = datetime.fromisoformat(x["start"]) + timedelta(hours=hours)
            who = x["facilitator"]
            if what == "swap" and x["index"] == len(section["sessions"]) - 1:
                who = {"f0": "f1", "f1": "f0"}[who]
            fixed.append({"section": section["id"], "cohorts": section["cohorts"],
                          "session": x["index"], "start": start.isoformat(),
                          "facilitator": who, "room": x["room"]})  # fmt: skip
    after = {**after, "programs": [{**after["programs"][0], "same_facilitator": same}]}
    # entries naming what ``after`` lacks (a cohort, a room, more learners) are left out
    errors = parse_problem({**after, "fixed": fixed})[1]
    fixed = [x for k, x in enumerate(fixed) if not any(
        e["path"].startswith(f"fixed[{k}]") for e in errors)]  # fmt: skip
    p, errors = parse_problem({**after, "fixed": fixed})
    assume(fixed and p is not None and not errors)
    cand = candidates.build(p)
    plan = greedy_plan(cand)
    whole = to_document(cand, Plan(list(plan.sections)), status="feasible", reasons={},
                        solver={}, lower_bound=0.0)  # fmt: skip
    valid = not check(p, whole, PLAN_RULES)
    assert valid or not plan.fixed_fit
    assert engine._valid_start(cand, plan) == valid
