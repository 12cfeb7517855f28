"""Pre-filtered options shared by the model, the greedy baseline and the explanations.

Everything here is decided from the data alone, before any optimisation: when each cohort can be in
each session (hours, dates, blocked periods, the spacing window and at least one qualified free
facilitator and room), which facilitators and rooms could ever take a session, which cohorts may
share a section, and how many candidate sections each group of cohorts needs. Filtering once keeps
the CP-SAT model small and gives the explanations their facts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from solver.cohort_windows import StartLists, WindowLists, window_starts
from solver.deadline import Deadline, TimeUp
from solver.problem import Cohort, Facilitator, Problem, Program, Room
from solver.startsets import StartSets, union
from solver.timegrid import Intervals, TimeGrid, contains, normalise, overlaps, subtract


@dataclass
class Group:
    """Cohorts of one program that may share sections: same site in person, any site virtually."""

    key: str
    program: Program
    site: str | None
    cohorts: list[str]
    capacity: int  # most learners one section can seat (seats max, and the largest room)
    sections: int = 0  # candidate sections to create for the group


@dataclass
class Candidates:
    """The facts of one problem, in model minutes."""

    problem: Problem
    grid: TimeGrid
    cohort_windows: dict[str, Intervals] = field(default_factory=dict)
    # starts allowed for (cohort, session index) from the cohort's own data and the spacing rule
    cohort_starts: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    # the same as masks (solver.startsets): ``build`` computes these, and the lists on demand
    start_masks: dict[tuple[str, int], int] = field(default_factory=dict)
    bookable: dict[str, Intervals] = field(default_factory=dict)  # facilitator id -> intervals
    reluctant: dict[str, Intervals] = field(default_factory=dict)  # facilitator id -> if_need_be
    room_bookable: dict[str, Intervals] = field(default_factory=dict)
    qualified: dict[str, list[str]] = field(default_factory=dict)  # program id -> facilitators
    rooms_at: dict[str, list[str]] = field(default_factory=dict)  # site -> rooms
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # learner/tag -> cohorts
    groups: dict[str, Group] = field(default_factory=dict)
    group_of: dict[str, str] = field(default_factory=dict)  # cohort id -> group key
    # (facilitator, local date) -> minutes already taught then by sessions outside the model
    # (a frozen part of the plan in large-neighbourhood search)
    day_minutes: dict[tuple[str, object], int] = field(default_factory=dict)
    # cohorts the deadline left unexamined: no allowed start, and no valid bound from their data
    unexamined: set[str] = field(default_factory=set)

    _starts_cache: dict[tuple[str, str, int], frozenset[int]] = field(default_factory=dict)
    _masks: dict[tuple[str, str, int], int] = field(default_factory=dict)
    _within_intervals: dict[tuple[tuple[tuple[int, int], ...], int], int] = field(
        default_factory=dict
    )
    # ("f" or "r", id) -> (regular hours, what if-need-be windows add to them, blocked
    # periods): their bookable intervals are the first two merged less the third, and their
    # masks are made of the three (``_within``)
    _cut: dict[tuple[str, str], tuple[tuple[tuple[int, int], ...], Intervals, Intervals]] = field(
        default_factory=dict
    )
    _sets: StartSets | None = None
    # (problem.previous, its sessions as solver.plan reads them): kept with the very document
    _published: tuple[dict, list] | None = None

    @property
    def sets(self) -> StartSets:
        """Masks of this grid's starts (made on first use: a neighbourhood's copy may never
        need them)."""
        if self._sets is None:
            self._sets = StartSets(self.grid)
        return self._sets

    def start_mask(self, cohort: str, index: int) -> int:
        """``cohort_starts`` of the cohort's session ``index`` as a mask."""
        key = (cohort, index)
        mask = self.start_masks.get(key)
        if mask is None:
            mask = self.start_masks[key] = self.sets.of(self.cohort_starts[key])
        return mask

    def facilitator_mask(self, facilitator: str, minutes: int) -> int:
        """``facilitator_starts`` as a mask."""
        return self._within("f", facilitator, self.bookable, minutes)

    def room_mask(self, room: str, minutes: int) -> int:
        """``room_starts`` as a mask."""
        return self._within("r", room, self.room_bookable, minutes)

    def _within(self, kind: str, name: str, bookable: dict[str, Intervals], minutes: int) -> int:
        key = (kind, name, minutes)
        mask = self._masks.get(key)
        if mask is None:
            cut = self._cut.get((kind, name))
            if cut is None:
                mask = self._within_kept(tuple(bookable[name]), minutes)
            else:
                # The starts within the regular hours (shared by thousands of people) or within
                # what if-need-be windows add, less those a blocked period touches. Each
                # person's own intervals made a third of 2,500 facilitators' masks anew.
                regular, extra, blocked = cut
                mask = self._within_kept(regular, minutes)
                if extra:
                    mask |= self.sets.within(extra, minutes)
                if blocked:
                    mask &= ~self.sets.clashing(blocked, minutes)
            self._masks[key] = mask
        return mask

    def _within_kept(self, intervals: tuple[tuple[int, int], ...], minutes: int) -> int:
        """``StartSets.within``, kept by the intervals: many people and rooms share them."""
        mask = self._within_intervals.get((intervals, minutes))
        if mask is None:
            mask = self.sets.within(list(intervals), minutes)
            self._within_intervals[(intervals, minutes)] = mask
        return mask

    def facilitator_starts(self, facilitator: str, minutes: int) -> frozenset[int]:
        """Grid starts where the facilitator is bookable for a session of ``minutes``."""
        key = ("f", facilitator, minutes)
        if key not in self._starts_cache:
            starts = self.grid.starts_within(self.bookable[facilitator], minutes)
            self._starts_cache[key] = frozenset(starts)
        return self._starts_cache[key]

    def room_starts(self, room: str, minutes: int) -> frozenset[int]:
        """Grid starts where the room is bookable for a session of ``minutes``."""
        key = ("r", room, minutes)
        if key not in self._starts_cache:
            starts = self.grid.starts_within(self.room_bookable[room], minutes)
            self._starts_cache[key] = frozenset(starts)
        return self._starts_cache[key]

    def facilitator_free(self, facilitator: str, start: int, minutes: int) -> bool:
        """Whether the facilitator's availability covers ``[start, start + minutes)``."""
        k = self.sets.position.get(start)
        if k is not None:  # a grid start: one look-up (the greedy asks millions)
            return self.facilitator_mask(facilitator, minutes) >> k & 1 == 1
        return contains(self.bookable[facilitator], start, start + minutes)

    def room_free(self, room: str, start: int, minutes: int) -> bool:
        """Whether the room's availability covers ``[start, start + minutes)``."""
        k = self.sets.position.get(start)
        if k is not None:
            return self.room_mask(room, minutes) >> k & 1 == 1
        return contains(self.room_bookable[room], start, start + minutes)

    def reluctantly(self, facilitator: str, start: int, minutes: int) -> bool:
        """Whether a session at ``start`` touches one of the facilitator's if_need_be windows."""
        return overlaps(self.reluctant[facilitator], start, start + minutes)

    def rooms_for(self, group: Group) -> list[str]:
        """Rooms a section of the group may use (in-person only)."""
        if not group.program.in_person:
            return []
        return self.rooms_at.get(group.site or "", [])


def teaches(facilitator: Facilitator, program: Program) -> bool:
    """Whether the facilitator lists the program's skill (a program without a skill: anyone)."""
    return program.skill is None or program.skill in facilitator.skills


def room_seats(room: Room, program: Program) -> bool:
    """Whether a room can ever take a section of the program (capacity at least the minimum)."""
    return room.capacity >= program.seats[0]


def build(
    problem: Problem, grid: TimeGrid | None = None, deadline: Deadline | None = None
) -> Candidates:
    """Compute every pre-filtered option of ``problem``.

    When ``deadline`` passes first, the cohorts not yet examined get no allowed start and are
    listed in ``unexamined``: nothing will place them, and no bound may be derived from them."""
    grid = grid or TimeGrid(problem)
    cand = Candidates(problem=problem, grid=grid)
    cand.cohort_starts = StartLists(cand.start_masks, cand.sets)
    cand.cohort_windows = WindowLists(grid, problem.cohorts)
    for r in problem.rooms.values():
        cand.rooms_at.setdefault(r.site, []).append(r.id)
    for p in problem.programs.values():
        cand.qualified[p.id] = [f.id for f in problem.facilitators.values() if teaches(f, p)]
    try:
        _examine(cand, deadline)
    except TimeUp:
        for f in problem.facilitators.values():
            cand.bookable.setdefault(f.id, [])
            cand.reluctant.setdefault(f.id, [])
        for r in problem.rooms.values():
            cand.room_bookable.setdefault(r.id, [])
        for c in problem.cohorts.values():
            if (c.id, 0) not in cand.start_masks:
                cand.unexamined.add(c.id)
                cand.cohort_windows[c.id] = []
                for i in range(len(problem.programs[c.program].sessions)):
                    cand.start_masks[(c.id, i)] = 0
    cand.conflicts = _conflict_cliques(problem)
    cand.groups, cand.group_of = _groups(cand)
    return cand


def _examine(cand: Candidates, deadline: Deadline | None) -> None:
    """Availability of every facilitator and room, and allowed starts of every cohort; those the
    fixed sessions need first and whatever the deadline, since a fixed session must be kept."""
    problem = cand.problem
    fixed = {part.cohort for fx in problem.fixed for part in fx.cohorts}
    programs = {problem.cohorts[c].program for c in fixed}
    sites = {problem.cohorts[c].site for c in fixed}
    needed = {f for p in programs for f in cand.qualified[p]}
    people = sorted(problem.facilitators.values(), key=lambda f: f.id not in needed)
    for f in people:
        if deadline is not None and f.id not in needed:
            deadline.check()
        cand.bookable[f.id], cand.reluctant[f.id] = _availability(cand, "f", f)
    for r in sorted(problem.rooms.values(), key=lambda r: r.site not in sites):
        if deadline is not None and r.site not in sites:
            deadline.check()
        cand.room_bookable[r.id], _ = _availability(cand, "r", r)
    days: dict = {}  # the starts of each hours' days, summed, shared by the cohorts (cohort_windows)
    spaced: dict = {}  # narrowed masks, shared by the cohorts (_cohort_starts)
    for c in sorted(problem.cohorts.values(), key=lambda c: c.id not in fixed):
        if deadline is not None and c.id not in fixed:
            deadline.check()
        for i, allowed in enumerate(_cohort_starts(cand, c, days, spaced)):
            cand.start_masks[(c.id, i)] = allowed


def _availability(
    cand: Candidates, kind: str, who: Facilitator | Room
) -> tuple[Intervals, Intervals]:
    """``(bookable, if_need_be)`` of a facilitator (``kind`` "f") or room ("r"), noting the
    parts their masks are made of (``Candidates._within``)."""
    regular, blocked, reluctant = cand.grid.availability_parts(who.availability, who.timezone)
    merged = normalise(regular + reluctant) if reluctant else regular
    # What the if-need-be windows add: the merged intervals that are no regular one (each holds
    # the regular ones it took in, so the starts within it hold theirs).
    extra = []
    if reluctant:
        known = set(regular)
        extra = [i for i in merged if i not in known]
    cand._cut[(kind, who.id)] = (tuple(regular), extra, blocked)
    return (subtract(merged, blocked) if blocked else merged), reluctant


def _resource_starts(cand: Candidates, cohort: Cohort, program: Program, minutes: int) -> int:
    """Grid starts (a mask) where some qualified facilitator and (in person) some room are
    bookable."""
    site = cohort.site if program.in_person else None
    key = ("resources", f"{program.id}@{site}", minutes)
    if key not in cand._masks:
        people = ("people", program.id, minutes)
        if people not in cand._masks:
            cand._masks[people] = union(cand.facilitator_mask(f, minutes)
                                         for f in cand.qualified[program.id])  # fmt: skip
        mask = cand._masks[people]
        if program.in_person:
            rooms = cand.rooms_at.get(site or "", [])
            mask &= union(
                cand.room_mask(r, minutes)
                for r in rooms
                if room_seats(cand.problem.rooms[r], program)
            )
        cand._masks[key] = mask
    return cand._masks[key]


def _cohort_starts(cand: Candidates, cohort: Cohort, days: dict, spaced: dict) -> list[int]:
    """Allowed starts of each session (masks), narrowed by the gap_days window to its
    neighbours (``spaced`` keeps the narrowed masks of the sessions' masks and gap)."""
    program = cand.problem.programs[cohort.program]
    sets = cand.sets
    per_session = [
        _in_windows(cand, cohort, minutes, days) & _resource_starts(cand, cohort, program, minutes)
        for minutes in program.sessions
    ]
    if len(per_session) == 1:
        return per_session  # no spacing to narrow
    # Cohorts of one program and the same hours have the same masks: narrowed once for all.
    key = (program.gap_days, *per_session)
    if key not in spaced:
        spaced[key] = _spaced(sets, per_session, *program.gap_days)
    return spaced[key]


def _spaced(sets, per_session: list[int], lo: int, hi: int) -> list[int]:
    """The starts of each session (masks) that leave a day ``lo`` to ``hi`` days from a start
    of the session before and of the session after."""
    days = [sets.days_of(starts) for starts in per_session]  # bit d: horizon day d
    # Arc consistency on days: a session day needs a compatible day for the previous and next one.
    for _ in range(2):
        for i in range(1, len(days)):
            days[i] &= union(days[i - 1] << k for k in range(lo, hi + 1))
        for i in range(len(days) - 2, -1, -1):
            days[i] &= union(days[i + 1] >> k for k in range(lo, hi + 1))
    return [
        starts & sets.on_days(allowed) for starts, allowed in zip(per_session, days, strict=True)
    ]


def _in_windows(cand: Candidates, cohort: Cohort, minutes: int, days: dict) -> int:
    """Starts of a session of ``minutes`` inside the cohort's windows (a mask)."""
    found = window_starts(cand.grid, cand.sets, days, cohort, minutes)
    if found is None:  # windows that run into the next day: from the intervals themselves
        found = cand.sets.within(cand.cohort_windows[cohort.id], minutes)
    return found


def _conflict_cliques(problem: Problem) -> dict[str, list[str]]:
    """Cohorts that may never be in session together, keyed by the shared learner id or tag."""
    cohorts = problem.cohorts.values()
    groups = _sharing(cohorts, lambda c: c.conflict_groups)
    learners = _sharing(cohorts, lambda c: c.learners)
    # "group:" keys sort before "learner:" ones, as they did when all were sorted together.
    cliques: dict[str, list[str]] = {}
    seen: set[tuple[str, ...]] = set()
    for prefix, members in (("group:", groups), ("learner:", learners)):
        for name, ids in sorted(members.items()):
            if ids not in seen:
                seen.add(ids)
                cliques[prefix + name] = list(ids)
    return cliques


def _sharing(cohorts, names_of) -> dict[str, tuple[str, ...]]:
    """Each name (learner or tag) that two or more cohorts list, with those cohorts' ids sorted.

    Most learners are in one cohort: the names listed again are found with set operations, one
    per cohort, and only those are keyed (on 10,020 cohorts of 281,000 learners, a list of
    cohorts per learner took 0.3-0.45 s, most of ``build``)."""
    seen: set[str] = set()
    shared: set[str] = set()
    for c in cohorts:
        names = names_of(c)
        shared.update(seen.intersection(names))
        seen.update(names)
    members: dict[str, set[str]] = defaultdict(set)
    for c in cohorts:
        for name in shared.intersection(names_of(c)):
            members[name].add(c.id)
    return {name: tuple(sorted(ids)) for name, ids in members.items()}


def common_starts(cand: Candidates, cohorts: list[str]) -> bool:
    """Whether the cohorts share at least one allowed start for every session (merge test)."""
    program = cand.problem.programs[cand.problem.cohorts[cohorts[0]].program]
    for i in range(len(program.sessions)):
        common = cand.start_mask(cohorts[0], i)
        for c in cohorts[1:]:
            common &= cand.start_mask(c, i)
        if not common:
            return False
    return True


def _groups(cand: Candidates) -> tuple[dict[str, Group], dict[str, str]]:
    problem = cand.problem
    groups: dict[str, Group] = {}
    group_of: dict[str, str] = {}
    for c in problem.cohorts.values():
        program = problem.programs[c.program]
        site = c.site if program.in_person else None
        key = f"{program.id}@{site or 'virtual'}"
        if key not in groups:
            capacity = program.seats[1]
            if program.in_person:
                sizes = [problem.rooms[r].capacity for r in cand.rooms_at.get(site or "", [])]
                capacity = min(capacity, max(sizes, default=0))
            groups[key] = Group(key, program, site, [], capacity)
        groups[key].cohorts.append(c.id)
        group_of[c.id] = key
    for g in groups.values():
        g.sections = _section_bound(problem, g)
    return groups, group_of


def _section_bound(problem: Problem, group: Group) -> int:
    """Candidate sections a group needs: each cohort split into full sections, and never more
    sections than the minimum seats allow."""
    low = max(group.program.seats[0], 1)
    if group.capacity < low:
        return 0
    sizes = [problem.cohorts[c].size for c in group.cohorts]
    by_cohort = sum(math.ceil(s / group.capacity) for s in sizes)
    return min(by_cohort, sum(sizes) // low)
