"""Typed objects for the v1 *problem* document (``cohort-scheduler/problem/v1``).

A problem is parsed once (see ``solver.validate.parse_problem``) into these frozen objects; every
other module of the engine (model, greedy baseline, checker, explanations) reads them and never the
raw JSON, so each default and unit is decided in exactly one place.

Units: durations in minutes, money in the document's currency (floats here, converted to integer
cents inside the CP-SAT model), local wall-clock values as naive ``datetime``/``time`` objects that
are interpreted in the owning object's ``timezone``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

PROBLEM_FORMAT = "cohort-scheduler/problem/v1"
SCHEDULE_FORMAT = "cohort-scheduler/schedule/v1"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DEFAULT_SLOT_MINUTES = 30
DEFAULT_UNSCHEDULED_COST = 10000.0
DEFAULT_CHANGE_COST = 0.0


@dataclass(frozen=True)
class LocalInterval:
    """A half-open local wall-clock interval ``[start, end)`` in its owner's time zone."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Availability:
    """When a facilitator or room can be booked, in local time.

    ``weekly`` maps a weekday number (0 = Monday) to its ranges; ``available`` adds one-off windows;
    ``unavailable`` removes time; ``if_need_be`` adds reluctant windows. When ``weekly`` and
    ``available`` are both empty the whole horizon is available (``always`` is then True).
    """

    weekly: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    available: tuple[LocalInterval, ...] = ()
    unavailable: tuple[LocalInterval, ...] = ()
    if_need_be: tuple[LocalInterval, ...] = ()

    @property
    def always(self) -> bool:
        return not self.weekly and not self.available


@dataclass(frozen=True)
class Program:
    """A workshop: an ordered list of instructor-led sessions taught to one section at a time."""

    id: str
    name: str
    sessions: tuple[int, ...]  # minutes of each session, in order
    gap_days: tuple[int, int]  # [min, max] calendar days between consecutive sessions' local dates
    mode: str  # "in_person" | "virtual"
    skill: str | None
    seats: tuple[int, int]  # [min, max] learners per section
    seat_cost: float  # per learner per session
    same_facilitator: bool = True

    @property
    def in_person(self) -> bool:
        return self.mode == "in_person"


@dataclass(frozen=True)
class AttendanceHours:
    """When a cohort's learners can attend: weekdays (0 = Monday) and a daily local time range."""

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class Cohort:
    """A group of learners who must take one program, where and by when."""

    id: str
    program: str
    size: int
    learners: tuple[str, ...]
    conflict_groups: tuple[str, ...]
    site: str | None
    timezone: str
    hours: AttendanceHours
    unavailable: tuple[LocalInterval, ...]
    earliest: date
    deadline: date
    mergeable: bool = True
    splittable: bool = True
    unscheduled_cost: float = DEFAULT_UNSCHEDULED_COST


@dataclass(frozen=True)
class Facilitator:
    """A person who teaches sessions of the programs whose skill they list."""

    id: str
    skills: frozenset[str]
    site: str | None
    timezone: str
    availability: Availability
    if_need_be_cost: float = 0.0
    hourly_rate: float = 0.0
    session_fee: float = 0.0
    travel_cost: dict[str, float] = field(default_factory=dict)
    max_minutes_per_day: int | None = None
    buffer_minutes: int = 0


@dataclass(frozen=True)
class Room:
    """A bookable room at a site. ``timezone`` (optional in the document) defaults to the problem's."""

    id: str
    site: str
    capacity: int
    hourly_cost: float
    timezone: str
    availability: Availability


@dataclass(frozen=True)
class CohortPart:
    """How many learners of one cohort sit in a section."""

    cohort: str
    learners: int


@dataclass(frozen=True)
class FixedSession:
    """A published session that must stay exactly as it is; ``start`` is timezone-aware."""

    section: str
    cohorts: tuple[CohortPart, ...]
    session: int
    start: datetime
    facilitator: str | None
    room: str | None


@dataclass(frozen=True)
class PoolMember:
    """A hypothetical facilitator the planner may hire (``hiring_pool``).

    ``facilitator`` is the person as they would teach once hired (skills, site, weekly
    availability, fees); hiring them costs ``onboarding_cost`` once and ``weekly_cost`` for each
    week from the week they start to the end of the horizon. They teach nothing before
    ``earliest_start`` (a local date in their zone)."""

    facilitator: Facilitator
    weekly_cost: float
    onboarding_cost: float
    earliest_start: date | None = None

    @property
    def id(self) -> str:
        return self.facilitator.id


@dataclass(frozen=True)
class Problem:
    """A whole parsed problem document."""

    timezone: str
    horizon_start: date
    horizon_end: date  # inclusive
    slot_minutes: int
    programs: dict[str, Program]
    cohorts: dict[str, Cohort]
    facilitators: dict[str, Facilitator]
    rooms: dict[str, Room]
    fixed: tuple[FixedSession, ...] = ()
    previous: dict[str, Any] | None = None  # an earlier schedule document, verbatim
    change_cost: float = DEFAULT_CHANGE_COST
    hiring_pool: dict[str, PoolMember] = field(default_factory=dict)
