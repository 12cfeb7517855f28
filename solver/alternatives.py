"""The move assistant: every valid other time, facilitator and room for one session, ranked.

Options come from the solver's own candidate generation (``solver.candidates`` on the section's
cohorts: their allowed starts, who is qualified and bookable, which rooms are free), are narrowed
by what the rest of the schedule already occupies, priced with the checker's cost items, and the
best ones are then checked with the independent checker's own rules (``solver.check_move``, which
answers as the whole checker would on the documents ``solver.moves`` makes): an alternative is
listed only when the move the coordinator would make passes every rule.

Ranking: cost change first, then the number of people whose calendar changes, then the earliest
start. People affected: a new time or room changes the calendar of every learner of the section
and of its facilitator(s); a new facilitator alone changes only the two facilitators' calendars.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from solver import candidates
from solver.candidates import Candidates
from solver.check_move import MoveCheck, read_and_check, rest_violations
from solver.cost import cost_from_cents, in_if_need_be, recompute_cost, session_cents, to_cents
from solver.localtime import to_local
from solver.moves import Move, move_violations, moved_documents
from solver.problem import Problem
from solver.schedule import parse_utc
from solver.scheduled import PlacedSchedule, PlacedSession
from solver.timegrid import TimeGrid, normalise, overlaps
from solver.validate import parse_problem

#: How many alternatives the assistant lists, and how many it at most runs the checker on.
LISTED = 12
CHECKED = 40
#: At most this many alternatives at one start time, so the list offers different times.
PER_START = 3


@dataclass(frozen=True)
class Alternative:
    """One valid placement of the session (UTC start and end, facilitator and room keys)."""

    start: datetime
    end: datetime
    facilitator: str | None
    room: str | None
    cost_change: float  # total cost after the move minus before, in the problem's currency
    people: int  # learners and facilitators whose calendar the move changes
    changes: tuple[str, ...]  # what differs from now: "time", "facilitator", "room"


@dataclass
class _Option:
    """A placement found free in the data, before the checker has seen it."""

    start: int  # model minutes
    facilitator: str | None
    room: str | None
    estimate: int  # cost change in cents, from the session's own cost items
    people: int
    changes: tuple[str, ...]

    def rank(self) -> tuple:
        return (self.estimate, self.people, self.start, self.facilitator or "", self.room or "")


def alternatives(
    problem_doc: dict,
    schedule_doc: dict,
    section: str,
    index: int,
    *,
    published: dict | None = None,
    listed: int = LISTED,
) -> list[Alternative]:
    """The valid alternatives for session ``index`` (from 0) of ``section``, best first.

    ``published`` is the period's published schedule (the move's ``changes`` cost counts against
    it, as ``solver.moves.moved_documents`` does). Every alternative returned passes the whole
    checker once applied with ``moved_documents`` (``solver.check_move`` runs the checker's
    rules on what the move changes); at most ``CHECKED`` placements are checked."""
    doc = dict(problem_doc, previous=published) if published is not None else problem_doc
    read = read_and_check(doc, schedule_doc)
    if read is None:
        return []  # the problem has errors: every moved problem would have them too
    problem, placed = read.problem, read.placed
    session = _session(placed, section, index)
    cand = section_candidates(problem, session)
    options = diversified(
        sorted(free_options(problem, cand, placed, session, published), key=_Option.rank)
    )
    if placed.problems:  # a schedule the checker cannot fully read: check whole documents
        return _checked_whole(
            cand.grid, problem_doc, schedule_doc, session, options, published, listed
        )
    if not read.whole_valid and rest_violations(problem, placed, session.section):
        return []  # broken elsewhere whatever the move
    checker = MoveCheck(problem, placed, session, read.facts)
    before = cost_from_cents(checker.cents, checker.learners)["total"]
    out: list[Alternative] = []
    for option in options[:CHECKED]:
        start = cand.grid.instant(option.start)
        found, cost = checker.violations(start, option.facilitator, option.room)
        if not found:
            out.append(_alternative(session, option, start, round(cost["total"] - before, 2)))
        if len(out) == listed:
            break
    return sorted(out, key=lambda a: (a.cost_change, a.people, a.start))


def _alternative(session: PlacedSession, option: _Option, start, cost_change) -> Alternative:
    return Alternative(
        start=start,
        end=start + (session.end - session.start),
        facilitator=option.facilitator,
        room=option.room,
        cost_change=cost_change,
        people=option.people,
        changes=option.changes,
    )


def _checked_whole(grid, problem_doc, schedule_doc, session, options, published, listed):
    """The alternatives found by running the whole checker on each moved document."""
    before = total_cost(problem_doc, schedule_doc, published)
    out: list[Alternative] = []
    for option in options[:CHECKED]:
        found = _checked(grid, problem_doc, schedule_doc, session, option, published, before)
        if found is not None:
            out.append(found)
        if len(out) == listed:
            break
    return sorted(out, key=lambda a: (a.cost_change, a.people, a.start))


def _session(placed: PlacedSchedule, section: str, index: int) -> PlacedSession:
    for session in placed.sessions:
        if (session.section.id, session.index) == (section, index):
            return session
    raise KeyError(f"section {section!r} has no session {index + 1}")


def section_candidates(problem: Problem, session: PlacedSession) -> Candidates:
    """The solver's candidate generation on the section's own cohorts (every facilitator and
    room kept): their allowed starts, and when each facilitator and room is bookable."""
    cohorts = {c: problem.cohorts[c] for c in sorted(session.section.cohort_ids)}
    # Only who could teach it and the rooms at its sites: the others are never offered, and
    # their availability over the whole horizon is most of the cost of building candidates.
    program = session.section.program
    sites = {cohort.site for cohort in cohorts.values()}
    facilitators = {k: f for k, f in problem.facilitators.items() if candidates.teaches(f, program)}
    rooms = {k: r for k, r in problem.rooms.items() if r.site in sites}
    narrow = dataclasses.replace(
        problem, cohorts=cohorts, facilitators=facilitators, rooms=rooms, fixed=(), previous=None
    )
    return candidates.build(narrow, TimeGrid(narrow))


def allowed_starts(cand: Candidates, placed: PlacedSchedule, session: PlacedSession) -> list[int]:
    """Grid starts every cohort of the section allows for this session, that keep the section's
    sessions in order and its spacing (gap_days) to the sessions before and after it."""
    common: set[int] | None = None
    for cohort in session.section.cohort_ids:
        starts = set(cand.cohort_starts[(cohort, session.index)])
        common = starts if common is None else common & starts
    grid, program = cand.grid, session.section.program
    low, high = program.gap_days
    minutes = program.sessions[session.index]
    others = {s.index: s for s in session.section.sessions if s is not session}
    out = []
    for t in sorted(common or ()):
        day = grid.local_date(t)
        before, after = others.get(session.index - 1), others.get(session.index + 1)
        if before is not None:
            gap = (day - to_local(before.start, cand.problem.timezone).date()).days
            if grid.minute(before.end) > t or not low <= gap <= high:
                continue
        if after is not None:
            gap = (to_local(after.start, cand.problem.timezone).date() - day).days
            if grid.minute(after.start) < t + minutes or not low <= gap <= high:
                continue
        out.append(t)
    return out


def facilitator_choices(cand: Candidates, session: PlacedSession) -> list[str]:
    """Qualified facilitators; only the section's own when its program keeps one facilitator
    for all its sessions (another person for one session would break that rule)."""
    program = session.section.program
    if program.same_facilitator and len(session.section.sessions) > 1:
        return [session.facilitator] if session.facilitator else []
    return list(cand.qualified[program.id])


def room_choices(cand: Candidates, session: PlacedSession) -> list[str | None]:
    """Rooms at the section's site that seat all its learners; no room for a virtual program."""
    program = session.section.program
    if not program.in_person:
        return [None]
    sites = {cand.problem.cohorts[c].site for c in session.section.cohort_ids}
    rooms = [r for site in sorted(sites, key=str) for r in cand.rooms_at.get(site or "", [])]
    return [r for r in rooms if cand.problem.rooms[r].capacity >= session.section.learners]


def busy(
    problem: Problem, cand: Candidates, placed: PlacedSchedule, session: PlacedSession
) -> dict:
    """Model-minute intervals already taken by the other sessions: per facilitator (widened by
    their buffer), per room, and for the section's learners (shared learners or conflict groups)."""
    grid = cand.grid  # ``problem`` is the whole one: cand's knows only the section's cohorts
    keys = _conflict_keys(problem, session.section.cohort_ids)
    taken: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for other in placed.sessions:
        if other is session:
            continue
        span = (grid.minute(other.start), grid.minute(other.end))
        facilitator = problem.facilitators.get(other.facilitator)
        if facilitator is not None:
            buffer = facilitator.buffer_minutes
            taken["facilitator", facilitator.id].append((span[0] - buffer, span[1] + buffer))
        if other.room is not None:
            taken["room", other.room].append(span)
        if other.section is not session.section and keys & _conflict_keys(
            problem, other.section.cohort_ids
        ):
            taken["learners", ""].append(span)
    # merged: ``overlaps`` bisects a sorted list of disjoint intervals
    return {key: normalise(spans) for key, spans in taken.items()}


def _conflict_keys(problem: Problem, cohort_ids) -> set[str]:
    keys: set[str] = set()
    for c in cohort_ids:
        cohort = problem.cohorts.get(c)
        if cohort is not None:
            keys |= {f"l:{x}" for x in cohort.learners} | {f"g:{g}" for g in cohort.conflict_groups}
    return keys


def free_options(
    problem: Problem,
    cand: Candidates,
    placed: PlacedSchedule,
    session: PlacedSession,
    published: dict | None,
) -> Iterator[_Option]:
    """Every placement other than the current one whose facilitator and room are bookable and
    free, whose learners are free, and that keeps the facilitator under their daily maximum."""
    grid = cand.grid
    minutes = session.section.program.sessions[session.index]
    taken = busy(problem, cand, placed, session)
    now = (grid.minute(session.start), session.facilitator, session.room)
    facilitators, rooms = facilitator_choices(cand, session), room_choices(cand, session)
    daily = _daily_minutes(problem, placed, session)
    pricing = _Pricing(problem, grid, session, published)
    for t in allowed_starts(cand, placed, session):
        if overlaps(taken.get(("learners", ""), []), t, t + minutes):
            continue
        free_rooms = [
            r
            for r in rooms
            if r is None
            or (
                cand.room_free(r, t, minutes)
                and not overlaps(taken.get(("room", r), []), t, t + minutes)
            )
        ]
        for f in facilitators:
            if not cand.facilitator_free(f, t, minutes):
                continue
            if overlaps(taken.get(("facilitator", f), []), t, t + minutes):
                continue
            if not _under_daily_maximum(problem, grid, daily, f, t, minutes):
                continue
            for r in free_rooms:
                if (t, f, r) != now:
                    yield pricing.option(t, f, r)


def _daily_minutes(problem: Problem, placed: PlacedSchedule, session: PlacedSession) -> dict:
    """Minutes each facilitator teaches per local day in the other sessions."""
    out: dict[tuple[str, object], int] = defaultdict(int)
    for other in placed.sessions:
        facilitator = problem.facilitators.get(other.facilitator)
        if other is not session and facilitator is not None:
            out[facilitator.id, to_local(other.start, facilitator.timezone).date()] += other.minutes
    return out


def _under_daily_maximum(problem, grid, daily, facilitator: str, t: int, minutes: int) -> bool:
    person = problem.facilitators[facilitator]
    if person.max_minutes_per_day is None:
        return True
    day = grid.local_date(t, person.timezone)
    return daily.get((facilitator, day), 0) + minutes <= person.max_minutes_per_day


class _Pricing:
    """Each option's cost change estimated from the session's own cost items (fees, travel,
    room, reluctance, and one change more or less against the published schedule).

    ``session_cents`` depends on the time only through the facilitator's if-need-be windows:
    the items are priced once per facilitator, room and reluctance rather than per option (the
    listed cost change is recomputed exactly by the check)."""

    def __init__(self, problem: Problem, grid: TimeGrid, session: PlacedSession, published):
        self.problem, self.grid, self.session = problem, grid, session
        self.now = sum(session_cents(problem, session).values())
        self.was = _published_placement(published, session)
        self.change = to_cents(Decimal(repr(problem.change_cost)))
        self.current = (session.start, session.facilitator, session.room)
        self._reluctant: dict[tuple[str, int], bool] = {}
        self._items: dict[tuple[str, str | None, bool], int] = {}

    def option(self, t: int, facilitator: str, room: str | None) -> _Option:
        start = self.grid.instant(t)
        key = (facilitator, t)
        if key not in self._reluctant:
            person = self.problem.facilitators[facilitator]
            self._reluctant[key] = in_if_need_be(person, self._moved(start, facilitator, room))
        items = (facilitator, room, self._reluctant[key])
        if items not in self._items:
            moved = self._moved(start, facilitator, room)
            self._items[items] = sum(session_cents(self.problem, moved).values())
        estimate = self._items[items] - self.now
        if self.was is not None:
            estimate += self.change * ((start, facilitator, room) != self.was)
            estimate -= self.change * (self.current != self.was)
        changes = what_changes(self.current, (start, facilitator, room))
        people = people_affected(self.session.section.learners, changes)
        return _Option(t, facilitator, room, estimate, people, changes)

    def _moved(self, start: datetime, facilitator: str, room: str | None) -> PlacedSession:
        session = self.session
        return dataclasses.replace(
            session, start=start, end=start + (session.end - session.start),
            facilitator=facilitator, room=room,
        )  # fmt: skip


def _published_placement(published: dict | None, session: PlacedSession):
    for section in (published or {}).get("sections") or []:
        if section.get("id") == session.section.id:
            for entry in section.get("sessions") or []:
                if entry.get("index") == session.index:
                    return parse_utc(entry["start"]), entry.get("facilitator"), entry.get("room")
    return None


def people_affected(learners: int, changes: tuple[str, ...]) -> int:
    """Learners and facilitators whose calendar changes (see the module's docstring)."""
    facilitators = 2 if "facilitator" in changes else 1
    if "time" in changes or "room" in changes:
        return learners + facilitators
    return facilitators


def what_changes(
    before: tuple[datetime, str | None, str | None], after: tuple[datetime, str | None, str | None]
) -> tuple[str, ...]:
    """Which of time, facilitator and room differ between two placements."""
    names = ("time", "facilitator", "room")
    return tuple(name for name, a, b in zip(names, before, after, strict=True) if a != b)


def diversified(options: list[_Option]) -> list[_Option]:
    """Ranked options, at most ``PER_START`` at any one start time first (so that the list
    offers different times), then the others in rank order."""
    per_start: dict[int, int] = defaultdict(int)
    first, rest = [], []
    for option in options:
        per_start[option.start] += 1
        (first if per_start[option.start] <= PER_START else rest).append(option)
    return first + rest


def total_cost(problem_doc: dict, schedule_doc: dict, published: dict | None) -> float:
    """The schedule's total cost as the move's check recomputes it (same ``previous``)."""
    doc = dict(problem_doc, previous=published) if published is not None else problem_doc
    problem, _ = parse_problem(doc)
    return recompute_cost(problem, schedule_doc)["total"]


def _checked(
    grid: TimeGrid, problem_doc, schedule_doc, session: PlacedSession, option: _Option,
    published, before: float,
) -> Alternative | None:  # fmt: skip
    """The option as an alternative when the move passes the whole checker, else None."""
    start = grid.instant(option.start)
    move = Move(session.section.id, session.index, start, option.facilitator, option.room)
    problem, schedule = moved_documents(problem_doc, schedule_doc, move, published)
    errors, violations = move_violations(problem, schedule)
    if errors or violations:
        return None
    return _alternative(session, option, start, round(schedule["cost"]["total"] - before, 2))
