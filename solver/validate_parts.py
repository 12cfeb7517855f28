"""Readers for each part of a problem document: programs, cohorts, facilitators, rooms, fixed.

Each reader checks one object on its own (types, ranges, local order of start and end) and fills the
documented defaults; checks that need several parts (references, whether a session fits anyone's
availability) live in ``solver.validate``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from solver.fields import EXTENSION_PREFIX, Reader, is_text, join, shown
from solver.limits import MAX_DAYS, MAX_LEARNERS, MAX_MINUTES, MAX_SESSIONS
from solver.problem import (
    DEFAULT_UNSCHEDULED_COST,
    WEEKDAYS,
    AttendanceHours,
    Cohort,
    CohortPart,
    Facilitator,
    FixedSession,
    Program,
    Room,
)
from solver.validate_common import (
    all_str,
    clock_text,
    clock_time,
    plain_availability,
    plain_intervals,
    plain_names,
    read_availability,
    read_intervals,
    read_names,
    read_range,
    remembered,
    scalar_key,
)

MODES = ("in_person", "virtual")
DEFAULT_DAYS = ("mon", "tue", "wed", "thu", "fri")
DEFAULT_FROM = 9 * 60
DEFAULT_TO = 17 * 60

PROGRAM_KEYS = ("id", "name", "sessions", "gap_days", "mode", "skill", "seats", "seat_cost",
                "same_facilitator")  # fmt: skip
COHORT_KEYS = ("id", "name", "program", "size", "learners", "conflict_groups", "site", "timezone",
               "hours", "unavailable", "earliest", "deadline", "mergeable", "splittable",
               "unscheduled_cost")  # fmt: skip
FACILITATOR_KEYS = ("id", "name", "skills", "site", "timezone", "weekly", "available",
                    "unavailable", "if_need_be", "if_need_be_cost", "hourly_rate", "session_fee",
                    "travel_cost", "max_minutes_per_day", "buffer_minutes")  # fmt: skip
ROOM_KEYS = ("id", "name", "site", "capacity", "hourly_cost", "timezone", "weekly", "available",
             "unavailable")  # fmt: skip
FIXED_KEYS = ("section", "cohorts", "session", "start", "facilitator", "room")


@dataclass(frozen=True)
class Context:
    """Top-level values the parts need; ``None`` where the top level itself is wrong."""

    timezone: str | None
    horizon_start: date | None
    horizon_end: date | None
    slot_minutes: int | None

    @property
    def horizon_days(self) -> int:
        """Days in the horizon (a year when the horizon itself is wrong, to keep reading)."""
        if self.horizon_start and self.horizon_end:
            return max(0, (self.horizon_end - self.horizon_start).days + 1)
        return 366


def _all_given(*values: Any) -> bool:
    return all(v is not None for v in values)


# --- the parts ----------------------------------------------------------------------------------


def read_sessions(r: Reader, value: Any, path: str) -> tuple[int, ...] | None:
    """A program's session lengths: at least one, each a positive number of minutes."""
    items = r.items(value, path)
    if items is None:
        return None
    if not items:
        r.error(path, "a program needs at least one session")
        return None
    if len(items) > MAX_SESSIONS:
        r.error(path, f"a program has at most {MAX_SESSIONS} sessions, not {len(items):,}")
        return None
    lengths = [
        r.whole(v, join(path, k), 1, "minutes", maximum=MAX_MINUTES) for k, v in enumerate(items)
    ]
    return None if None in lengths else tuple(lengths)


def read_program(r: Reader, value: Any, path: str, ctx: Context) -> Program | None:
    """One entry of ``programs``."""
    obj = r.obj(value, path, PROGRAM_KEYS)
    if obj is None:
        return None
    pid = r.field(obj, "id", path, r.text)
    fields = {
        "name": r.field(obj, "name", path, r.text, default=pid or ""),
        "sessions": r.field(obj, "sessions", path, lambda v, p: read_sessions(r, v, p)),
        "gap_days": r.field(
            obj,
            "gap_days",
            path,
            lambda v, p: read_range(r, v, p, 0, "days", MAX_DAYS),
            default=(0, ctx.horizon_days),
        ),
        "mode": r.field(obj, "mode", path, lambda v, p: _read_mode(r, v, p)),
        "seats": r.field(
            obj, "seats", path, lambda v, p: read_range(r, v, p, 1, "seats", MAX_LEARNERS)
        ),
        "seat_cost": r.field(obj, "seat_cost", path, r.amount, default=0.0),
        "same_facilitator": r.field(obj, "same_facilitator", path, r.flag, default=True),
    }
    skill = r.field(obj, "skill", path, r.text, default=None)
    if pid is None or not _all_given(*fields.values()):
        return None
    return Program(id=pid, skill=skill, **fields)


def _read_mode(r: Reader, value: Any, path: str) -> str | None:
    if value not in MODES:
        r.error(path, f'must be "in_person" or "virtual", not {shown(value)}')
        return None
    return value


def read_hours(r: Reader, value: Any, path: str) -> AttendanceHours | None:
    """A cohort's attendance hours; missing parts default to Mon–Fri 09:00–17:00."""
    obj = r.obj(value, path, ("days", "from", "to"))
    if obj is None:
        return None
    days = r.field(obj, "days", path, lambda v, p: _read_days(r, v, p), default=DEFAULT_DAYS)
    start = r.field(obj, "from", path, r.clock, default=DEFAULT_FROM)
    end = r.field(obj, "to", path, r.clock, default=DEFAULT_TO)
    if not _all_given(days, start, end):
        return None
    if end <= start:
        r.error(join(path, "to"), f"end {clock_text(end)} is not after start {clock_text(start)}")
        return None
    return AttendanceHours(
        frozenset(WEEKDAYS.index(d) for d in days), clock_time(start), clock_time(end)
    )


def _read_days(r: Reader, value: Any, path: str) -> tuple[str, ...] | None:
    days = read_names(r, value, path)
    if days is None:
        return None
    wrong = [d for d in days if d not in WEEKDAYS]
    for d in wrong:
        r.error(join(path, days.index(d)), f"unknown weekday {d!r} (use mon, tue, … sun)")
    if not days:
        r.error(path, "must list at least one weekday")
    return None if wrong or not days else days


DEFAULT_HOURS = AttendanceHours(
    frozenset(WEEKDAYS.index(d) for d in DEFAULT_DAYS),
    clock_time(DEFAULT_FROM),
    clock_time(DEFAULT_TO),
)


def read_cohort(r: Reader, value: Any, path: str, ctx: Context) -> Cohort | None:
    """One entry of ``cohorts``: a plainly valid one read at once, any other in full (which
    reports its errors)."""
    cohort = plain_cohort(r, value, ctx)
    return cohort if cohort is not None else read_cohort_in_full(r, value, path, ctx)


def read_cohort_in_full(r: Reader, value: Any, path: str, ctx: Context) -> Cohort | None:
    """One entry of ``cohorts``, each field read at its JSON path."""
    obj = r.obj(value, path, COHORT_KEYS)
    if obj is None:
        return None
    cid = r.field(obj, "id", path, r.text)
    program = r.field(obj, "program", path, r.text)
    learners = r.field(obj, "learners", path, lambda v, p: read_names(r, v, p), default=())
    size = _read_size(r, obj, path, learners)
    fields = {
        "conflict_groups": r.field(
            obj, "conflict_groups", path, lambda v, p: read_names(r, v, p), default=()
        ),
        "timezone": r.field(obj, "timezone", path, r.timezone, default=ctx.timezone),
        "hours": r.field(
            obj, "hours", path, lambda v, p: read_hours(r, v, p), default=DEFAULT_HOURS
        ),
        "unavailable": r.field(
            obj, "unavailable", path, lambda v, p: read_intervals(r, v, p), default=()
        ),
        "earliest": r.field(obj, "earliest", path, r.day, default=ctx.horizon_start),
        "deadline": r.field(obj, "deadline", path, r.day, default=ctx.horizon_end),
        "mergeable": r.field(obj, "mergeable", path, r.flag, default=True),
        "splittable": r.field(obj, "splittable", path, r.flag, default=True),
        "unscheduled_cost": r.field(
            obj, "unscheduled_cost", path, r.amount, default=DEFAULT_UNSCHEDULED_COST
        ),
    }
    site = r.field(obj, "site", path, r.text, default=None)
    earliest, deadline = fields["earliest"], fields["deadline"]
    if earliest and deadline and deadline < earliest:
        r.error(join(path, "deadline"), f"deadline {deadline} is before earliest {earliest}")
        return None
    if not _all_given(cid, program, learners, size, *fields.values()):
        return None
    return Cohort(id=cid, program=program, size=size, learners=learners, site=site, **fields)


def _read_size(
    r: Reader, obj: dict[str, Any], path: str, learners: tuple[str, ...] | None
) -> int | None:
    if obj.get("size") is None:
        if learners is not None and not learners:
            r.error(join(path, "size"), "size is required when no learners are listed")
            return None
        if learners is not None and len(learners) > MAX_LEARNERS:
            r.error(
                join(path, "learners"),
                f"at most {MAX_LEARNERS:,} learners, not {len(learners):,}",
            )
            return None
        return len(learners) if learners is not None else None
    size = r.field(obj, "size", path, lambda v, p: r.positive(v, p, MAX_LEARNERS))
    if size is not None and learners and size < len(learners):
        r.error(
            join(path, "size"), f"size {size} is smaller than the {len(learners)} learners listed"
        )
        return None
    return size


# --- a plainly valid cohort, read at once ------------------------------------------------------
#
# A 10,000-cohort document took most of a second to read field by field: a JSON path made for
# every field in case it had an error, each learner id checked on its own, and the same hours,
# zones, dates and amounts parsed again in every cohort. ``plain_cohort`` recognises the shape a
# valid cohort has (exact JSON types, known properties), takes the repeated values from the
# document's memo, and records nothing: for anything else, valid or not, it gives None and
# ``read_cohort_in_full`` reads the cohort as before, so every error and every cohort read stays
# what it was (tests/solver/test_validate_cohort_fast.py compares the two).

_COHORT_KEY_SET = frozenset(COHORT_KEYS)
_HOURS_KEY_SET = frozenset(("days", "from", "to"))


def plain_cohort(r: Reader, value: Any, ctx: Context) -> Cohort | None:
    """The cohort ``value`` describes if it is plainly valid, else None; ``r.errors`` untouched."""
    if type(value) is not dict or not _known_properties(value, _COHORT_KEY_SET):
        return None
    get = value.get
    cid, program, site = get("id"), get("program"), get("site")
    if not (is_text(cid) and is_text(program) and (site is None or is_text(site))):
        return None
    learners = _plain_names_or_none(get("learners"))
    fields = {
        "conflict_groups": _plain_names_or_none(get("conflict_groups")),
        "timezone": _or_default(r, get("timezone"), ctx.timezone, "timezone", Reader.timezone),
        "hours": _plain_hours(r, get("hours")),
        "unavailable": plain_intervals(r, get("unavailable")),
        "earliest": _or_default(r, get("earliest"), ctx.horizon_start, "day", Reader.day),
        "deadline": _or_default(r, get("deadline"), ctx.horizon_end, "day", Reader.day),
        "mergeable": _plain_flag(get("mergeable")),
        "splittable": _plain_flag(get("splittable")),
        "unscheduled_cost": _plain_amount(r, get("unscheduled_cost"), DEFAULT_UNSCHEDULED_COST),
    }
    size = _plain_size(get("size"), learners)
    if size is None or not _all_given(*fields.values()):
        return None
    if fields["deadline"] < fields["earliest"]:
        return None
    return Cohort(id=cid, program=program, size=size, learners=learners, site=site, **fields)


def _known_properties(obj: dict[Any, Any], known: frozenset[str]) -> bool:
    """Whether ``Reader.obj`` finds no unknown property: each is known or an extension."""
    return all(type(key) is str and key.startswith(EXTENSION_PREFIX) for key in obj.keys() - known)


def _plain_names_or_none(value: Any) -> tuple[str, ...] | None:
    """``read_names`` of a list it accepts at once; () when missing; else None."""
    if value is None:
        return ()
    return tuple(value) if plain_names(value) else None


def _or_default(
    r: Reader, value: Any, default: Any, kind: str, read: Callable[[Reader, Any, str], Any]
) -> Any:
    """A missing value's default, else the remembered reading of a plain string or number."""
    if value is None:
        return default
    return remembered(r, scalar_key(kind, value), read, value)


def _plain_flag(value: Any) -> bool | None:
    """``Reader.flag`` of true or false; missing is true (the default of both flags)."""
    if value is None:
        return True
    return value if type(value) is bool else None


def _plain_amount(r: Reader, value: Any, default: float) -> float | None:
    """``Reader.amount`` of a number it accepts. Whether it does is remembered per value, but
    the amount is made from the value itself, as ``Reader.amount`` makes it: 0.0 and -0.0 are
    one key."""
    if value is None:
        return default
    accepted = remembered(r, scalar_key("amount", value), Reader.amount, value)
    return None if accepted is None else float(value)


def _plain_size(value: Any, learners: tuple[str, ...] | None) -> int | None:
    """``_read_size`` when it records no error: a whole number of learners, at least those
    listed, or their number when it is missing."""
    if learners is None:
        return None
    if value is None:
        return len(learners) if 0 < len(learners) <= MAX_LEARNERS else None
    if type(value) is int and len(learners) <= value and 1 <= value <= MAX_LEARNERS:
        return value
    return None


def _plain_hours(r: Reader, value: Any) -> AttendanceHours | None:
    """``read_hours`` of plain JSON, remembered by its days, from and to."""
    if value is None:
        return DEFAULT_HOURS
    if type(value) is not dict or not value.keys() <= _HOURS_KEY_SET:
        return None
    days, start, end = value.get("days"), value.get("from"), value.get("to")
    if days is not None and (type(days) is not list or not all_str(days)):
        return None
    if not (start is None or type(start) is str) or not (end is None or type(end) is str):
        return None
    key = ("hours", None if days is None else tuple(days), start, end)
    return remembered(r, key, read_hours, value)


def read_facilitator(r: Reader, value: Any, path: str, ctx: Context) -> Facilitator | None:
    """One entry of ``facilitators``: a plainly valid one read at once, any other in full."""
    found = plain_facilitator(r, value, ctx)
    return found if found is not None else read_facilitator_in_full(r, value, path, ctx)


def read_facilitator_in_full(r: Reader, value: Any, path: str, ctx: Context) -> Facilitator | None:
    """One entry of ``facilitators``, each field read at its JSON path."""
    obj = r.obj(value, path, FACILITATOR_KEYS)
    if obj is None:
        return None
    fid = r.field(obj, "id", path, r.text)
    skills = r.field(obj, "skills", path, lambda v, p: read_names(r, v, p), default=())
    availability = read_availability(r, obj, path, reluctant=True)
    fields = {
        "timezone": r.field(obj, "timezone", path, r.timezone, default=ctx.timezone),
        "if_need_be_cost": r.field(obj, "if_need_be_cost", path, r.amount, default=0.0),
        "hourly_rate": r.field(obj, "hourly_rate", path, r.amount, default=0.0),
        "session_fee": r.field(obj, "session_fee", path, r.amount, default=0.0),
        "travel_cost": r.field(
            obj, "travel_cost", path, lambda v, p: _read_costs(r, v, p), default={}
        ),
        "buffer_minutes": r.field(
            obj, "buffer_minutes", path, lambda v, p: r.count(v, p, MAX_MINUTES), default=0
        ),
    }
    site = r.field(obj, "site", path, r.text, default=None)
    daily = r.field(
        obj, "max_minutes_per_day", path, lambda v, p: r.positive(v, p, MAX_MINUTES), default=None
    )
    if "max_minutes_per_day" in obj and obj["max_minutes_per_day"] is not None and daily is None:
        return None
    if not _all_given(fid, skills, availability, *fields.values()):
        return None
    return Facilitator(
        id=fid, skills=frozenset(skills), site=site, availability=availability,
        max_minutes_per_day=daily, **fields,
    )  # fmt: skip


def _read_costs(r: Reader, value: Any, path: str) -> dict[str, float] | None:
    """A ``{"site": amount}`` table."""
    obj = r.obj(value, path, value.keys() if isinstance(value, dict) else ())
    if obj is None:
        return None
    costs = {site: r.amount(v, join(path, site)) for site, v in obj.items()}
    return None if None in costs.values() else costs


def read_room(r: Reader, value: Any, path: str, ctx: Context) -> Room | None:
    """One entry of ``rooms``: a plainly valid one read at once, any other in full."""
    found = plain_room(r, value, ctx)
    return found if found is not None else read_room_in_full(r, value, path, ctx)


def read_room_in_full(r: Reader, value: Any, path: str, ctx: Context) -> Room | None:
    """One entry of ``rooms``, each field read at its JSON path; its time zone defaults to the
    problem's."""
    obj = r.obj(value, path, ROOM_KEYS)
    if obj is None:
        return None
    fields = {
        "id": r.field(obj, "id", path, r.text),
        "site": r.field(obj, "site", path, r.text),
        "capacity": r.field(obj, "capacity", path, lambda v, p: r.positive(v, p, MAX_LEARNERS)),
        "hourly_cost": r.field(obj, "hourly_cost", path, r.amount, default=0.0),
        "timezone": r.field(obj, "timezone", path, r.timezone, default=ctx.timezone),
        "availability": read_availability(r, obj, path, reluctant=False),
    }
    return Room(**fields) if _all_given(*fields.values()) else None


# --- a plainly valid facilitator or room, read at once ------------------------------------------
#
# As for cohorts: 1,750 facilitators read field by field took 115 microseconds each (a path made
# for every field, every amount and window parsed again). A facilitator or room in the plain
# shape a valid one has is read at once from the document's memo; anything else gives None and
# is read in full, so what is reported does not change (tests/solver/test_validate_people_fast.py).

_FACILITATOR_KEY_SET = frozenset(FACILITATOR_KEYS)
_ROOM_KEY_SET = frozenset(ROOM_KEYS)


def plain_facilitator(r: Reader, value: Any, ctx: Context) -> Facilitator | None:
    """The facilitator ``value`` describes if it is plainly valid, else None; ``r.errors``
    untouched."""
    if type(value) is not dict or not _known_properties(value, _FACILITATOR_KEY_SET):
        return None
    get = value.get
    fid, site, daily = get("id"), get("site"), get("max_minutes_per_day")
    buffer = 0 if get("buffer_minutes") is None else get("buffer_minutes")
    if not (is_text(fid) and (site is None or is_text(site))):
        return None
    if daily is not None and not _plain_whole(daily, 1, MAX_MINUTES):
        return None
    if not _plain_whole(buffer, 0, MAX_MINUTES):
        return None
    skills = _plain_names_or_none(get("skills"))
    availability = plain_availability(r, value, reluctant=True)
    fields = {
        "timezone": _or_default(r, get("timezone"), ctx.timezone, "timezone", Reader.timezone),
        "if_need_be_cost": _plain_amount(r, get("if_need_be_cost"), 0.0),
        "hourly_rate": _plain_amount(r, get("hourly_rate"), 0.0),
        "session_fee": _plain_amount(r, get("session_fee"), 0.0),
        "travel_cost": _plain_costs(r, get("travel_cost")),
    }
    if not _all_given(skills, availability, *fields.values()):
        return None
    return Facilitator(
        id=fid, skills=frozenset(skills), site=site, availability=availability,
        max_minutes_per_day=daily, buffer_minutes=buffer, **fields,
    )  # fmt: skip


def plain_room(r: Reader, value: Any, ctx: Context) -> Room | None:
    """The room ``value`` describes if it is plainly valid, else None; ``r.errors`` untouched."""
    if type(value) is not dict or not _known_properties(value, _ROOM_KEY_SET):
        return None
    get = value.get
    rid, site, capacity = get("id"), get("site"), get("capacity")
    if not (is_text(rid) and is_text(site) and _plain_whole(capacity, 1, MAX_LEARNERS)):
        return None
    fields = {
        "hourly_cost": _plain_amount(r, get("hourly_cost"), 0.0),
        "timezone": _or_default(r, get("timezone"), ctx.timezone, "timezone", Reader.timezone),
        "availability": plain_availability(r, value, reluctant=False),
    }
    if not _all_given(*fields.values()):
        return None
    return Room(id=rid, site=site, capacity=capacity, **fields)


def _plain_whole(value: Any, lowest: int, highest: int) -> bool:
    """Whether ``Reader.whole`` takes ``value`` as it is: an int (not a bool) in range."""
    return type(value) is int and lowest <= value <= highest


def _plain_costs(r: Reader, value: Any) -> dict[str, float] | None:
    """``_read_costs`` of an object of plain amounts by site name; {} when missing."""
    if value is None:
        return {}
    if type(value) is not dict or not all_str(value):
        return None
    costs = {}
    for site, amount in value.items():
        if amount is None:  # an error in full, not the default
            return None
        costs[site] = _plain_amount(r, amount, 0.0)
        if costs[site] is None:
            return None
    return costs


def read_fixed(r: Reader, value: Any, path: str, ctx: Context) -> FixedSession | None:
    """One entry of ``fixed``; a start without an offset is local to the problem's zone."""
    obj = r.obj(value, path, FIXED_KEYS)
    if obj is None:
        return None
    fields = {
        "section": r.field(obj, "section", path, r.text),
        "cohorts": r.field(obj, "cohorts", path, lambda v, p: _read_parts(r, v, p)),
        "session": r.field(obj, "session", path, lambda v, p: r.count(v, p, MAX_SESSIONS)),
        "start": r.field(obj, "start", path, lambda v, p: r.instant(v, p, ctx.timezone)),
    }
    facilitator = r.field(obj, "facilitator", path, r.text, default=None)
    room = r.field(obj, "room", path, r.text, default=None)
    if not _all_given(*fields.values()):
        return None
    return FixedSession(facilitator=facilitator, room=room, **fields)


def _read_parts(r: Reader, value: Any, path: str) -> tuple[CohortPart, ...] | None:
    items = r.items(value, path)
    if items is None:
        return None
    if not items:
        r.error(path, "a section needs at least one cohort")
        return None
    parts = []
    for k, item in enumerate(items):
        obj = r.obj(item, join(path, k), ("cohort", "learners"))
        if obj is None:
            continue
        cohort = r.field(obj, "cohort", join(path, k), r.text)
        learners = r.field(
            obj, "learners", join(path, k), lambda v, p: r.positive(v, p, MAX_LEARNERS)
        )
        if cohort is not None and learners is not None:
            parts.append(CohortPart(cohort, learners))
    return tuple(parts) if len(parts) == len(items) else None
