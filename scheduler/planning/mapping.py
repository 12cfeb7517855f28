"""Map the database onto a solver problem document (``cohort-scheduler/problem/v1``).

This is the only module that knows both sides: the models in ``scheduler.models`` and the problem
format described in docs/solver-format.md. Every id in the document is the object's stable external
key (what CSV imports use too); the database id travels along as ``x-id``, an extension property
the solver ignores, so a schedule can be mapped back to rows without looking keys up again.

Times: the database stores one-off windows and blocked periods as UTC instants and weekly rules as
local wall-clock times; the document wants local wall-clock times in the owner's zone throughout,
so instants are converted here with ``zoneinfo`` (a window stored in UTC in summer comes out at the
local summer time it was entered at). A ``time`` column cannot hold 24:00, so an end of 00:00
means midnight at the end of the day, as the models document.

Public holidays and closures become whole-day ``unavailable`` windows and ``x-closed-days``:
see ``scheduler.planning.mapping_closed``.

The number of SQL statements is fixed (eager loading, one query per kind of row), whatever the
number of cohorts, learners, facilitators or rules. Cohorts (with their blocked periods and
learners' keys), facilitators (with skills and travel costs) and availability rules are read as
rows, not objects: at 10,000 cohorts, objects were most of the time to the first schedule a
coordinator sees (bench/results/log.md, 7 Dec evening). Programs and rooms, a few dozen or
hundred, stay objects.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import (
    AvailabilityKind,
    AvailabilityRule,
    Cohort,
    CohortBlock,
    Facilitator,
    FacilitatorSkill,
    PlanningPeriod,
    Program,
    Room,
    SessionPin,
    Site,
    TravelCost,
    User,
)
from scheduler.models.cohorts import cohort_size, listed_weekdays
from scheduler.planning.learner_keys import LearnerKeysRead
from scheduler.planning.mapping_closed import (
    close_cohort,
    close_facilitator,
    close_room,
    local_intervals,
    site_closed_days,
)
from scheduler.planning.versions import published_version, schedule_of
from scheduler.sites.closed_days import closed_days
from solver.problem import PROBLEM_FORMAT, WEEKDAYS

MINUTES_PER_DAY = 24 * 60
# Owners' zones differ from the problem's by at most about 14 hours: a day's margin either side
# of the period keeps every window that could touch it, in any zone.
MARGIN = timedelta(days=1)


class RuleRow(NamedTuple):
    """An availability rule's columns that the entries read. A tuple of its own, not the
    query's row: a row's columns are read by name at a microsecond each, and 17,000 rules were
    read several times each (bench/results/log.md, 7 Dec night)."""

    kind: AvailabilityKind
    weekday: int | None
    start_time: time | None
    end_time: time | None
    start: datetime | None
    end: datetime | None


# An owner's availability rules.
Rules = dict[int, list[RuleRow]]


def problem_document(
    *,
    start: date,
    end: date,
    timezone: str,
    program_ids: list[int] | None = None,
    cohort_ids: list[int] | None = None,
    slot_minutes: int = 30,
    change_cost: float = 50.0,
) -> dict:
    """The solver problem for the planning period ``start``–``end`` (inclusive local dates in
    ``timezone``).

    Cohorts in scope are those of ``program_ids`` and ``cohort_ids`` (database ids; ``None`` means
    all) whose earliest-start–deadline window overlaps the period; their programs come along.
    Cohorts without any learner yet cannot be planned and are listed under ``x-left-out``.
    Facilitators are those whose user account is enabled; rooms are all rooms.
    """
    lo, hi = _utc_bounds(start, end, timezone)
    scope = _cohort_scope(start, end, program_ids, cohort_ids)
    # The longest query, on a connection of its own while the rest is read (learner_keys).
    reading_learners = LearnerKeysRead(scope).start()
    cohorts = _cohorts_in_scope(scope)
    blocks = _cohort_blocks(scope, lo, hi)
    facilitator_rules, room_rules = _availability_rules(lo, hi)
    facilitators, rooms = _facilitators(), _rooms()
    skills, travel = _skills(), _travel_costs()
    learners = reading_learners.keys()
    sizes = {c.id: cohort_size(len(learners[c.id]), c.headcount) for c in cohorts}
    planned = [c for c in cohorts if sizes[c.id] > 0]
    programs = _programs({c.program_id for c in planned})
    sites = _sites_of(planned, facilitators, rooms)
    closed = closed_days(sites, start - MARGIN, end + MARGIN)
    document = {
        "format": PROBLEM_FORMAT,
        "name": f"Planning period {start.isoformat()} to {end.isoformat()}",
        "timezone": timezone,
        "horizon": {"start": start.isoformat(), "end": end.isoformat()},
        "slot_minutes": slot_minutes,
        "change_cost": change_cost,
        "programs": [program_entry(p) for p in programs],
        "cohorts": [
            close_cohort(cohort_entry(c, learners[c.id], blocks[c.id], start, end), c, closed)
            for c in planned
        ],
        "facilitators": [
            close_facilitator(
                facilitator_entry(f, skills[f.id], travel[f.id], facilitator_rules.get(f.id, [])),
                f,
                closed,
            )
            for f in facilitators
        ],
        "rooms": [close_room(room_entry(r, room_rules.get(r.id, [])), r, closed) for r in rooms],
    }
    by_site = site_closed_days(sites, closed, start, end)
    if by_site:
        document["x-closed-days"] = by_site
    left_out = [{"cohort": c.key, "reason": "no learners yet"} for c in cohorts if not sizes[c.id]]
    if left_out:
        document["x-left-out"] = left_out
    return document


def period_problem(period: PlanningPeriod) -> dict:
    """The problem of a planning period: its scope, its pins as ``fixed`` and the published
    schedule as ``previous`` (so a re-plan moves as little of it as it can)."""
    document = problem_document(
        start=period.start,
        end=period.end,
        timezone=period.timezone,
        program_ids=[p.id for p in period.programs] or None,
        cohort_ids=[c.id for c in period.cohorts] or None,
        slot_minutes=period.slot_minutes,
        change_cost=float(period.change_cost),
    )
    pins = db.session.scalars(
        select(SessionPin)
        .where(SessionPin.period_id == period.id)
        .options(selectinload(SessionPin.facilitator), selectinload(SessionPin.room))
        .order_by(SessionPin.section_key, SessionPin.position)
    )
    fixed = [fixed_entry(pin) for pin in pins]
    if fixed:
        document["fixed"] = fixed
    published = published_version(period)
    if published is not None:
        document["previous"] = schedule_of(published)
    return document


def fixed_entry(pin: SessionPin) -> dict:
    """A ``fixed[]`` entry: the pinned start as a UTC instant, and who and where if pinned."""
    return {
        "section": pin.section_key,
        "cohorts": json.loads(pin.cohorts_json),
        "session": pin.position,
        "start": pin.start.astimezone(UTC).isoformat(),
        "facilitator": pin.facilitator.key if pin.facilitator else None,
        "room": pin.room.key if pin.room else None,
    }


# --- queries ------------------------------------------------------------------------------------


def _utc_bounds(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """The period as UTC instants, widened by a day each side for owners in other zones."""
    zone = ZoneInfo(timezone)
    first = datetime.combine(start, time(), zone)
    after_last = datetime.combine(end + timedelta(days=1), time(), zone)
    return (first - MARGIN).astimezone(UTC), (after_last + MARGIN).astimezone(UTC)


def _cohort_scope(
    start: date, end: date, program_ids: list[int] | None, cohort_ids: list[int] | None
):
    """The ids of the cohorts of the chosen programs and ids whose dates allow a session in the
    period (a subquery, so that a period of 10,000 cohorts binds no list of 10,000 ids)."""
    query = (
        select(Cohort.id)
        .where(or_(Cohort.earliest.is_(None), Cohort.earliest <= end))
        .where(or_(Cohort.deadline.is_(None), Cohort.deadline >= start))
    )
    if program_ids is not None:
        query = query.where(Cohort.program_id.in_(program_ids))
    if cohort_ids is not None:
        query = query.where(Cohort.id.in_(cohort_ids))
    return query


class CohortRow(NamedTuple):
    """What a cohort's entry is made of: its columns, its program's key and its site's key and
    zone. Rows, not objects: 10,000 cohorts as objects with their program and site took
    0.39-0.50 s, as rows 0.10-0.15 s (bench/results/log.md, 7 Dec evening)."""

    id: int
    key: str
    program_id: int
    program_key: str
    site_id: int | None
    site_key: str | None
    site_timezone: str | None
    timezone: str
    hours_days: str
    hours_from: time
    hours_to: time
    earliest: date | None
    deadline: date | None
    mergeable: bool
    splittable: bool
    unscheduled_cost: float
    headcount: int | None
    conflict_groups: str


def _cohorts_in_scope(scope) -> list[CohortRow]:
    """The cohorts of ``scope`` by key, with their program's and site's keys (their learners
    come from ``learner_keys``, their blocked periods from ``_cohort_blocks``)."""
    # fmt: off
    columns = (
        Cohort.id, Cohort.key, Cohort.program_id, Program.key, Cohort.site_id, Site.key,
        Site.timezone, Cohort.timezone, Cohort.hours_days, Cohort.hours_from, Cohort.hours_to,
        Cohort.earliest, Cohort.deadline, Cohort.mergeable, Cohort.splittable,
        Cohort.unscheduled_cost, Cohort.headcount, Cohort.conflict_groups,
    )
    # fmt: on
    query = (
        select(*columns)
        .join(Program, Cohort.program_id == Program.id)
        .outerjoin(Site, Cohort.site_id == Site.id)
        .where(Cohort.id.in_(scope))
        .order_by(Cohort.key)
    )
    return [CohortRow._make(row) for row in db.session.execute(query)]


def _cohort_blocks(scope, lo: datetime, hi: datetime) -> defaultdict[int, list[tuple]]:
    """The blocked periods of each cohort of ``scope`` that touch ``lo``-``hi``, as UTC
    (start, end) in order."""
    query = (
        select(CohortBlock.cohort_id, CohortBlock.start, CohortBlock.end)
        .where(CohortBlock.cohort_id.in_(scope), CohortBlock.end > lo, CohortBlock.start < hi)
        .order_by(CohortBlock.cohort_id, CohortBlock.start, CohortBlock.id)
    )
    blocks: defaultdict[int, list[tuple]] = defaultdict(list)
    for cohort_id, block_start, block_end in db.session.execute(query):
        blocks[cohort_id].append((block_start, block_end))
    return blocks


def _programs(ids: set[int]) -> list[Program]:
    """The programs ``ids`` with their sessions, by key."""
    query = (
        select(Program)
        .where(Program.id.in_(ids))
        .options(selectinload(Program.sessions))
        .order_by(Program.key)
    )
    return list(db.session.scalars(query))


class FacilitatorRow(NamedTuple):
    """What a facilitator's entry is made of besides skills, travel costs and rules: columns of
    the facilitator, their account's name and their home site's key and zone. Rows, not
    objects, as for cohorts (1,750 facilitators as objects with four relations: 0.3-0.6 s)."""

    id: int
    key: str
    name: str
    site_id: int | None
    site_key: str | None
    site_timezone: str | None
    timezone: str
    hourly_rate: float
    session_fee: float
    if_need_be_cost: float
    max_minutes_per_day: int | None
    buffer_minutes: int


def _facilitators() -> list[FacilitatorRow]:
    """Facilitators whose account is enabled (a disabled account teaches nothing), by key."""
    # fmt: off
    columns = (
        Facilitator.id, Facilitator.key, User.name, Facilitator.site_id, Site.key, Site.timezone,
        Facilitator.timezone, Facilitator.hourly_rate, Facilitator.session_fee,
        Facilitator.if_need_be_cost, Facilitator.max_minutes_per_day, Facilitator.buffer_minutes,
    )
    # fmt: on
    query = (
        select(*columns)
        .join(User, Facilitator.user_id == User.id)
        .outerjoin(Site, Facilitator.site_id == Site.id)
        .where(User.is_enabled.is_(True))
        .order_by(Facilitator.key)
    )
    return [FacilitatorRow._make(row) for row in db.session.execute(query)]


def _skills() -> defaultdict[int, list[str]]:
    """Each facilitator's skills, by name (as ``Facilitator.skills`` orders them)."""
    query = select(FacilitatorSkill.facilitator_id, FacilitatorSkill.skill).order_by(
        FacilitatorSkill.facilitator_id, FacilitatorSkill.skill
    )
    skills: defaultdict[int, list[str]] = defaultdict(list)
    for facilitator_id, skill in db.session.execute(query):
        skills[facilitator_id].append(skill)
    return skills


def _travel_costs() -> defaultdict[int, dict[str, float]]:
    """Each facilitator's travel cost to each site, by the site's key, in the order entered."""
    query = (
        select(TravelCost.facilitator_id, Site.key, TravelCost.cost)
        .join(Site, TravelCost.site_id == Site.id)
        .order_by(TravelCost.facilitator_id, TravelCost.id)
    )
    travel: defaultdict[int, dict[str, float]] = defaultdict(dict)
    for facilitator_id, site_key, cost in db.session.execute(query):
        travel[facilitator_id][site_key] = _money(cost)
    return travel


def _rooms() -> list[Room]:
    """Every room with its site."""
    query = select(Room).options(selectinload(Room.site)).order_by(Room.key)
    return list(db.session.scalars(query))


def _sites_of(
    cohorts: list[CohortRow], facilitators: list[FacilitatorRow], rooms: list[Room]
) -> list[Site]:
    """The sites the document mentions, by key (the rooms' are loaded with them; a site of
    cohorts or facilitators alone is read here)."""
    loaded = {r.site.id: r.site for r in rooms}
    homes = {row.site_id for row in [*cohorts, *facilitators] if row.site_id is not None}
    missing = homes - loaded.keys()
    if missing:
        loaded |= {s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_(missing)))}
    return sorted(loaded.values(), key=lambda s: s.key)


def _availability_rules(lo: datetime, hi: datetime) -> tuple[Rules, Rules]:
    """Weekly rules and the one-off rules that touch ``lo``–``hi``, by facilitator and by room."""
    # Rows, not objects: the entries read only these columns (17,000 rules for 1,750
    # facilitators and 1,050 rooms: objects took 0.3-0.45 s).
    query = (
        select(
            AvailabilityRule.facilitator_id,
            AvailabilityRule.room_id,
            AvailabilityRule.kind,
            AvailabilityRule.weekday,
            AvailabilityRule.start_time,
            AvailabilityRule.end_time,
            AvailabilityRule.start,
            AvailabilityRule.end,
        )
        .where(
            or_(
                AvailabilityRule.kind == AvailabilityKind.WEEKLY,
                and_(AvailabilityRule.end > lo, AvailabilityRule.start < hi),
            )
        )
        .order_by(AvailabilityRule.id)
    )
    by_facilitator: Rules = defaultdict(list)
    by_room: Rules = defaultdict(list)
    for facilitator_id, room_id, *columns in db.session.execute(query):
        rule = RuleRow(*columns)
        if facilitator_id is not None:
            by_facilitator[facilitator_id].append(rule)
        else:
            by_room[room_id].append(rule)
    return by_facilitator, by_room


# --- one entry per kind of object ---------------------------------------------------------------


def program_entry(program: Program) -> dict:
    """A ``programs[]`` entry: sessions in order, spacing, mode, skill, seats and costs."""
    return {
        "id": program.key,
        "x-id": program.id,
        "name": program.name,
        "sessions": program.session_minutes,
        "gap_days": [program.gap_min_days, program.gap_max_days],
        "mode": program.mode.value,
        "skill": program.skill or None,  # no skill: anyone may teach it
        "seats": [program.seats_min, program.seats_max],
        "seat_cost": _money(program.seat_cost),
        "same_facilitator": program.same_facilitator,
    }


def cohort_entry(
    cohort: CohortRow, learners: list[str], blocks: list[tuple], start: date, end: date
) -> dict:
    """A ``cohorts[]`` entry with the keys of its ``learners`` (sorted) and its ``blocks`` as
    local ``unavailable`` windows; earliest start and deadline are clipped to the period."""
    entry = {
        "id": cohort.key,
        "x-id": cohort.id,
        "program": cohort.program_key,
        "size": cohort_size(len(learners), cohort.headcount),
        "learners": learners,
        "conflict_groups": _tags(cohort.conflict_groups),
        "site": cohort.site_key,
        "timezone": cohort.timezone,
        "hours": _hours(cohort.hours_days, cohort.hours_from, cohort.hours_to),
        "unavailable": local_intervals(blocks, cohort.timezone) if blocks else [],
        "mergeable": cohort.mergeable,
        "splittable": cohort.splittable,
        "unscheduled_cost": _money(cohort.unscheduled_cost),
    }
    # The query keeps only cohorts whose window overlaps the period, so the clipped dates stay in
    # order; an unset date takes the solver's default, the period's own bound.
    if cohort.earliest is not None:
        entry["earliest"] = _day(max(cohort.earliest, start))
    if cohort.deadline is not None:
        entry["deadline"] = _day(min(cohort.deadline, end))
    return entry


def _hours(days: str, start: time, end: time) -> dict:
    """A cohort's ``hours`` entry, a copy of its own of the one worked out once per days and
    hours (``_hours_of``)."""
    listed, first, last = _hours_of(days, start, end)
    return {"days": list(listed), "from": first, "to": last}


@lru_cache(maxsize=1024)
def _hours_of(days: str, start: time, end: time) -> tuple[tuple[str, ...], str, str]:
    """Weekdays and clock times of attendance hours: 10,000 cohorts share a few dozen, and
    writing their times anew was a third of writing each cohort's entry."""
    return tuple(listed_weekdays(days)), _clock(start), _clock(end, end_of_range=True)


@lru_cache(maxsize=1024)
def _day(day: date) -> str:
    """A date as "2027-01-04" (kept: 10,000 cohorts' dates are a few hundred days)."""
    return day.isoformat()


def facilitator_entry(
    facilitator: FacilitatorRow, skills: list[str], travel: dict[str, float], rules: list[RuleRow]
) -> dict:
    """A ``facilitators[]`` entry with skills, costs, limits and availability in local time."""
    return {
        "id": facilitator.key,
        "x-id": facilitator.id,
        "name": facilitator.name,
        "skills": skills,
        "site": facilitator.site_key,
        "timezone": facilitator.timezone,
        **_availability(rules, facilitator.timezone, reluctant=True),
        "if_need_be_cost": _money(facilitator.if_need_be_cost),
        "hourly_rate": _money(facilitator.hourly_rate),
        "session_fee": _money(facilitator.session_fee),
        "travel_cost": travel,
        "max_minutes_per_day": facilitator.max_minutes_per_day,
        "buffer_minutes": facilitator.buffer_minutes,
    }


def room_entry(room: Room, rules: list[RuleRow]) -> dict:
    """A ``rooms[]`` entry; its windows are local to its site's zone."""
    return {
        "id": room.key,
        "x-id": room.id,
        "name": room.name,
        "site": room.site.key,
        "capacity": room.capacity,
        "hourly_cost": _money(room.hourly_cost),
        "timezone": room.site.timezone,
        **_availability(rules, room.site.timezone, reluctant=False),
    }


# --- availability and time ----------------------------------------------------------------------


def _availability(rules: list[RuleRow], timezone: str, reluctant: bool) -> dict:
    """``weekly``, ``available``, ``unavailable`` (and ``if_need_be``) from an owner's rules.

    Rooms have no "if need be" in the solver's format: such a rule on a room counts as available.
    """
    windows: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for rule in rules:
        if rule.kind == AvailabilityKind.WEEKLY or rule.start is None or rule.end is None:
            continue
        kind = rule.kind
        if kind == AvailabilityKind.IF_NEED_BE and not reluctant:
            kind = AvailabilityKind.AVAILABLE
        windows[kind.value].append((rule.start, rule.end))
    kinds = ("available", "unavailable") + (("if_need_be",) if reluctant else ())
    return {"weekly": _weekly(rules)} | {
        kind: local_intervals(windows[kind], timezone) for kind in kinds
    }


def _weekly(rules: list[RuleRow]) -> dict[str, list[list[str]]]:
    """The weekly pattern as ``{"mon": [["09:00", "12:00"]], ...}`` (a copy of its own)."""
    weekly = tuple(
        (rule.weekday, rule.start_time, rule.end_time)
        for rule in rules
        if rule.kind == AvailabilityKind.WEEKLY
    )
    return {day: [list(pair) for pair in ranges] for day, ranges in _weekly_of(weekly).items()}


@lru_cache(maxsize=1024)
def _weekly_of(
    weekly: tuple[tuple[int, time, time], ...],
) -> dict[str, tuple[tuple[str, str], ...]]:
    """The pattern of weekly rules given as (weekday, start, end): worked out once per pattern,
    keyed by all of it (1,750 facilitators share a few dozen).

    A rule ending at or before its start runs past midnight (imports may hold such rules); the
    solver wants each range within one day, so it is cut at midnight into two weekdays.
    """
    ranges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for weekday, start_time, end_time in weekly:
        start, end = _minutes(start_time), _minutes(end_time) or MINUTES_PER_DAY
        if end > start:
            ranges[weekday].append((start, end))
            continue
        ranges[weekday].append((start, MINUTES_PER_DAY))
        ranges[(weekday + 1) % 7].append((0, end))
    return {
        WEEKDAYS[day]: tuple((_clock_text(a), _clock_text(b)) for a, b in sorted(ranges[day]))
        for day in sorted(ranges)
    }


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _clock(value: time, end_of_range: bool = False) -> str:
    """A time of day as "09:30"; as the end of a range, 00:00 is midnight at the end: "24:00"."""
    minutes = _minutes(value)
    return _clock_text(MINUTES_PER_DAY if end_of_range and minutes == 0 else minutes)


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _money(value: float | int) -> float:
    """An amount as a float: SQLite gives whole amounts back as ints, PostgreSQL as floats, and
    the same data should give the same document (drafts keep it verbatim for audit)."""
    return float(value)


def _tags(text: str) -> list[str]:
    """Conflict groups stored as "a, b,c": trimmed, without blanks or repeats, in order."""
    if not text:  # most cohorts have none
        return []
    return list(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))
