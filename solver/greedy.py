"""The greedy baseline: what a careful coordinator does by hand.

Cohorts go first-fit into sections, then each section takes the earliest slot where the cheapest
free qualified facilitator and the cheapest free room that fits can teach every session. Fixed
sessions are booked first and sessions of ``previous`` are kept where they still fit. The result is
the benchmark baseline, the CP-SAT warm start (a complete hint) and the fallback answer.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from solver import candidates as cands
from solver import compiled_greedy, free_starts
from solver.bookings import Calendar
from solver.candidates import Candidates, Group
from solver.deadline import Deadline, TimeUp
from solver.free_starts import SectionStarts
from solver.plan import Plan, PlannedSection, PlannedSession
from solver.problem import Problem

# building(step, done, total): how far the plan is, for a progress page (10,000 cohorts take
# seconds). Step "previous": ``done`` of the ``total`` sections of the plan it starts from
# (``previous``, or a guide) looked at; step "new": ``done`` of the ``total`` sections formed
# from the cohorts left tried.
Building = Callable[[str, int, int], None]


def allowed_starts(cand: Candidates, cohorts: list[str], index: int) -> int:
    """Starts of session ``index`` allowed for every cohort of a section (a mask)."""
    common = cand.start_mask(cohorts[0], index)
    for c in cohorts[1:]:
        common &= cand.start_mask(c, index)
    return common


def place_section(
    cand: Candidates,
    cal: Calendar,
    group: Group,
    parts: dict[str, int],
    pins: dict[int, PlannedSession] | None = None,
    cheapest: bool = False,
    deadline: Deadline | None = None,
    book: bool = False,
) -> list[PlannedSession] | None:
    """Earliest placement of every session of a section, or None; ``pins`` are sessions that must
    stay as they are. With ``cheapest``, the cheapest facilitator who can take the section at any
    start comes first, at that facilitator's earliest start (used by :mod:`solver.packing`).
    With ``book`` the placement found is left booked in ``cal`` (a try books its sessions as it
    goes: taking them back to book them again was a third of the bookings made on 10,000
    cohorts). Raises ``TimeUp`` when ``deadline`` passes during the search."""
    pins = pins or {}
    program = group.program
    cohorts = list(parts)
    size = sum(parts.values())
    starts = [allowed_starts(cand, cohorts, i) for i in range(len(program.sessions))]
    rooms = cal.rooms_seating(group, size)
    facilitators = cand.qualified[program.id]
    pinned = {p.facilitator for p in pins.values()}
    if program.same_facilitator and pinned:
        facilitators = [f for f in facilitators if f in pinned]
    # The cheapest free facilitator teaches the section (if_need_be extras aside, ranked once).
    ranked = cal.ranked(group, facilitators)
    # Most starts fail at the first session already (the plan fills up from the earliest):
    # masks of the starts still free (solver.free_starts) leave out nearly all of them at once,
    # and the exact tests run on the rest, once for every facilitator where the learners or rooms
    # rule a start out (bench/results/log.md, "First schedule on L and XL").
    team = None if cheapest else _team(cal, group, ranked)
    # With a team the options come from its tree: a list of hundreds of one-person choices
    # for every section was 3 % of the greedy plan's time on 10,000 cohorts.
    choices = None if team else _choices(program, ranked)
    if not cheapest:
        tries = _earliest_tries(cal, program, cohorts, rooms, pins, starts, choices, team, ranked)
    else:
        tries = _cheapest_tries(cal, program, cohorts, rooms, pins, starts, choices)
    for t0, options, free in tries:
        if deadline is not None:
            deadline.check()
        sessions = _place_from(cand, cal, group, parts, free, options, pins, t0, book)
        if sessions is not None:
            return sessions
    return None


def _choices(program, ranked: list[str]) -> list[list[str]]:
    """Who may teach the section, as tried in turn: each facilitator alone when one teaches
    every session, else the ranked list as one option (each session takes its cheapest)."""
    return [[f] for f in ranked] if program.same_facilitator else [ranked]


def _team(cal: Calendar, group: Group, ranked: list[str]):
    """The masks of the group's ranked facilitators as one tree (``free_starts._Team``) when
    there are enough of them to pay, else None.

    Only a section taught by one facilitator throughout tries them one by one in the group's
    order; for the others the question is whether anyone is free, which the program's own tree
    answers in any order. Each group's tree is brought up to date with every booking of its
    members, and a facilitator was in 5 to 15 of them on 10,000 cohorts."""
    if len(ranked) < free_starts.TEAM_FROM or ranked is not cal.ranking.get(group.key):
        return None
    program = group.program
    if not program.same_facilitator:
        qualified = cal.cand.qualified[program.id]
        return cal.free.team(("qualified", program.id), qualified, program.sessions[0])
    return cal.free.team(("ranked", group.key), ranked, program.sessions[0])


def _earliest_tries(cal, program, cohorts, rooms, pins, starts, choices, team=None, ranked=None):
    """Tries for the earliest placement: from the earliest start on, each option that could
    teach the first session there, cheapest first. ``team`` (the masks of the ``ranked``
    facilitators, in that order when one teaches every session: ``_team``) finds who is free at
    a start without asking each in turn."""
    free = SectionStarts(cal, program, cohorts, rooms, starts)
    opens = _Opening(cal, program, cohorts, rooms, 0 in pins)
    if 0 in pins:  # a pinned first session is not tested
        yield from ((pins[0].start, options, free)
                    for options in choices or _choices(program, ranked))  # fmt: skip
        return
    everyone = team.people if team else [f for options in choices for f in options]
    for t0 in cal.cand.sets.minutes(free.of(0, everyone)):
        if not opens(t0):
            continue
        if team is None:
            yield from ((t0, options, free) for options in choices if opens.free(t0, options))
        elif program.same_facilitator:  # choices are [f] for each f of the team, in its order
            yield from ((t0, [f], free) for f in opens.fitting(t0, team))
        elif next(opens.fitting(t0, team), None) is not None:  # choices are [ranked]
            yield t0, ranked, free


def _earliest(cal: Calendar, free: SectionStarts, index: int, options: list[str]):
    """The starts of session ``index`` where it may go with one of ``options``, earliest first."""
    return cal.cand.sets.minutes(free.of(index, options))


def _cheapest_tries(cal, program, cohorts, rooms, pins, starts, choices):
    """Tries for the cheapest placement: the cheapest rooms first (all sessions in the cheapest
    room the section fits, at any start, before a dearer one at an earlier start), then the
    cheapest facilitator at their earliest start.

    Placing at the earliest start takes whatever room is free then: a section that fits the
    cheapest room went to one costing four times as much while the cheap one stood empty a day
    later (the demo's Paris and Berlin groups)."""
    tiers = [rooms[:k] for k in range(1, len(rooms) + 1)] if program.in_person else [rooms]
    for allowed in tiers or [rooms]:
        free = SectionStarts(cal, program, cohorts, allowed, starts)
        opens = _Opening(cal, program, cohorts, allowed, 0 in pins)
        for options in choices:
            first = [pins[0].start] if 0 in pins else _earliest(cal, free, 0, options)
            for t0 in first:
                if opens(t0) and opens.free(t0, options):
                    yield t0, options, free


class _Opening:
    """Whether the first session of a section could start at ``t0`` with one of ``options``:
    exactly the test ``_first_fit`` makes there, with the learners and rooms part (the same for
    every facilitator) computed once per start."""

    def __init__(self, cal: Calendar, program, cohorts: list[str], rooms: list[str], pinned: bool):
        self.cal, self.cohorts, self.rooms, self.pinned = cal, cohorts, rooms, pinned
        self.minutes, self.in_person = program.sessions[0], program.in_person
        self.known: dict[int, bool] = {}

    def __call__(self, t0: int) -> bool:
        """The learners are free and (in person) a room is."""
        if self.pinned:  # a pinned first session is not tested here
            return True
        cal, m = self.cal, self.minutes
        ok = self.known.get(t0)
        if ok is None:
            ok = cal.learners_fit(self.cohorts, t0, m) and (
                not self.in_person or cal.free_room(self.rooms, t0, m) is not None
            )
            self.known[t0] = ok
        return ok

    def fitting(self, t0: int, team):
        """Those of ``team`` who could teach the first session at ``t0``, in the team's order
        (what ``free`` tests for each, the masks read from the team's tree)."""
        k, fits, m = self.cal.cand.sets.position[t0], self.cal.facilitator_fits, self.minutes
        return (f for f in team.free_at(k) if fits(f, t0, m))

    def free(self, t0: int, options: list[str]) -> bool:
        """One of ``options`` could teach the first session at ``t0`` (their masks asked
        first)."""
        if self.pinned:
            return True
        cal, m = self.cal, self.minutes
        k, mask_of = cal.cand.sets.position[t0], cal.free.facilitator
        for f in options:
            if mask_of(f, m) >> k & 1 and cal.facilitator_fits(f, t0, m):
                return True
        return False


def _place_from(cand, cal, group, parts, free: SectionStarts, options, pins, t0, book=False):
    """Place every session with the first at ``t0`` and facilitators from ``options`` (in one
    of ``free.rooms``), left booked with ``book`` when all are placed."""
    program = group.program
    grid = cand.grid
    lo, hi = program.gap_days
    # Before anything is booked: the masks must hold every start the exact tests may accept.
    later = [
        free.of(i, options) if i and i not in pins else 0 for i in range(len(program.sessions))
    ]
    if not pins and not _may_follow(cand.sets, grid, program, later, t0):
        return None
    # Pinned sessions are booked first, so that a session placed before one of them keeps clear
    # of it too (buffer, daily maximum, room, learners); sessions are booked as they are placed,
    # so later ones see earlier ones. All is undone below when the attempt fails.
    for i in sorted(pins):
        cal.book(parts, pins[i])
    placed: list[PlannedSession] = []
    for i, minutes in enumerate(program.sessions):
        if i in pins:
            session = pins[i]
        else:
            if i == 0:
                window = [t0]
            else:
                window = _window(cand.sets, grid, later[i], placed[-1], lo, hi)
            session = _first_fit(cand, cal, group, parts, window, i, minutes, free.rooms, options)
        if session is None or (placed and not _follows(grid, placed[-1], session, lo, hi)):
            break
        placed.append(session)
        if i not in pins:
            cal.book(parts, session)
    if len(placed) == len(program.sessions):
        if not book:
            for session in placed:
                cal.unbook(parts, session)
        return placed
    for session in [*(x for x in placed if x.index not in pins), *pins.values()]:
        cal.unbook(parts, session)
    return None


def _follows(grid, before: PlannedSession, after: PlannedSession, lo: int, hi: int) -> bool:
    """Whether ``after`` may be the session after ``before``: it starts once ``before`` ends,
    ``lo`` to ``hi`` days later."""
    days = grid.day_index(after.start) - grid.day_index(before.start)
    return after.start >= before.end and lo <= days <= hi


def _may_follow(sets, grid, program, later: list[int], t0: int) -> bool:
    """Whether each later session of a section whose first starts at ``t0`` has a start left in
    its mask ``later[i]``, after the sessions before it end and on a day the gaps allow. For the
    second session that is exactly its window, for the others a window that holds theirs, so a
    try this rules out fails anyway, only later: after booking the first session. On 10,000
    cohorts 64,000 of 78,000 tries failed so, nearly all of them sections taught by one
    facilitator throughout (bench/results/log.md, "Tries that cannot succeed")."""
    lo, hi = program.gap_days
    starts = sets.starts
    first = last = t0  # the earliest and latest start session i - 1 may take
    for i in range(1, len(program.sessions)):
        after = first + program.sessions[i - 1]  # session i starts after session i - 1 ends
        days = sets.days(grid.day_index(first) + lo, grid.day_index(last) + hi)
        window = later[i] & sets.from_minute(after) & days
        if not window:
            return False
        first, last = starts[(window & -window).bit_length() - 1], starts[window.bit_length() - 1]
    return True


def _window(sets, grid, starts: int, prev: PlannedSession, lo: int, hi: int):
    """The ``starts`` (a mask) after ``prev`` ends whose day is ``lo`` to ``hi`` days after its
    day, earliest first."""
    day = grid.day_index(prev.start)
    return sets.minutes(starts & sets.from_minute(prev.end) & sets.days(day + lo, day + hi))


def _first_fit(cand, cal, group, parts, window, index, minutes, rooms, options):
    cohorts = list(parts)
    for t in window:
        if not cal.learners_fit(cohorts, t, minutes):
            continue
        f = cal.cheapest_free(group, options, t, minutes)
        if f is None:
            continue
        room = None
        if group.program.in_person:
            room = cal.free_room(rooms, t, minutes)
            if room is None:
                continue
        return PlannedSession(index, t, minutes, f, room)
    return None


def form_sections(
    cand: Candidates, group: Group, remaining: dict[str, int]
) -> list[dict[str, int]]:
    """Cohorts first-fit into sections of at most the group's capacity (large ones split evenly)."""
    problem = cand.problem
    sections: list[dict[str, int]] = []
    seated = _Seated()
    for c in group.cohorts:
        cohort = problem.cohorts[c]
        left = remaining.get(c, 0)
        if left <= 0 or group.capacity <= 0:
            continue
        if left > group.capacity and not cohort.splittable:
            continue
        pieces = math.ceil(left / group.capacity)
        for k in range(pieces):
            chunk = left // pieces + (1 if k < left % pieces else 0)
            # A cohort that may not merge joins no section, and its own take no other cohort
            # (``may_join``): they are not searched (on 10,000 cohorts, 5 % of them were most
            # of the tests).
            target = None
            if cohort.mergeable:
                target = next(
                    (t for t in seated.at_most(group.capacity - chunk)
                     if may_join(cand, group, sections[t], c, chunk)),
                    None,
                )  # fmt: skip
            if target is None:
                sections.append({c: chunk})
                seated.open(chunk, joinable=cohort.mergeable)
            else:
                sections[target][c] = chunk
                seated.add(target, chunk)
    return sections


class _Seated:
    """The learners seated in each section being formed, searchable in first-fit order: the
    sections with at most ``n`` seated, first opened first. Sections are kept per count, so a
    search skips those too full for a chunk instead of testing each: a group of 700 sections
    (the demo scaled to 2,040 cohorts) tested every one of them for every chunk."""

    def __init__(self) -> None:
        self._count: list[int] = []
        self._sections: dict[int, list[int]] = {}  # count -> sections seating it, in order

    def open(self, n: int, joinable: bool = True) -> None:
        """A new section, seating ``n``: the last opened, so last in its count's list (unless
        no other cohort may join it: then it is never searched)."""
        if joinable:
            self._sections.setdefault(n, []).append(len(self._count))
        self._count.append(n)

    def add(self, section: int, n: int) -> None:
        """``n`` more learners in ``section``."""
        before = self._count[section]
        same = self._sections[before]
        del same[bisect_left(same, section)]
        if not same:
            del self._sections[before]
        self._count[section] = before + n
        insort(self._sections.setdefault(before + n, []), section)

    def at_most(self, n: int) -> Iterator[int]:
        """The sections seating at most ``n``, in the order they were opened (merged only
        where two counts or more qualify: on 10,000 cohorts most chunks find none or one)."""
        lists = [s for count, s in self._sections.items() if count <= n]
        if len(lists) > 1:
            return heapq.merge(*lists)
        return iter(lists[0] if lists else ())


def may_join(
    cand: Candidates, group: Group, section: dict[str, int], cohort: str, chunk: int
) -> bool:
    """Whether ``chunk`` learners of ``cohort`` may join ``section``: seats left, both sides
    mergeable, and a common allowed start for every session."""
    problem = cand.problem
    if cohort in section or sum(section.values()) + chunk > group.capacity:
        return False
    if not problem.cohorts[cohort].mergeable or not all(
        problem.cohorts[c].mergeable for c in section
    ):
        return False
    return cands.common_starts(cand, [*section, cohort])


def _fixed_sections(cand: Candidates, cal: Calendar, plan: Plan, remaining: dict[str, int]) -> None:
    """Book the fixed sessions as published, then the other sessions of their sections.

    ``plan.fixed_fit`` says whether every fixed section is whole (each of its sessions fixed)
    and passed the tests each placement of the engine passes (``_fixed_section_fits``); when
    not, only the checker can say whether the fixed sessions keep every rule
    (``solve._valid_start``)."""
    by_section: dict[str, list] = defaultdict(list)
    for fx in cand.problem.fixed:
        by_section[fx.section].append(fx)
    allowed = _Allowed(cand)
    fits = True
    for sid, items in by_section.items():
        parts = {p.cohort: p.learners for p in items[0].cohorts}
        group = cand.groups[cand.group_of[next(iter(parts))]]
        pins = {}
        for fx in items:
            minutes = group.program.sessions[fx.session]
            start = cand.grid.minute(fx.start)
            who = fx.facilitator or _free_or_first(
                cand.qualified[group.program.id] or list(cand.problem.facilitators),
                lambda f, t=start, m=minutes: cal.facilitator_fits(f, t, m),
            )
            room = fx.room
            if room is None and group.program.in_person:
                room = _free_or_first(
                    cand.rooms_for(group) or [None],
                    lambda r, t=start, m=minutes: r is not None and cal.room_fits(r, t, m),
                )
            pins[fx.session] = PlannedSession(fx.session, start, minutes, who, room)
        # With every session fixed there is nothing to place: the search would find these very
        # sessions or none, and they are kept either way (a tenth of 10,000 cohorts' sections
        # fixed: the searches were a tenth of the time to the first schedule).
        if len(pins) == len(group.program.sessions):
            sessions = [pins[i] for i in sorted(pins)]  # booked by the test
            passed = _fixed_section_fits(cand, cal, group, parts, sessions, remaining,
                                         allowed.of(group))  # fmt: skip
            fits = fits and passed
        else:
            fits = False  # the checker decides
            sessions = place_section(cand, cal, group, parts, pins, book=True)
        if sessions is None:  # the other sessions cannot be placed: keep at least what is fixed
            sessions = [pins[i] for i in sorted(pins)]
            for s in sessions:
                cal.book(parts, s)
        plan.sections.append(PlannedSection(group.key, parts, sessions, fixed_id=sid))
        for c, n in parts.items():
            remaining[c] = remaining.get(c, 0) - n
    # A cohort that may not be split sits in its fixed section only, the rest of it left out: a
    # section formed of the rest broke the rule (and the check of the fixed sections alone,
    # which lists the rest as unscheduled, did not see it).
    for c in {part.cohort for fx in cand.problem.fixed for part in fx.cohorts}:
        if not cand.problem.cohorts[c].splittable:
            remaining[c] = min(remaining[c], 0)
    plan.fixed_fit = fits


def _fixed_section_fits(cand, cal, group, parts, sessions, remaining, allowed) -> bool:
    """Books ``sessions``, a fixed section's every session, whatever they clash with, and says
    whether they keep every rule: its cohorts may sit together as ``parts`` (learners left,
    seats, merging and splitting), one facilitator teaches throughout where the program asks
    for it, the days between sessions keep its gap, and each session passes what a kept
    session passes (``_fits_where_it_is``), tested with the fixed sessions before it booked.
    The engine places every other session by these
    same tests, so a plan whose fixed sections all pass keeps every rule without the checker
    (a fifth of the first schedule on 10,000 cohorts with a tenth of the sections fixed)."""
    program = group.program
    low, high = program.seats
    fits = (
        all(cand.group_of.get(c) == group.key and 0 < n <= remaining.get(c, 0)
            for c, n in parts.items())
        and low <= sum(parts.values()) <= high
        and _still_allowed(cand.problem, parts, remaining)
        and (not program.same_facilitator or len({s.facilitator for s in sessions}) == 1)
        and all(_follows(cand.grid, before, after, *program.gap_days)
                for before, after in zip(sessions, sessions[1:], strict=False))
    )  # fmt: skip
    cohorts, size = list(parts), sum(parts.values())
    for session in sessions:
        fits = fits and _fits_where_it_is(cand, cal, group, cohorts, size, session, allowed)
        cal.book(parts, session)
    return fits


def _free_or_first(options: list, free) -> Any:
    """The first option that is free, else the first one (a fixed session left open)."""
    return next((o for o in options if free(o)), options[0])


def _previous_sections(
    cand: Candidates,
    cal: Calendar,
    plan: Plan,
    remaining: dict[str, int],
    deadline: Deadline | None,
    guide: list[dict] | None = None,
    building: Building | None = None,
) -> None:
    """Keep each section of ``previous`` that still fits, moving only the sessions that must move.

    With ``guide`` (the sections of another plan, as in a schedule document) those are kept
    instead; the ones that are sections of ``previous`` still count as kept (their id)."""
    kept, previous_ids, fixed_ids = _plan_kept(cand, guide)
    allowed = _Allowed(cand)
    for looked, sec in enumerate(kept):
        if building is not None:
            building("previous", looked, len(kept))
        if deadline is not None:
            deadline.check()
        found = _kept_parts(cand, sec, remaining, fixed_ids)
        if found is None:
            continue
        group, parts = found
        pins = _still_valid(cand, cal, group, parts, sec, allowed(group, sec))
        if len(pins) == len(group.program.sessions):
            sessions = _keep_as_is(cand, cal, group, parts, pins)
        else:
            _unbook(cal, parts, pins)
            sessions = place_section(cand, cal, group, parts, pins, book=True) if pins else None
        sessions = sessions or place_section(cand, cal, group, parts, book=True)
        if sessions is None:
            continue
        kept_id = sec.get("id") if sec.get("id") in previous_ids else None
        plan.sections.append(PlannedSection(group.key, parts, sessions, previous_id=kept_id))
        for c, n in parts.items():
            remaining[c] -= n


def _previous_sections_compiled(
    cand: Candidates,
    placement: compiled_greedy.Placement,
    plan: Plan,
    remaining: dict[str, int],
    deadline: Deadline | None,
    guide: list[dict] | None = None,
    building: Building | None = None,
) -> bool:
    """``_previous_sections`` in C (``compiled_greedy.Placement.keep``): the same sections kept
    and placed again, booked in ``placement``; ``building`` is told before and once all are
    looked at, and the deadline is looked at before (0.05 s for 12,434 sections on 10,000
    cohorts, where Python took 0.3 s).

    Each section's learners are read as if every section before it was placed, as they nearly
    always are. False (nothing added to ``plan``, ``placement`` no longer of use) when one that
    was not changes what a later one takes, so that the Python loop keeps them instead."""
    kept, previous_ids, fixed_ids = _plan_kept(cand, guide)
    if not kept:
        return True
    if deadline is not None:
        deadline.check()
    if building is not None:
        building("previous", 0, len(kept))
    allowed, taken = _Allowed(cand), dict(remaining)
    tried: list[tuple[Group, dict[str, int]] | None] = []
    batch = []
    for sec in kept:
        found = _kept_parts(cand, sec, taken, fixed_ids)
        tried.append(found)
        if found is not None:
            group, parts = found
            batch.append((group, parts, _kept_starts(cand, group, parts, sec, allowed(group, sec))))
            for c, n in parts.items():
                taken[c] -= n
    placed = iter(placement.keep(batch))
    sections, left, missed = [], dict(remaining), False
    for sec, found in zip(kept, tried, strict=True):
        if missed and _parts_of(_kept_parts(cand, sec, left, fixed_ids)) != _parts_of(found):
            return False
        if found is None:
            continue
        group, parts = found
        sessions = next(placed)
        if sessions is None:
            missed = True  # its learners are left: a later section may take more of them
            continue
        kept_id = sec.get("id") if sec.get("id") in previous_ids else None
        sections.append(PlannedSection(group.key, parts, sessions, previous_id=kept_id))
        for c, n in parts.items():
            left[c] -= n
    plan.sections += sections
    remaining.update(left)
    if building is not None:
        building("previous", len(kept), len(kept))
    return True


def _parts_of(found: tuple[Group, dict[str, int]] | None) -> dict[str, int] | None:
    return None if found is None else found[1]


def _plan_kept(cand: Candidates, guide: list[dict] | None) -> tuple[list, set, set[str]]:
    """(the sections kept first: ``guide``, else those of ``previous``; the ids of
    ``previous``'s sections; the ids of the fixed sections)."""
    fixed_ids = {fx.section for fx in cand.problem.fixed}
    previous = (cand.problem.previous or {}).get("sections") or []
    previous_ids = {sec.get("id") for sec in previous}
    return (previous if guide is None else guide), previous_ids, fixed_ids


def _kept_parts(
    cand: Candidates, sec: dict, remaining: dict[str, int], fixed_ids: set[str]
) -> tuple[Group, dict[str, int]] | None:
    """The group of a section of the plan kept and its learners, as many of each cohort as are
    left in ``remaining``; None when it is fixed, has none left, or no longer makes a section
    (cohorts of different groups now, too few or too many learners, a cohort that may no longer
    share a section or be split)."""
    parts = {}
    for part in sec.get("cohorts") or []:
        c = part.get("cohort")
        if c in cand.group_of and remaining.get(c, 0) > 0:
            parts[c] = min(int(part.get("learners", 0)), remaining[c])
    if sec.get("id") in fixed_ids or not parts:
        return None
    group = cand.groups[cand.group_of[next(iter(parts))]]
    if any(cand.group_of[c] != group.key for c in parts):
        return None
    if not group.program.seats[0] <= sum(parts.values()) <= group.capacity:
        return None
    if not _still_allowed(cand.problem, parts, remaining):
        return None
    return group, parts


def _still_allowed(problem: Problem, parts: dict[str, int], remaining: dict[str, int]) -> bool:
    """Whether a kept section's cohorts may still sit together as ``parts``: a cohort no longer
    mergeable sits alone, and one no longer splittable is seated whole, in this section only.
    A coordinator may change either after publishing; the section kept anyway broke the rule in
    the re-plan's answer (the search starts from the plan and keeps what it does not move)."""
    cohorts = problem.cohorts
    if len(parts) > 1 and not all(cohorts[c].mergeable for c in parts):
        return False
    return all(
        cohorts[c].splittable or n == remaining[c] == cohorts[c].size for c, n in parts.items()
    )


class _Allowed:
    """Per group, the sets of its program's qualified facilitators and of its rooms, asked of
    every kept session (the list of a program's 500 facilitators was read through each time,
    and a site has a hundred rooms)."""

    def __init__(self, cand: Candidates) -> None:
        self.cand = cand
        self.qualified = {program: set(people) for program, people in cand.qualified.items()}
        self.rooms: dict[str, set[str]] = {}

    def __call__(self, group: Group, sec: dict) -> tuple[set[str], set[str]]:
        """(who may teach a session of ``sec`` where it was, the rooms it may keep)."""
        qualified, rooms = self.of(group)
        if group.program.same_facilitator:
            qualified = _first_teacher(sec) & qualified
        return qualified, rooms

    def of(self, group: Group) -> tuple[set[str], set[str]]:
        """(the program's qualified facilitators, the group's rooms)."""
        if group.key not in self.rooms:
            self.rooms[group.key] = set(self.cand.rooms_for(group))
        return self.qualified[group.program.id], self.rooms[group.key]


def _first_teacher(sec: dict) -> set[str]:
    """Who teaches the first session of a kept section: where its program asks for one
    facilitator throughout, only their sessions are kept, the others placed again with them (a
    coordinator may have given one session to someone else; kept whole, the section broke the
    rule)."""
    indexed = [x for x in sec.get("sessions") or [] if isinstance(x.get("index"), int)]
    first = min(indexed, key=lambda x: x["index"], default={}).get("facilitator")
    return {first} if isinstance(first, str) else set()


def _kept_starts(cand, group, parts, sec, allowed) -> list[tuple[int, int, str, str | None]]:
    """The sessions of ``sec`` that may still fit where they were, for the compiled loop to
    test against its calendar (``compiled_greedy.Kept``): what ``_kept_session`` asks of the
    data alone (a session of the program, a start on the grid, a qualified facilitator, a room
    of the group that seats the section)."""
    qualified, rooms = allowed
    in_person, count = group.program.in_person, len(group.program.sessions)
    size = sum(parts.values())
    position, text_minute, seats = cand.sets.position, cand.grid.text_minute, cand.problem.rooms
    out = []
    for x in sec.get("sessions") or []:
        i = x.get("index")
        if not isinstance(i, int) or not 0 <= i < count:
            continue
        try:
            k = position.get(text_minute(x["start"]))
        except (KeyError, TypeError, ValueError):
            continue
        f, r = x.get("facilitator"), x.get("room") if in_person else None
        if k is None or f not in qualified:
            continue
        if in_person and (r not in rooms or seats[r].capacity < size):
            continue
        out.append((i, k, f, r))
    return out


def _keep_as_is(cand, cal, group, parts, pins) -> list[PlannedSession] | None:
    """A section whose every session still fits where it was (``pins``, booked), kept as it is
    when the days between its sessions still keep the program's gap (else None, its sessions
    taken back): what ``place_section`` with every session pinned finds, without searching
    (most of a re-plan's sections on 10,000 cohorts are kept whole: the search's set-up was
    half of its first schedule's time)."""
    lo, hi = group.program.gap_days
    sessions = [pins[i] for i in range(len(group.program.sessions))]
    if not all(
        _follows(cand.grid, before, after, lo, hi)
        for before, after in zip(sessions, sessions[1:], strict=False)
    ):
        _unbook(cal, parts, pins)
        return None
    return sessions


def _unbook(cal: Calendar, parts: dict[str, int], pins: dict[int, PlannedSession]) -> None:
    """Take back the sessions ``_still_valid`` left booked."""
    for session in pins.values():
        cal.unbook(parts, session)


def _still_valid(cand, cal, group, parts, sec, allowed) -> dict[int, PlannedSession]:
    """The sessions of ``sec`` (a section of the plan kept) that may stay where they are for
    ``parts``: allowed for its cohorts, its facilitator and room among ``allowed`` (the sets of
    the program's qualified facilitators and the group's rooms), learners and room still free,
    each tested with the section's sessions kept before it booked. They are left booked
    (``_unbook`` takes them back): a section kept whole, most of a re-plan's, is then booked
    once, not three times."""
    pins: dict[int, PlannedSession] = {}
    size = sum(parts.values())
    cohorts = list(parts)
    try:
        for x in sec.get("sessions") or []:
            session = _kept_session(cand, cal, group, parts, x, allowed, size, cohorts)
            if session is not None and session.index not in pins:
                pins[session.index] = session
                # booked while the others are tested: two sessions of one section may each fit
                # alone and not together (a daily maximum lowered since, a longer session)
                cal.book(parts, session)
    except BaseException:
        _unbook(cal, parts, pins)
        raise
    return pins


def _kept_session(cand, cal, group, parts, x, allowed, size, cohorts) -> PlannedSession | None:
    """Session ``x`` of a kept section, where it was, when it may stay there (else None)."""
    i = x.get("index")
    if not isinstance(i, int) or not 0 <= i < len(group.program.sessions):
        return None
    try:
        start = cand.grid.text_minute(x["start"])
    except (KeyError, TypeError, ValueError):
        return None
    room = x.get("room") if group.program.in_person else None
    session = PlannedSession(i, start, group.program.sessions[i], x.get("facilitator"), room)
    return session if _fits_where_it_is(cand, cal, group, cohorts, size, session, allowed) else None


def _fits_where_it_is(cand, cal, group, cohorts, size, session, allowed) -> bool:
    """Whether ``session`` of a section of ``group`` seating ``size`` learners of ``cohorts``
    may be where it is: a start allowed for every cohort, a qualified facilitator who is free,
    its learners free, and in person a free room of the group that seats them (a virtual
    session has no room). ``allowed``: (the qualified facilitators, the group's rooms)."""
    qualified, rooms = allowed
    start, minutes, f, r = session.start, session.minutes, session.facilitator, session.room
    if group.program.in_person:
        in_room = (
            r in rooms
            and cand.problem.rooms[r].capacity >= size
            and cal.room_fits(r, start, minutes)
        )
    else:
        in_room = r is None
    return (
        all(cand.sets.has(cand.start_mask(c, session.index), start) for c in cohorts)
        and f in qualified
        and cal.facilitator_fits(f, start, minutes)
        and cal.learners_fit(cohorts, start, minutes)
        and in_room
    )


def urgency(cand: Candidates, parts: dict[str, int]) -> tuple:
    """Sort key placing sections most urgent first, as a coordinator would: earliest deadline,
    then the largest section."""
    cohorts = cand.problem.cohorts
    return (min([cohorts[c].deadline for c in parts]), -sum(parts.values()))


def greedy_plan(
    cand: Candidates,
    deadline: Deadline | None = None,
    guide: list[dict] | None = None,
    building: Building | None = None,
) -> Plan:
    """The coordinator's plan for the problem behind ``cand``.

    ``guide`` (schedule sections, e.g. the whole problem's greedy plan given to one part of it)
    is kept first where it still fits, in place of ``previous``. When ``deadline`` passes, the
    sections placed so far are the plan (fixed sessions are always booked first) and
    ``plan.unreached`` lists the cohorts it did not get to. ``building`` is told how far the
    plan is (``Building``) before each section and once all are tried.

    Once fixed sessions are booked, what is kept of ``previous`` or ``guide`` and the sections
    formed of the learners left are placed by the compiled loop where it was built
    (:mod:`solver.compiled_greedy`: the same plan, several times sooner), unless two bookings
    overlap; it is told the deadline and ``building`` only before each of those two steps and
    once it is done."""
    problem = cand.problem
    cal = Calendar(cand)
    plan = Plan(unreached=set(cand.unexamined))
    remaining = {c.id: c.size for c in problem.cohorts.values()}
    _fixed_sections(cand, cal, plan, remaining)
    pending: list[tuple[Group, dict[str, int]]] = []
    formed: set[str] = set()  # groups whose sections are formed
    tried = 0
    placement = None  # the compiled loop's calendar (compiled_greedy), once made
    try:
        kept = _plan_kept(cand, guide)[0]
        if kept and compiled_greedy.applies(cal):
            placement = compiled_greedy.Placement(cand, cal)
            if not _previous_sections_compiled(
                cand, placement, plan, remaining, deadline, guide, building
            ):
                placement = None
        if kept and placement is None:
            _previous_sections(cand, cal, plan, remaining, deadline, guide, building)
        for group in cand.groups.values():
            if deadline is not None:
                deadline.check()
            for parts in form_sections(cand, group, remaining):
                if sum(parts.values()) >= group.program.seats[0]:
                    pending.append((group, parts))
            formed.add(group.key)
        pending.sort(key=lambda gp: urgency(cand, gp[1]))
        if pending and (placement is not None or compiled_greedy.applies(cal)):
            # The same placements, made in C all at once (0.15 s for 12,676 sections on 10,000
            # cohorts): the deadline is looked at before, and the count goes from none to all.
            if deadline is not None:
                deadline.check()
            if building is not None:
                building("new", tried, len(pending))
            placement = placement or compiled_greedy.Placement(cand, cal)
            placed = placement.place(pending)
            for (group, parts), sessions in zip(pending, placed, strict=True):
                tried += 1
                if sessions is not None:
                    plan.sections.append(PlannedSection(group.key, parts, sessions))
        while tried < len(pending):
            if building is not None:
                building("new", tried, len(pending))
            group, parts = pending[tried]
            sessions = place_section(cand, cal, group, parts, deadline=deadline, book=True)
            tried += 1
            if sessions is None:
                continue
            plan.sections.append(PlannedSection(group.key, parts, sessions))
        if building is not None:
            building("new", tried, len(pending))
    except TimeUp:  # the section being placed, and those after it, were not tried to the end
        plan.unreached.update(c for _, parts in pending[tried:] for c in parts)
        plan.unreached.update(
            c for key, group in cand.groups.items() if key not in formed for c in group.cohorts
        )
    return plan


def greedy(problem: Problem) -> dict[str, Any]:
    """The greedy baseline schedule as a v1 document (status ``feasible``)."""
    from solver.explain import unscheduled_reasons
    from solver.plan import to_document

    cand = cands.build(problem)
    plan = greedy_plan(cand)
    return to_document(
        cand,
        plan,
        status="feasible",
        reasons=unscheduled_reasons(cand, plan),
        solver={"wall_seconds": 0.0, "time_limit": 0, "bound": 0.0, "gap": None},
        lower_bound=0.0,
    )
