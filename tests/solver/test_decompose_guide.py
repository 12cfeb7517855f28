"""The first pass of a split (``solver.decompose_guide``): the whole problem's greedy plan starts
every part, and resources it uses in several parts are shared by day without double booking."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate
from solver import candidates
from solver.check import check
from solver.deadline import Deadline
from solver.decompose import PART_KEY, merge, parts
from solver.decompose_guide import GUIDE_KEY, first_pass, share_by_day
from solver.greedy import greedy, greedy_plan
from solver.plan import price, to_document
from tests.solver.test_decompose import random_document
from tests.solver.tiny import doc, facilitator, problem, room, solved


def _guided_parts(document: dict, limit: int):
    p = problem(document)
    guide = first_pass(p, Deadline.after(60))
    assert guide is not None
    return p, guide, parts(document, p, max_cohorts=limit, guide=guide["sections"])


def _part_greedy(part: dict) -> dict:
    """A part's greedy plan, guided, as a schedule document."""
    cand = candidates.build(problem(part))
    plan = greedy_plan(cand, guide=part.get(GUIDE_KEY))
    return to_document(cand, plan, status="feasible", reasons={}, solver={}, lower_bound=0.0)


def test_the_first_pass_is_the_greedy_plan_of_the_whole():
    document = generate("S", 2)
    guide = first_pass(problem(document), Deadline.after(60))
    assert guide is not None
    assert guide["cost"] == greedy(problem(document))["cost"]
    assert check(problem(document), guide) == []


def test_the_greedy_plan_keeps_a_guide_that_still_fits():
    """Given another valid plan (a solved one, cheaper than its own), the greedy keeps it."""
    document = generate("S", 2)
    p = problem(document)
    better = solved(document, time_limit=3.0)
    cand = candidates.build(p)
    assert price(cand, greedy_plan(cand))["total"] > better["cost"]["total"]
    assert price(cand, greedy_plan(cand, guide=better["sections"]))["total"] == pytest.approx(
        better["cost"]["total"]
    )


def test_every_guided_part_starts_at_its_share_of_the_whole_greedy_plan():
    """Split three ways, the parts' first plans add up to the whole greedy plan exactly, the
    merge of them passes the checker, and the parts share resources by day."""
    document = generate("M", 1)
    p, guide, found = _guided_parts(document, limit=80)
    assert len(found) >= 3 and all(part[PART_KEY]["split"] for part in found)
    firsts = [_part_greedy(part) for part in found]
    assert sum(s["cost"]["total"] for s in firsts) == pytest.approx(guide["cost"]["total"])
    merged = merge(p, firsts, found)
    assert check(p, merged) == []
    assert merged["cost"]["total"] == pytest.approx(guide["cost"]["total"])
    assert sum(part[PART_KEY]["shared"] for part in found) > 0


def test_guided_parts_solved_merge_below_the_whole_greedy_plan_and_pass_the_checker():
    from solver.solve import solve

    document = generate("M", 2)
    p, guide, found = _guided_parts(document, limit=80)
    schedules = [
        solve(problem(part), time_limit=2.0, workers=1, guide=part[GUIDE_KEY]) for part in found
    ]
    merged = merge(p, schedules, found)
    assert check(p, merged) == []
    assert merged["cost"]["total"] < guide["cost"]["total"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), limit=st.integers(1, 8))
def test_the_merge_of_guided_parts_first_plans_never_double_books(seed, limit):
    """On random small problems (shared learners, conflict groups, rooms, several sites) the
    parts' guided greedy plans merge into a plan that keeps every rule, at the whole greedy's
    cost or below."""
    document = random_document(seed)
    p, guide, found = _guided_parts(document, limit)
    firsts = [_part_greedy(part) for part in found]
    merged = merge(p, firsts, found)
    assert check(p, merged) == []
    assert merged["cost"]["total"] <= guide["cost"]["total"] + 0.01


# --- sharing one resource by day -----------------------------------------------------------------


def _use(*bookings: tuple[int, str, str]):
    """Day use of facilitator f1 from (part, local start, local end) on 5 Jan 2027."""
    use: dict = {}
    for k, a, b in bookings:
        times = (
            datetime.fromisoformat(f"2027-01-05T{a}"),
            datetime.fromisoformat(f"2027-01-05T{b}"),
        )
        use.setdefault(("f1", date(2027, 1, 5)), {}).setdefault(k, []).append(times)
    return use


def _shared(fac: dict, use) -> tuple[list[set[str]], list[dict], int]:
    p = problem(doc(facilitators=[fac], rooms=[room("r1")]))
    facs = [{"f1"}, set()]  # part 0 is the facilitator's home
    blocked, contested = share_by_day(p, facs, [set(), set()], use)
    return facs, blocked, contested


def test_a_contested_day_gives_each_part_its_times_and_the_rest_to_the_one_that_booked_most():
    fac = facilitator("f1", buffer_minutes=15)
    facs, blocked, contested = _shared(fac, _use((0, "09:00", "12:00"), (1, "13:00", "14:00")))
    assert facs == [{"f1"}, {"f1"}] and contested == 1
    # The owner (part 0, three hours) may book the whole day but part 1's hour and its buffer.
    assert ["2027-01-05T12:45", "2027-01-05T14:15"] in blocked[0]["f1"]
    assert not any(a.startswith("2027-01-05T00") for a, _ in blocked[0]["f1"])
    # Part 1, a guest, has its own hour only: the rest of that day and every other day are not its.
    assert any(a <= "2027-01-05T13:00" and b == "2027-01-05T13:00" for a, b in blocked[1]["f1"])
    assert any(a == "2027-01-05T14:00" for a, _ in blocked[1]["f1"])


def test_with_a_daily_maximum_nobody_gets_the_rest_of_a_contested_day():
    fac = facilitator("f1", max_minutes_per_day=360)
    _, blocked, _ = _shared(fac, _use((0, "09:00", "12:00"), (1, "13:00", "14:00")))
    # The owner keeps its three hours only: more would count against a maximum part 1 also uses.
    assert any(b == "2027-01-05T09:00" for _, b in blocked[0]["f1"])
    assert any(a == "2027-01-05T12:00" for a, _ in blocked[0]["f1"])


def test_a_day_only_a_guest_used_is_the_guests_and_the_home_keeps_every_other_day():
    fac = facilitator("f1", buffer_minutes=30)
    facs, blocked, contested = _shared(fac, _use((1, "09:00", "12:00")))
    assert facs == [{"f1"}, {"f1"}] and contested == 0
    assert blocked[0]["f1"] == [["2027-01-04T23:30", "2027-01-06T00:30"]]
    # The guest: every day of the horizon (a day either side) but the 5th, widened by the buffer.
    assert blocked[1]["f1"] == [
        ["2027-01-02T23:30", "2027-01-05T00:30"],
        ["2027-01-05T23:30", "2027-01-10T00:30"],
    ]


def test_a_resource_only_its_home_part_used_is_not_shared():
    facs, blocked, _ = _shared(facilitator("f1"), _use((0, "09:00", "12:00")))
    assert facs == [{"f1"}, set()] and blocked == [{}, {}]


def test_the_first_pass_tells_its_cost_before_writing_its_document(monkeypatch):
    """The split's first schedule is shown as soon as the greedy plan is priced: writing it as a
    schedule document (the guide) comes after."""
    import solver.plan

    events, write = [], solver.plan.to_document

    def written(*args, **kwargs):
        events.append(("document",))
        return write(*args, **kwargs)

    monkeypatch.setattr(solver.plan, "to_document", written)
    document = generate("S", 2)
    guide = first_pass(problem(document), Deadline.after(60), priced=lambda c: events.append(c))
    assert guide is not None
    assert events == [guide["cost"]["total"], ("document",)]
