"""What a stored schedule costs, read from its own documents (problem and schedule, verbatim).

Every money item is priced exactly as the solver prices it (``solver.cost``: one item per
session's facilitator, travel and room, one per section-session's seats, each rounded to the
cent), so the components here add up to the cost the schedule document reports. What the
documents do not say (program names, fixed development costs) comes from the database.

A version never changes once stored, so its breakdown is computed once per app process and
kept (``breakdown_of``); the cache is keyed by the version's id and creation instant.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import ScheduleVersion
from solver.cost import session_cents, session_site, to_cents
from solver.localtime import bookable_windows
from solver.problem import Availability, Problem
from solver.scheduled import read_schedule
from solver.validate import parse_problem

#: The components of money actually spent on delivering training (``per_trained_learner``'s).
TRAINING = ("facilitators", "travel", "rooms", "seats")
CACHE_SIZE = 32
VIRTUAL = ""  # the "site" of virtual sessions and sections


@dataclass
class Spend:
    """Money per component, in cents, and the learners it trained."""

    cents: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TRAINING, 0))
    learners: int = 0
    sections: int = 0
    sessions: int = 0
    minutes: int = 0

    @property
    def training_cents(self) -> int:
        return sum(self.cents.values())

    def add(self, component: str, cents: int) -> None:
        self.cents[component] += cents


@dataclass(frozen=True)
class Use:
    """How much of a facilitator's or room's bookable time in the period the schedule used.

    ``offered_minutes`` is None when the owner has no availability rules at all (always
    bookable): a share of "all the time" says nothing, so it is left out of the totals."""

    key: str
    used_minutes: int
    offered_minutes: int | None

    @property
    def share(self) -> float | None:
        if not self.offered_minutes:
            return None
        return self.used_minutes / self.offered_minutes


@dataclass
class Breakdown:
    """A schedule's costs and use of people, rooms and seats, from its documents."""

    reported: dict  # the schedule document's own ``cost`` object
    total: Spend
    by_program: dict[str, Spend]  # program key
    by_site: dict[str, Spend]  # site key, VIRTUAL for virtual sessions
    seats_offered: int
    facilitators: list[Use]
    rooms: list[Use]
    period_days: int


def breakdown_of(version) -> Breakdown:
    """The breakdown of a ``ScheduleVersion``, computed on first use and then kept."""
    return breakdowns_of([version])[0]


def breakdowns_of(versions: list) -> list[Breakdown]:
    """The breakdowns of several versions; the documents of those not priced yet are read in
    one query (the versions may have been loaded without them)."""
    cache = current_app.extensions.setdefault("reports.breakdowns", _Cache())
    keys = [(version.id, version.created_at) for version in versions]
    found = [cache.get(key) for key in keys]
    missing = [key for key, breakdown in zip(keys, found, strict=True) if breakdown is None]
    if missing:
        documents = db.session.execute(
            select(
                ScheduleVersion.id, ScheduleVersion.problem_json, ScheduleVersion.schedule_json
            ).where(ScheduleVersion.id.in_([version_id for version_id, _ in missing]))
        )
        computed = {
            version_id: compute_breakdown(json.loads(problem), json.loads(schedule))
            for version_id, problem, schedule in documents
        }
        for key in missing:
            cache.put(key, computed[key[0]])
        found = [
            computed[key[0]] if breakdown is None else breakdown
            for key, breakdown in zip(keys, found, strict=True)
        ]
    return found


class _Cache:
    """A small thread-safe least-recently-used map."""

    def __init__(self) -> None:
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)


def compute_breakdown(problem_document: dict, schedule_document: dict) -> Breakdown:
    """Price every session and section of the schedule and add them up three ways."""
    problem, errors = parse_problem(problem_document)
    if problem is None:
        raise ValueError(f"the stored problem cannot be read: {errors[:3]}")
    placed = read_schedule(problem, schedule_document)
    total = Spend()
    by_program: dict[str, Spend] = defaultdict(Spend)
    by_site: dict[str, Spend] = defaultdict(Spend)
    taught: dict[str, int] = defaultdict(int)
    booked: dict[str, int] = defaultdict(int)
    seats_offered = 0
    for section in placed.sections:
        program = section.program
        if program is None:
            continue
        site = section_site(problem, section)
        seat_item = to_cents(Decimal(repr(program.seat_cost)) * section.learners)
        for spend in (total, by_program[program.id], by_site[site]):
            spend.learners += section.learners
            spend.sections += 1
            spend.add("seats", seat_item * len(section.sessions))
        seats_offered += program.seats[1]
        for session in section.sessions:
            items = session_cents(problem, session)
            where = session_site(problem, session) or VIRTUAL
            for spend in (total, by_program[program.id]):
                _add_session(spend, items, session.minutes)
            _add_session(by_site[where], items, session.minutes)
            if session.facilitator:
                taught[session.facilitator] += session.minutes
            if session.room:
                booked[session.room] += session.minutes
    first, last = problem.horizon_start, problem.horizon_end
    return Breakdown(
        reported=dict(schedule_document.get("cost") or {}),
        total=total,
        by_program=dict(by_program),
        by_site=dict(by_site),
        seats_offered=seats_offered,
        facilitators=[
            Use(key, taught.get(key, 0), offered_minutes(f.availability, first, last))
            for key, f in sorted(problem.facilitators.items())
        ],
        rooms=[
            Use(key, booked.get(key, 0), offered_minutes(r.availability, first, last))
            for key, r in sorted(problem.rooms.items())
        ],
        period_days=(last - first).days + 1,
    )


def _add_session(spend: Spend, items: dict[str, int], minutes: int) -> None:
    for component in ("facilitators", "travel", "rooms"):
        spend.add(component, items[component])
    spend.sessions += 1
    spend.minutes += minutes


def section_site(problem: Problem, section) -> str:
    """Where a section's learners are: its cohorts' site (the first, sorted), or VIRTUAL."""
    if section.program is None or not section.program.in_person:
        return VIRTUAL
    sites = sorted(problem.cohorts[part.cohort].site or "" for part in section.parts)
    return sites[0] if sites else VIRTUAL


def offered_minutes(availability: Availability, first, last) -> int | None:
    """Bookable minutes between the local dates ``first`` and ``last`` (inclusive), as the
    solver reads availability (weekly + extra + if need be − blocked); None if always bookable."""
    if availability.always:
        return None
    lo = datetime.combine(first, time())
    hi = datetime.combine(last + timedelta(days=1), time())
    total = 0
    for start, end in bookable_windows(availability, first, last):
        start, end = max(start, lo), min(end, hi)
        if end > start:
            total += int((end - start).total_seconds() // 60)
    return total
