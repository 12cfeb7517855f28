"""Split a problem too large for one solve into parts that can be solved apart, and merge them.

Two cohorts are **coupled** when a schedule for one can break a rule for the other:

- *through time* (they must never be in session together): they share a learner id or a
  conflict group, they sit in one fixed section or one section of ``previous``, or a fixed
  session pins them to the same facilitator or room;
- *through a resource*: a facilitator is qualified for both programs (a facilitator may teach at
  any site, paying travel), or both are in person at one site (its rooms);
- *through a section*: same program and site (virtual: same program) may share a section.

The connected components of this graph are **independent**: no rule and no cost item involves
cohorts of two components (every cost item belongs to one session, section or cohort), so the
union of a valid schedule per component is a valid schedule of the whole and its cost is the sum
of theirs. Small components are packed together up to ``max_cohorts`` per part.

A component still larger than ``max_cohorts`` is split further (:mod:`solver.decompose_split`):
its cohorts are grouped by site, then program, keeping every time-coupled group whole, and each
facilitator and room is given, whole, to one sub-part by a pass over the demand (see
``decompose_split.allot``). With the whole problem's greedy plan as a guide
(:mod:`solver.decompose_guide`), the cohorts of each of its sections stay together and a resource
it uses in several sub-parts is shared by day. The merged schedule is still valid because every
rule of the checker is about one cohort or section (dates, hours, seats, merging, splitting), one
resource (double booking, buffers, daily maximum, availability — a resource is in one sub-part,
or shared so that no two sub-parts may book it in one period or one capped day), or two
time-coupled cohorts (learners, conflict groups, fixed sections — always in one sub-part). What is
lost is optimality: a facilitator's day belongs to one sub-part, so the merged plan may cost
more than the best whole plan, and the sub-parts' bounds are not a bound of the whole: the
component's bound is computed on it unsplit (:mod:`solver.decompose_bound`).

Parts are problem **documents** (they travel to workers as JSON); each carries ``x-part``:
``{"index", "of", "cohorts", "split"}`` and, on a sub-part, ``"component"`` (the number of the
split component it belongs to); guided, also ``x-guide`` (the guide's sections of its cohorts);
``x-`` properties are ignored by the engine.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from solver.decompose_guide import GUIDE_KEY
from solver.decompose_split import split_component
from solver.problem import SCHEDULE_FORMAT, Problem
from solver.schedule import COST_COMPONENTS, TRAINING_COMPONENTS, empty_cost

# A part of at most this many cohorts is solved whole. The greedy plan grows faster than its
# size: measured on parts of the 2,000-cohort bench instance at load 11-14
# (bench/results/log.md, "Decomposition", 3 Dec), 336 cohorts took 31 s (pre-filtering and
# greedy), 562 took 42 s and 1,044 took 132 s; 500 gives the most cohorts per second.
MAX_PART_COHORTS = 500
PART_KEY = "x-part"
# Kept back from a split solve's time limit for the merge and the independent checker on the
# whole (measured: bench/results/log.md, "Decomposition", 3 Dec: the checker took 2-10 s on
# 2,000 cohorts and 6-9 s on 10,000 at load 8-15 on 2 cores; 1.8 s on 10,000 when quiet).
MERGE_SECONDS, MERGE_SECONDS_PER_COHORT = 1.0, 4e-3


def merge_seconds(cohorts: int) -> float:
    """Seconds a split solve of ``cohorts`` cohorts keeps back for its merge and check."""
    return MERGE_SECONDS + MERGE_SECONDS_PER_COHORT * cohorts


class _Sets:
    """Union-find over hashable keys (cohort ids and the tokens that couple them)."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, key: Any) -> Any:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def join(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb

    def groups(self, members: Iterable[str]) -> list[list[str]]:
        """The members grouped by set, in first-seen order."""
        out: dict[Any, list[str]] = {}
        for m in members:
            out.setdefault(self.find(m), []).append(m)
        return list(out.values())


def qualified(problem: Problem, program_id: str) -> list[str]:
    """Facilitators who list the program's skill (everyone when it has none)."""
    skill = problem.programs[program_id].skill
    return [f.id for f in problem.facilitators.values() if skill is None or skill in f.skills]


def time_coupled(problem: Problem) -> _Sets:
    """Cohorts that must never be in session together, or whose sessions are pinned together:
    shared learners and conflict groups, fixed sections and their pinned resources, and the
    sections of ``previous`` (kept whole so that a kept section is one part's)."""
    sets = _Sets()
    for c in problem.cohorts.values():
        sets.find(("cohort", c.id))
        for learner in c.learners:
            sets.join(("cohort", c.id), ("learner", learner))
        for group in c.conflict_groups:
            sets.join(("cohort", c.id), ("conflict", group))
    for fx in problem.fixed:
        for part in fx.cohorts:
            sets.join(("cohort", part.cohort), ("fixed", fx.section))
            if fx.facilitator:
                sets.join(("cohort", part.cohort), ("facilitator", fx.facilitator))
            if fx.room:
                sets.join(("cohort", part.cohort), ("room", fx.room))
    for sec in (problem.previous or {}).get("sections") or []:
        for part in sec.get("cohorts") or []:
            if part.get("cohort") in problem.cohorts:
                sets.join(("cohort", part["cohort"]), ("previous", str(sec.get("id"))))
    return sets


def components(problem: Problem) -> list[list[str]]:
    """Independent groups of cohort ids: the connected components of every coupling (see the
    module docstring), largest first."""
    sets = time_coupled(problem)
    # Every cohort of a program shares that program's teachers: join them once per program, not
    # once per cohort (10,000 cohorts times hundreds of teachers took a minute).
    taught = set()
    for p in problem.programs:
        teachers = qualified(problem, p)
        if teachers:
            taught.add(p)
        for f in teachers:
            sets.join(("teachers", p), ("facilitator", f))
    for c in problem.cohorts.values():
        me = ("cohort", c.id)
        program = problem.programs[c.program]
        sets.join(me, ("group", c.program, c.site if program.in_person else None))
        if c.program in taught:
            sets.join(me, ("teachers", c.program))
        if program.in_person:
            sets.join(me, ("site", c.site))
    found = sets.groups(("cohort", c) for c in problem.cohorts)
    return sorted(([key[1] for key in g] for g in found), key=len, reverse=True)


def parts(
    document: dict[str, Any],
    problem: Problem,
    max_cohorts: int = MAX_PART_COHORTS,
    guide: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The problem (``document``, already parsed into ``problem``) as part documents, each of at
    most ``max_cohorts`` cohorts unless one time-coupled group is larger; a problem that fits
    is one part, the document itself (plus ``x-part``). ``guide``, the sections of the whole
    problem's greedy plan (``solver.decompose_guide``), guides the split of a large component
    and goes with each part (``x-guide``: the sections of its cohorts)."""
    if len(problem.cohorts) <= max_cohorts:
        return [_tagged(copy.copy(document), 0, 1, list(problem.cohorts))]
    # (cohorts, facilitators, rooms, periods left to other parts, the split component's number
    # or None for a whole one)
    groups: list[tuple[list[str], set[str] | None, set[str] | None, dict, int | None]] = []
    found = components(problem)
    large = [comp for comp in found if len(comp) > max_cohorts]
    contested = 0
    for number, comp in enumerate(large):
        subs, n = split_component(problem, comp, max_cohorts, time_coupled, guide)
        contested += n
        for cohorts, facs, rooms, blocked in subs:
            groups.append((cohorts, facs, rooms, blocked, number))
    small = [comp for comp in found if len(comp) <= max_cohorts]
    for packed in _pack(small, max_cohorts):
        groups.append((packed, None, None, {}, None))
    out = []
    for k, (cohorts, facs, rooms, blocked, component) in enumerate(groups):
        doc = part_document(document, problem, cohorts, facs, rooms, blocked)
        if guide is not None:
            mine = set(cohorts)
            doc[GUIDE_KEY] = [sec for sec in guide if _cohorts_of(sec) <= mine]
        out.append(_tagged(doc, k, len(groups), cohorts, component=component))
        if guide is not None:
            out[-1][PART_KEY].update(shared=len(blocked), contested_days=contested)
    return out


def _pack(comps: list[list[str]], limit: int) -> list[list[str]]:
    """Independent components packed first-fit, largest first, into bins of ``limit`` cohorts."""
    bins: list[list[str]] = []
    for comp in sorted(comps, key=len, reverse=True):
        for b in bins:
            if len(b) + len(comp) <= limit:
                b.extend(comp)
                break
        else:
            bins.append(list(comp))
    return bins


def _tagged(
    doc: dict, index: int, of: int, cohorts: list[str], *, component: int | None = None
) -> dict:
    """``doc`` with its ``x-part`` tag; a sub-part of a split component names the component (its
    number among the split ones), which the merged bound needs (``solver.decompose_bound``)."""
    doc[PART_KEY] = {
        "index": index,
        "of": of,
        "cohorts": len(cohorts),
        "split": component is not None,
    }
    if component is not None:
        doc[PART_KEY]["component"] = component
    return doc


def part_document(
    document: dict[str, Any],
    problem: Problem,
    cohorts: Iterable[str],
    facilitators: set[str] | None = None,
    rooms: set[str] | None = None,
    blocked: dict[str, list[list[str]]] | None = None,
) -> dict[str, Any]:
    """The problem restricted to ``cohorts``: their programs, the facilitators and rooms they
    could use (or exactly ``facilitators``/``rooms`` when given; ``blocked`` adds local periods
    a shared one is unavailable in this part), their fixed sessions and the sections of
    ``previous`` they sit in. Lists keep the document's order."""
    mine = set(cohorts)
    programs = {problem.cohorts[c].program for c in mine}
    if facilitators is None:
        facilitators = {f for p in programs for f in qualified(problem, p)}
    if rooms is None:
        sites = {
            problem.cohorts[c].site
            for c in mine
            if problem.programs[problem.cohorts[c].program].in_person
        }
        rooms = {r.id for r in problem.rooms.values() if r.site in sites}
    fixed = [fx for fx in document.get("fixed") or [] if _cohorts_of(fx) & mine]
    facilitators = set(facilitators) | {fx["facilitator"] for fx in fixed if fx.get("facilitator")}
    rooms = set(rooms) | {fx["room"] for fx in fixed if fx.get("room")}
    out = dict(document)
    out["programs"] = [p for p in document["programs"] if p["id"] in programs]
    out["cohorts"] = [c for c in document["cohorts"] if c["id"] in mine]
    blocked = blocked or {}
    out["facilitators"] = [
        _blocked(f, blocked) for f in document["facilitators"] if f["id"] in facilitators
    ]
    out["rooms"] = [_blocked(r, blocked) for r in document.get("rooms") or [] if r["id"] in rooms]
    out["fixed"] = fixed
    previous = document.get("previous")
    if previous:
        out["previous"] = {
            **previous,
            "sections": [s for s in previous.get("sections") or [] if _cohorts_of(s) & mine],
            "unscheduled": [
                u for u in previous.get("unscheduled") or [] if u.get("cohort") in mine
            ],
        }
    return out


def _blocked(resource: dict[str, Any], blocked: dict[str, list[list[str]]]) -> dict[str, Any]:
    """A facilitator's or room's document with the periods this part leaves to others."""
    periods = blocked.get(resource["id"])
    if not periods:
        return resource
    return {**resource, "unavailable": [*(resource.get("unavailable") or []), *periods]}


def _cohorts_of(item: dict[str, Any]) -> set[str]:
    return {part.get("cohort") for part in item.get("cohorts") or [] if isinstance(part, dict)}


# --- merging the parts' schedules ---------------------------------------------------------------


def merge(
    problem: Problem,
    schedules: list[dict[str, Any]],
    part_docs: list[dict] | None = None,
    component_bounds: dict[int, dict | None] | None = None,
):
    """One schedule v1 document for ``problem`` from the schedules of its parts (in part order).

    Sections keep a fixed or previous section's id; the others are renumbered S1, S2, ... across
    parts (each part numbers its own from S1). The cost is the parts' costs added item by item
    (each item belongs to one part); ``per_trained_learner`` is recomputed. Any infeasible or
    invalid part makes the whole so, with the parts' errors. The lower bound is the sum of the
    parts' bounds, a split component's taken from ``component_bounds`` (its bound unsplit,
    ``solver.decompose_bound.split_bounds``; without it the bound is null); ``solver.bound_parts``
    says what it is made of. ``optimal`` needs every part optimal and none split, or the cost
    equal to the bound. The caller runs the independent checker on the result."""
    tags = [(d or {}).get(PART_KEY, {}) for d in (part_docs or [{}] * len(schedules))]
    split = any(t.get("split") for t in tags)
    bad = [s for s in schedules if s["status"] in ("infeasible", "invalid")]
    info = {
        "strategy": "decomposed",
        "parts": [_part_summary(s, t) for s, t in zip(schedules, tags, strict=True)],
    }
    if bad:
        status = "invalid" if any(s["status"] == "invalid" for s in bad) else "infeasible"
        errors = [e for s in bad for e in s.get("errors") or []]
        return {"format": SCHEDULE_FORMAT, "status": status, "cost": empty_cost(),
                "lower_bound": None, "sections": [], "unscheduled": [], "errors": errors,
                "solver": info}  # fmt: skip
    keep = {fx.section for fx in problem.fixed}
    keep |= {str(s.get("id")) for s in (problem.previous or {}).get("sections") or []}
    sections, n = [], 0
    for s in schedules:
        for sec in s["sections"]:
            if sec["id"] not in keep:
                n += 1
                while f"S{n}" in keep:
                    n += 1
                sec = {**sec, "id": f"S{n}"}
            sections.append(sec)
    cents = {k: sum(round(s["cost"][k] * 100) for s in schedules) for k in COST_COMPONENTS}
    cost = {"total": sum(cents.values()) / 100, **{k: v / 100 for k, v in cents.items()}}
    placed = sum(sec["size"] for sec in sections)
    training = sum(cents[k] for k in TRAINING_COMPONENTS) / 100
    cost["per_trained_learner"] = round(training / placed, 2) if placed else 0.0
    from solver.decompose_bound import merged_bound  # loads OR-Tools: only where parts merge

    bound, bound_parts = merged_bound(schedules, tags, component_bounds, cost["total"])
    met = bound is not None and abs(cost["total"] - bound) <= 0.005
    optimal = met or (not split and all(s["status"] == "optimal" for s in schedules))
    firsts = [s.get("solver", {}).get("first_solution_seconds") for s in schedules]
    info.update(
        bound=bound,
        gap=None if bound is None or cost["total"] <= 0 else round((cost["total"] - bound) / cost["total"], 6),
        bound_parts=bound_parts,
        first_solution_seconds=None if None in firsts else max(firsts, default=0.0),
    )  # fmt: skip
    return {
        "format": SCHEDULE_FORMAT,
        "status": "optimal" if optimal else "feasible",
        "cost": cost,
        "lower_bound": bound,
        "sections": sections,
        "unscheduled": [u for s in schedules for u in s["unscheduled"]],
        "errors": [],
        "solver": info,
    }


def _part_summary(schedule: dict[str, Any], tag: dict[str, Any]) -> dict[str, Any]:
    info = schedule.get("solver") or {}
    return {
        "index": tag.get("index"),
        "cohorts": tag.get("cohorts"),
        "split": bool(tag.get("split")),
        "status": schedule["status"],
        "cost": schedule["cost"]["total"],
        "lower_bound": schedule.get("lower_bound"),
        "wall_seconds": info.get("wall_seconds"),
        "first_solution_seconds": info.get("first_solution_seconds"),
    }
