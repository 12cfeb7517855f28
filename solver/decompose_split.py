"""Split one coupled component that is too large into sub-parts with their own resources.

Used by :func:`solver.decompose.parts`; its docstring says why the merged schedule stays valid.
Here: which cohorts go together (by site, then program, never splitting cohorts coupled through
time, nor a guide's section), and the pass over the demand that gives every facilitator and room,
whole, to one sub-part; with a guide (``solver.decompose_guide``) resources it uses in several
sub-parts are then shared by day.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from solver.decompose_guide import day_use, joined_sections, share_by_day
from solver.localtime import bookable_windows, minutes, zone
from solver.problem import Availability, Problem

# A facilitator available all the time still teaches about a working day's worth.
WORKDAY_MINUTES = 8 * 60
# A facilitator at home costs no travel: a sub-part at their site is preferred unless the others
# are this much worse covered.
HOME_SITE_PREFERENCE = 0.75

# cohorts, facilitators, rooms, and per shared resource the local periods left to other parts
SubPart = tuple[list[str], set[str], set[str], dict[str, list[list[str]]]]


def split_component(
    problem: Problem,
    comp: list[str],
    max_cohorts: int,
    time_coupled: Callable[[Problem], Any],
    guide: list[dict[str, Any]] | None = None,
) -> tuple[list[SubPart], int]:
    """``comp`` (cohort ids) as sub-parts of about ``max_cohorts`` cohorts each, grouped by site
    then program (so that cohorts that could share a section mostly stay together), with each
    time-coupled group of cohorts whole, and the facilitators and rooms each one may use. With a
    ``guide`` plan (``solver.decompose_guide``) its sections stay whole and resources it uses in
    several sub-parts are shared by day. Also returns the number of contested days."""
    sets = time_coupled(problem)
    for cohorts in joined_sections(guide or []):
        for c in cohorts[1:]:
            sets.join(("cohort", cohorts[0]), ("cohort", c))
    groups = _sub_groups(problem, comp, max_cohorts, sets)
    facilitators, rooms = allot(problem, groups)
    blocked: list[dict[str, list[list[str]]]] = [{} for _ in groups]
    contested = 0
    if guide:
        where = {c: k for k, g in enumerate(groups) for c in g}
        use = day_use(problem, guide, where)
        blocked, contested = share_by_day(problem, facilitators, rooms, use)
    subs = [(g, facilitators[k], rooms[k], blocked[k]) for k, g in enumerate(groups)]
    return subs, contested


def _place_key(problem: Problem, cohort_id: str) -> tuple[str, str]:
    """Where a cohort is taught: its site (virtual programs: nowhere in particular), program."""
    c = problem.cohorts[cohort_id]
    in_person = problem.programs[c.program].in_person
    return ("0" + (c.site or "") if in_person else "1virtual", c.program)


def _sub_groups(problem: Problem, comp: list[str], max_cohorts: int, sets) -> list[list[str]]:
    """Cohorts in site/program order cut into ``ceil(n / max_cohorts)`` runs; then each
    time-coupled group moves, whole, to the run most of its cohorts are in."""
    order = sorted(comp, key=lambda c: (*_place_key(problem, c), c))
    k = max(1, math.ceil(len(order) / max_cohorts))
    size = len(order) / k
    run = {c: min(int(i / size), k - 1) for i, c in enumerate(order)}
    units: dict[Any, list[str]] = defaultdict(list)
    for c in order:
        units[sets.find(("cohort", c))].append(c)
    groups: list[list[str]] = [[] for _ in range(k)]
    for members in units.values():
        target = Counter(run[c] for c in members).most_common(1)[0][0]
        groups[target].extend(members)
    return [sorted(g) for g in groups if g]


def available_minutes(problem: Problem, availability: Availability, per_day: int | None) -> int:
    """Roughly how many minutes a resource can work over the horizon (a weight, not a rule)."""
    days = (problem.horizon_end - problem.horizon_start).days + 1
    cap = days * min(per_day or WORKDAY_MINUTES, WORKDAY_MINUTES)
    if availability.always:
        return cap
    windows = bookable_windows(availability, problem.horizon_start, problem.horizon_end)
    return min(cap, sum(minutes(w) for w in windows))


def _demand(problem: Problem, groups: list[list[str]]):
    """Teaching minutes each sub-part needs, per (program, the cohort's time zone) and per
    in-person site: each cohort's share of the sections its learners fill, times the program's
    session minutes."""
    programs: list[dict[str, float]] = [defaultdict(float) for _ in groups]
    sites: list[dict[str, float]] = [defaultdict(float) for _ in groups]
    for k, g in enumerate(groups):
        for c_id in g:
            c = problem.cohorts[c_id]
            p = problem.programs[c.program]
            need = c.size / p.seats[1] * sum(p.sessions)
            programs[k][(p.id, c.timezone)] += need
            if p.in_person:
                sites[k][c.site] += need
    return programs, sites


def _pinned(problem: Problem, groups: list[list[str]]) -> tuple[dict[str, int], dict[str, int]]:
    """Facilitators and rooms a fixed session pins, with the sub-part of its cohorts (one only:
    pinned sessions of one resource are time-coupled, so their cohorts are in one sub-part)."""
    where = {c: k for k, g in enumerate(groups) for c in g}
    facs, rooms = {}, {}
    for fx in problem.fixed:
        k = next((where[p.cohort] for p in fx.cohorts if p.cohort in where), None)
        if k is None:
            continue
        if fx.facilitator:
            facs[fx.facilitator] = k
        if fx.room:
            rooms[fx.room] = k
    return facs, rooms


def _previously_used(problem: Problem, groups: list[list[str]]):
    """Per facilitator and room, how many sessions ``previous`` gave them in each sub-part: a
    re-plan keeps them where they taught, so that kept sessions stay possible."""
    where = {c: k for k, g in enumerate(groups) for c in g}
    used: dict[str, Counter] = defaultdict(Counter)
    for sec in (problem.previous or {}).get("sections") or []:
        ks = {where[p.get("cohort")] for p in sec.get("cohorts") or [] if p.get("cohort") in where}
        for k in ks:
            for x in sec.get("sessions") or []:
                for key in (x.get("facilitator"), x.get("room")):
                    if key:
                        used[key][k] += 1
    return used


def allot(problem: Problem, groups: list[list[str]]) -> tuple[list[set[str]], list[set[str]]]:
    """The first pass: every facilitator and room qualified for the component goes, whole, to
    one sub-part — where a fixed session pins it, else where ``previous`` used it most, else to
    the sub-part whose demand for what it can do is least covered so far (specialists first, so
    that rare skills are spread before the generalists fill the gaps; a facilitator's home site
    preferred, which saves travel). Returns the facilitator ids and room ids per sub-part."""
    programs, sites = _demand(problem, groups)
    pinned_f, pinned_r = _pinned(problem, groups)
    used = _previously_used(problem, groups)
    main_site = [_main_site(problem, g) for g in groups]
    wanted = {p for d in programs for p in d}
    facs: list[set[str]] = [set() for _ in groups]
    supplied: list[dict[str, float]] = [defaultdict(float) for _ in groups]
    teachers = []
    for f in problem.facilitators.values():
        skilled = [key for key in wanted if problem.programs[key[0]].skill in (None, *f.skills)]
        # A facilitator's weekly hours are in their own zone: they serve cohorts whose working
        # day overlaps theirs (measured: without this, a London-heavy sub-part's Singapore
        # cohorts got no facilitator awake in their hours and 209 learners of 2,000 cohorts were
        # left out).
        teach = sorted(key for key in skilled if _same_day(problem, f.timezone, key[1])) or sorted(
            skilled
        )
        if teach:
            teachers.append((len(teach), f.id, f, teach))
    for _, _, f, teach in sorted(teachers, key=lambda t: t[:2]):
        k = pinned_f.get(f.id)
        if k is None and used.get(f.id):
            k = used[f.id].most_common(1)[0][0]
        if k is None:
            k = _least_covered(
                [sum(programs[j].get(p, 0.0) for p in teach) for j in range(len(groups))],
                [sum(supplied[j][p] for p in teach) for j in range(len(groups))],
                [
                    HOME_SITE_PREFERENCE if main_site[j] == f.site else 1.0
                    for j in range(len(groups))
                ],
            )
        facs[k].add(f.id)
        _spread(supplied[k], programs[k], teach,
                available_minutes(problem, f.availability, f.max_minutes_per_day))  # fmt: skip
    rooms: list[set[str]] = [set() for _ in groups]
    room_supply: list[dict[str, float]] = [defaultdict(float) for _ in groups]
    for r in sorted(problem.rooms.values(), key=lambda r: r.id):
        if not any(r.site in s for s in sites):
            continue
        k = pinned_r.get(r.id)
        if k is None and used.get(r.id):
            k = used[r.id].most_common(1)[0][0]
        if k is None:
            k = _least_covered(
                [s.get(r.site, 0.0) for s in sites],
                [s[r.site] for s in room_supply],
                [1.0] * len(groups),
            )
        rooms[k].add(r.id)
        room_supply[k][r.site] += available_minutes(problem, r.availability, None)
    return facs, rooms


# Time zones at most this many hours apart share enough of a working day to teach each other's
# cohorts (London–New York: 5).
SAME_DAY_HOURS = 6


def _same_day(problem: Problem, a: str, b: str) -> bool:
    """Whether zones ``a`` and ``b`` are at most ``SAME_DAY_HOURS`` apart (at the horizon's start)."""
    noon = datetime.combine(problem.horizon_start, time(12))
    gap = zone(a).utcoffset(noon) - zone(b).utcoffset(noon)
    return abs(gap.total_seconds()) <= SAME_DAY_HOURS * 3600


def _main_site(problem: Problem, group: list[str]) -> str | None:
    sites = Counter(problem.cohorts[c].site for c in group if _place_key(problem, c)[0][0] == "0")
    return sites.most_common(1)[0][0] if sites else None


def _least_covered(demand: list[float], supply: list[float], weight: list[float]) -> int:
    """The sub-part with demand whose supply covers the smallest share of it (weighted)."""
    best, best_score = 0, math.inf
    for k, d in enumerate(demand):
        if d <= 0:
            continue
        score = supply[k] / d * weight[k]
        if score < best_score:
            best, best_score = k, score
    return best


def _spread(supplied: dict, demand: dict, teach: list, amount: float) -> None:
    """Count ``amount`` minutes against the programs it can serve, in proportion to what each
    still lacks (to its demand when none lacks anything)."""
    lack = {p: max(demand.get(p, 0.0) - supplied[p], 0.0) for p in teach}
    total = sum(lack.values())
    if total <= 0:
        lack = {p: demand.get(p, 0.0) for p in teach}
        total = sum(lack.values()) or 1.0
    for p in teach:
        supplied[p] += amount * lack[p] / total
