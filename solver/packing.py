"""Sections packed full: a group's learners in as few sections as its rules allow, then placed.

The greedy baseline splits a large cohort evenly over its own sections (27 learners at 16 seats
make 14 + 13), which is what a coordinator does by hand but leaves seats empty that a remainder
of another cohort could fill (16 + 11, the 11 sharing with someone). On M seed 2's 24-cohort
virtual group that costs 34 sections where 27 hold everyone, and CP-SAT, even on the group alone,
does not find its way from one composition to the other in a minute (it juggles times and
facilitators of every section at once). So composition is decided first here (who sits with whom:
first-fit into full sections, then a small CP-SAT bin-packing model when that is not yet the
fewest), and the sections are then placed one by one like the greedy does, each with the cheapest
facilitator free for all its sessions.

``repack`` does that for one group inside a plan, around the rest of it; large-neighbourhood
search keeps the result only when the whole plan is cheaper, and its CP-SAT steps then polish the
times and facilitators.
"""

from __future__ import annotations

import dataclasses
import itertools
import time

from ortools.sat.python import cp_model

from solver.bookings import Calendar
from solver.candidates import Candidates, Group, common_starts
from solver.deadline import Deadline, TimeUp
from solver.greedy import may_join, place_section, urgency
from solver.neighbourhood import is_free
from solver.plan import Plan, PlannedSection

# Composition is a bin-packing model of a few dozen cohorts: CP-SAT settles it in well under this.
PACK_SECONDS = 1.0
# Larger models (cohorts x sections they may need) are not built: first-fit stands. Measured
# (bench/results/log.md, "Memory per worker: the packing model capped"): on M seeds 2 and 11 and
# L seed 1 every improvement came from models of at most 1,500 cells, those above 20,000 overran
# their second (2.2-2.6 s) and found nothing, and a 10,000-cohort part's virtual group of about
# 300 cohorts spent about 15 s building millions of clauses and grew its worker past 4 GB.
PACK_MODEL_CELLS = 4_000


def compose(
    cand: Candidates,
    group: Group,
    learners: dict[str, int],
    seconds: float = PACK_SECONDS,
    deadline: Deadline | None = None,
) -> list[dict[str, int]]:
    """Sections (cohort -> learners) holding ``learners`` of the group's cohorts in few sections.

    Rules kept: seats between the program's minimum and the group's capacity, a cohort that may not
    be split sits in one section, one that may not merge sits alone, and cohorts share a section
    only when they share an allowed start for every session. Learners that cannot be seated under
    those rules are left out (the caller prices them as unscheduled). ``first_fit`` gives the
    start; CP-SAT, hinted with it, looks for fewer sections within ``seconds``."""
    learners = {c: n for c, n in learners.items() if n > 0}
    filled, plain = (first_fit(cand, group, learners, fill, deadline) for fill in (True, False))
    start = min(filled, plain, key=_rank)  # on a tie, the filled one
    fewest = -(-sum(learners.values()) // max(group.capacity, 1))
    seated = sum(sum(s.values()) for s in start) == sum(learners.values())
    if len(learners) < 2 or seconds <= 0 or (seated and len(start) <= fewest):
        return start  # everyone seated in the fewest sections there can be
    if len(learners) * _most_sections(group, learners, start) > PACK_MODEL_CELLS:
        return start  # too large a model to settle in its time (see PACK_MODEL_CELLS)
    better = _fewer_sections(cand, group, learners, start, seconds, deadline)
    return start if better is None else min(better, start, key=_rank)


def _most_sections(group: Group, learners: dict[str, int], start: list[dict[str, int]]) -> int:
    """Sections the packing model provides for: the start's, or each cohort in its own."""
    return max(len(start), sum(-(-n // group.capacity) for n in learners.values()))


def _rank(sections: list[dict[str, int]]) -> tuple[int, int]:
    """Better compositions rank lower: more learners seated, then fewer sections."""
    return -sum(sum(s.values()) for s in sections), len(sections)


def first_fit(
    cand: Candidates,
    group: Group,
    learners: dict[str, int],
    fill: bool = False,
    deadline: Deadline | None = None,
) -> list[dict[str, int]]:
    """Full sections of each large cohort, then the rest first-fit, largest first; with ``fill``,
    a splittable rest that no section takes whole fills the roomiest section that takes some.
    Neither order wins everywhere (measured on M: 29 / 27 sections on one group, 27 / 28 on
    another), so ``compose`` tries both.

    A section left under the minimum takes learners from another section of one of its cohorts
    where that one keeps the minimum; otherwise it is dropped (its learners go unscheduled)."""
    problem = cand.problem
    low, cap = max(group.program.seats[0], 1), group.capacity
    if cap < low:
        return []
    full: list[dict[str, int]] = []  # whole sections of one large cohort; nobody joins them
    rest: list[tuple[str, int]] = []
    for c, n in learners.items():
        if problem.cohorts[c].splittable and n > cap:
            full.extend({c: cap} for _ in range(n // cap))
            n %= cap
        if 0 < n <= cap:
            rest.append((c, n))
    shared: list[dict[str, int]] = []
    for c, n in sorted(rest, key=lambda cn: (-cn[1], cn[0])):
        if deadline is not None:  # each cohort tests every section: hundreds on a large group
            deadline.check()
        while n:
            target = next((s for s in shared if may_join(cand, group, s, c, n)), None)
            if target is None and fill and problem.cohorts[c].splittable:
                # No section takes all of it: fill the roomiest one that takes some, go on.
                takers = [s for s in shared if may_join(cand, group, s, c, 1)]
                target = min(takers, key=lambda s: sum(s.values()), default=None)
            if target is None:
                shared.append({c: n})
                break
            moved = min(n, cap - sum(target.values()))
            target[c] = moved
            n -= moved
    sections = full + shared
    for s in [s for s in sections if sum(s.values()) < low]:
        _top_up(sections, s, low)
    return [s for s in sections if sum(s.values()) >= low]


def _top_up(sections: list[dict[str, int]], short: dict[str, int], low: int) -> None:
    """Move learners into a section under the minimum from another section of one of its cohorts
    that keeps the minimum without them."""
    for c in list(short):
        for donor in sections:
            need = low - sum(short.values())
            if need <= 0:
                return
            if donor is short or donor.get(c, 0) <= need or sum(donor.values()) - need < low:
                continue
            donor[c] -= need
            short[c] += need


def _fewer_sections(
    cand: Candidates,
    group: Group,
    learners: dict[str, int],
    start: list[dict[str, int]],
    seconds: float,
    deadline: Deadline | None = None,
) -> list[dict[str, int]] | None:
    """A composition with fewer sections (or fewer pieces, or fewer left out) than ``start``, or
    None when CP-SAT finds none within ``seconds``."""
    problem = cand.problem
    cohorts = list(learners)
    low, cap = max(group.program.seats[0], 1), group.capacity
    most = _most_sections(group, learners, start)
    model = cp_model.CpModel()
    ks = range(most)
    used = [model.new_bool_var("") for _ in ks]
    has = {(c, k): model.new_bool_var("") for c in cohorts for k in ks}
    seat = {(c, k): model.new_int_var(0, min(learners[c], cap), "") for c in cohorts for k in ks}
    for k in ks:
        size = sum(seat[(c, k)] for c in cohorts)
        model.add(size >= low).only_enforce_if(used[k])
        model.add(size <= cap * used[k])
        for c in cohorts:
            model.add(seat[(c, k)] <= learners[c] * has[(c, k)])
            model.add(seat[(c, k)] >= has[(c, k)])
        if k:
            model.add_implication(used[k], used[k - 1])  # interchangeable sections in order
    unplaced = []
    for c in cohorts:
        model.add(sum(seat[(c, k)] for k in ks) <= learners[c])
        if not problem.cohorts[c].splittable:
            model.add(sum(has[(c, k)] for k in ks) <= 1)
        unplaced.append(learners[c] - sum(seat[(c, k)] for k in ks))
    for a, b in itertools.combinations(cohorts, 2):
        if deadline is not None:  # pairs of a 300-cohort group take longer than a time limit
            deadline.check()
        alone = not (problem.cohorts[a].mergeable and problem.cohorts[b].mergeable)
        if alone or not common_starts(cand, [a, b]):
            for k in ks:
                model.add_bool_or([has[(a, k)].Not(), has[(b, k)].Not()])
    # Leaving a learner out costs more than any section; a section more than all pieces.
    piece, section = 1, len(cohorts) * most + 1
    unseated = section * (most + 1)
    model.minimize(unseated * sum(unplaced) + section * sum(used) + piece * sum(has.values()))
    fewest = -(-sum(learners.values()) // cap)
    model.add(sum(used) >= min(fewest, most))  # redundant: helps CP-SAT see it is done
    ordered = sorted(start, key=lambda s: -sum(s.values()))
    for k in ks:
        parts = ordered[k] if k < len(ordered) else {}
        model.add_hint(used[k], bool(parts))
        for c in cohorts:
            model.add_hint(has[(c, k)], c in parts)
            model.add_hint(seat[(c, k)], parts.get(c, 0))
    # Pieces never add up to a section, so below this everyone is seated in the fewest sections.
    done = _StopAt(section * (fewest + 1) - 1)
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left
        solver.parameters.num_workers = 1
        if solver.solve(model, done) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        sections = [
            {c: solver.value(seat[(c, k)]) for c in cohorts if solver.value(seat[(c, k)])}
            for k in ks
        ]
        apart = [
            list(parts) for parts in sections if parts and not common_starts(cand, list(parts))
        ]
        if not apart:
            return [parts for parts in sections if parts]
        # Cohorts that share starts pairwise but not all together: never all in one section.
        for together in apart:
            for k in ks:
                model.add_bool_or([has[(c, k)].Not() for c in together])
    return None


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Stops the search at a solution costing at most ``enough``: proving its pieces the fewest
    too would take CP-SAT the rest of its time, and pieces cost nothing in the schedule."""

    def __init__(self, enough: int) -> None:
        super().__init__()
        self.enough = enough

    def on_solution_callback(self) -> None:
        if self.objective_value <= self.enough:
            self.stop_search()


def section_sizes(cand: Candidates, group: Group) -> list[int]:
    """Smaller section sizes worth packing an in-person group to: each room's seats between the
    program's minimum and the group's capacity, largest first.

    Full sections of the group's capacity need its largest rooms; sections the size of a cheaper,
    smaller room can cost less in all (on the demo, 12 learners need Paris's 20-seat room at 60 an
    hour, 10 fit the 10-seat one at 15, and one section more costs less than the rooms save)."""
    low = max(group.program.seats[0], 1)
    seats = {cand.problem.rooms[r].capacity for r in cand.rooms_for(group)}
    return sorted((n for n in seats if low <= n < group.capacity), reverse=True)


def repack(
    cand: Candidates,
    plan: Plan,
    key: str,
    seconds: float = PACK_SECONDS,
    deadline: Deadline | None = None,
    seats: int | None = None,
) -> Plan | None:
    """``plan`` with the group's movable sections replaced by packed ones placed around the rest,
    or None when that would seat fewer of the group's learners than ``plan`` does, or when
    ``deadline`` passes first; ``seconds`` caps composition's CP-SAT. The caller compares costs.
    ``seats`` packs sections of at most that many learners (``section_sizes``) instead of the
    group's capacity.

    Fewer seated can be cheaper (a packed section that finds no facilitator leaves its learners
    out, and the rest of the group saves more than their unscheduled cost), but a coordinator
    expects everyone who could be placed to stay placed; measured on L seed 1, accepting such
    plans left 20 placeable learners out at 120 s."""
    group = cand.groups[key]
    if seats is not None:
        group = dataclasses.replace(group, capacity=min(seats, group.capacity))
    kept = [s for s in plan.sections if not is_free(s, {key}, None)]
    cal = Calendar(cand)
    learners = {c: cand.problem.cohorts[c].size for c in group.cohorts}
    for s in kept:
        for x in s.sessions:
            cal.book(s.parts, x)
        for c, n in s.parts.items():
            if c in learners:
                learners[c] -= n
    try:
        sections = compose(cand, group, learners, seconds, deadline)
    except TimeUp:
        return None
    sections.sort(key=lambda parts: urgency(cand, parts))
    out = Plan(list(kept))
    for parts in sections:
        try:
            sessions = place_section(
                cand, cal, group, parts, cheapest=True, deadline=deadline, book=True
            )
        except TimeUp:
            return None
        if sessions is None:
            continue
        out.sections.append(PlannedSection(key, parts, sessions))
    if _seated(out, group) < _seated(plan, group):
        return None
    return out


def _seated(plan: Plan, group: Group) -> int:
    return sum(plan.placed(c) for c in group.cohorts)
