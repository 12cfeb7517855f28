"""The first pass of a split: the whole problem's greedy plan guides the parts.

Splitting one coupled component by site and program gives each sub-part its own facilitators
and rooms. Given whole, each resource to one sub-part, the parts' own greedy plans cost more
than the greedy plan of the whole (measured on 10,000 cohorts: 5.4 % more, bench/results/log.md,
3 Dec), and their first complete schedule comes only when the last part has its plan. So before
splitting, the greedy plan of the whole is built once (``first_pass``): it is the split solve's
first complete schedule, and it guides the split:

- cohorts that share one of its sections go to one sub-part (``solver.decompose_split``);
- a facilitator or room it uses in several sub-parts is **shared by local day**: each day it
  taught goes to the sub-part that used it most that day, the days it did not teach stay with
  the sub-part the demand gave it to (``decompose_split.allot``); in each sub-part the days of
  the others are unavailable, widened by its buffer, so that no two parts can book it on one day
  (its daily maximum and buffers stay the rules of one solve);
- each part's greedy plan keeps the first pass's sections of its cohorts first, where they still
  fit (``x-guide`` in the part document, ``greedy_plan(guide=...)``), so each part starts at its
  share of the whole greedy plan and search only improves on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from solver.deadline import Deadline
from solver.gcpause import paused
from solver.localtime import Window, days_between, merge, minutes, subtract, to_local
from solver.problem import Problem

if TYPE_CHECKING:
    from solver.greedy import Building

GUIDE_KEY = "x-guide"
# The first pass may take at most this share of the time left: on 10,000 cohorts it is the
# first complete schedule; when it cannot finish the split goes on unguided.
FIRST_PASS_SHARE = 0.5

# (resource id, its local date) -> per sub-part, the local (start, end) of what it booked that day
DayUse = dict[tuple[str, date], dict[int, list[Window]]]


def first_pass(
    problem: Problem,
    deadline: Deadline,
    building: Building | None = None,
    priced: Callable[[float], None] | None = None,
) -> dict[str, Any] | None:
    """The greedy plan of the whole problem as a schedule document, or None when it was not
    complete within its share of ``deadline``; ``building`` is told how far it is
    (``greedy.Building``), and ``priced`` its cost as soon as it is complete, before its
    document is written (0.28 s of the 1.2 s of the first pass on 10,000 cohorts).

    Its unscheduled learners carry no reasons: only its sections and cost are used (each part
    explains its own). Explaining them was most of the time to the split's first schedule on the
    demo scaled to 2,040 cohorts (2.1 s of 3.9 s, bench/results/log.md, "First cost in the
    job's row")."""
    from solver import candidates
    from solver.greedy import greedy_plan
    from solver.plan import price, to_document

    share = deadline.sooner(deadline.left() * FIRST_PASS_SHARE)
    with paused():  # allocations of a first schedule (solver.gcpause)
        cand = candidates.build(problem, deadline=share)
        plan = greedy_plan(cand, share, building=building)
        if cand.unexamined or plan.unreached:
            return None
        if priced is not None:
            priced(price(cand, plan)["total"])
        return to_document(cand, plan, status="feasible", reasons={},
                           solver={"wall_seconds": round(deadline.elapsed(), 3)}, lower_bound=0.0)  # fmt: skip


def joined_sections(guide: list[dict[str, Any]]) -> list[list[str]]:
    """The cohort ids of each section of the guide: a sub-part takes them together."""
    return [[p["cohort"] for p in sec["cohorts"]] for sec in guide]


def day_use(problem: Problem, guide: list[dict[str, Any]], where: dict[str, int]) -> DayUse:
    """When each facilitator and room works on each of its local days, per sub-part (``where``
    maps a cohort id to its sub-part), in the resource's own local time."""
    use: DayUse = defaultdict(lambda: defaultdict(list))
    for sec in guide:
        k = next((where[p["cohort"]] for p in sec["cohorts"] if p["cohort"] in where), None)
        if k is None:
            continue
        for x in sec["sessions"]:
            start, end = datetime.fromisoformat(x["start"]), datetime.fromisoformat(x["end"])
            for res in (problem.facilitators.get(x.get("facilitator")),
                        problem.rooms.get(x.get("room") or "")):  # fmt: skip
                if res is not None:
                    local = (to_local(start, res.timezone), to_local(end, res.timezone))
                    use[(res.id, local[0].date())][k].append(local)
    return use


def share_by_day(
    problem: Problem, facs: list[set[str]], rooms: list[set[str]], use: DayUse
) -> tuple[list[dict[str, list[list[str]]]], int]:
    """Add each resource to every sub-part that uses it in the guide, and say which local
    periods each sub-part must leave to the others. ``facs``/``rooms`` (one set per sub-part, the
    demand's allotment: a resource's *home*) are extended in place.

    A day only one sub-part used is that sub-part's; a day nobody used is the home's. A day two
    sub-parts or more used (*contested*) gives each exactly the times it booked, and the rest of
    the day to the one that booked most, unless a daily maximum would then count minutes two
    solves add (a facilitator with ``max_minutes_per_day``): then nobody gets the rest. Others'
    times are widened by the resource's buffer. Returns per sub-part ``{resource id: unavailable
    intervals}`` and the number of contested days."""
    by_res: dict[str, dict[date, dict[int, list]]] = defaultdict(dict)
    for (res, day), per_part in use.items():
        by_res[res][day] = per_part
    contested = sum(len(per_part) > 1 for per_part in use.values())
    blocked: list[dict[str, list[list[str]]]] = [{} for _ in facs]
    for res, days in by_res.items():
        sets = facs if res in problem.facilitators else rooms
        home = next((k for k, s in enumerate(sets) if res in s), None)
        users = {k for per_part in days.values() for k in per_part}
        if users <= {home}:
            continue
        for k in users | ({home} - {None}):
            sets[k].add(res)
            periods = _left_to_others(problem, res, days, k, home)
            blocked[k][res] = [[a.isoformat(timespec="minutes"), b.isoformat(timespec="minutes")]
                               for a, b in periods]  # fmt: skip
    return blocked, contested


def _left_to_others(problem: Problem, res: str, days: dict, k: int, home: int | None):
    """The local periods sub-part ``k`` may not book resource ``res`` in (see ``share_by_day``)."""
    f = problem.facilitators.get(res)
    pad = timedelta(minutes=f.buffer_minutes if f is not None else 0)
    rest_to_owner = f is None or f.max_minutes_per_day is None
    out: list[Window] = []
    for day in _horizon_days(problem):
        start = datetime.combine(day, datetime.min.time())
        end = start + timedelta(days=1)
        per_part = days.get(day) or {}
        if k not in per_part:
            if per_part or k != home:  # another part's day, or not a guest's
                out.append((start - pad, end + pad))
            continue
        if len(per_part) == 1:
            continue
        owner = max(sorted(per_part), key=lambda j: sum(minutes(w) for w in per_part[j]))
        if k == owner and rest_to_owner:
            out += [(a - pad, b + pad) for j, times in per_part.items() if j != k
                    for a, b in times]  # fmt: skip
            continue
        out += subtract([(start, end)], merge(per_part[k]))
    return merge(out)


def _horizon_days(problem: Problem) -> list[date]:
    """Every local date a session can fall on, in any time zone (a day either side)."""
    one = timedelta(days=1)
    return days_between(problem.horizon_start - one, problem.horizon_end + one)
