"""The hiring pool and the hires of a schedule: reading, weeks, cost and the checker's rule.

A problem may list a ``hiring_pool`` of hypothetical facilitators; a schedule of such a problem
lists its ``hires``: which pool members it engages and from which week. This module is data only
(no CP-SAT): the validator reads the pool with it, the checker and the cost recomputation read the
hires with it, and :mod:`solver.capacity` writes them. The model's rule that a hire teaches only
from their start week is its own arithmetic on the model's day indexes; it shares with the checker
only the week count of the horizon and the week of a date (``horizon_weeks``, ``week_of``), and the
brute-force test (``tests/solver/test_capacity.py``) checks the two against each other.

Weeks run Monday to Sunday in the problem's zone. Week 0 is the week of the horizon's first day;
a hire engaged from week ``w`` is paid for every week from ``w`` to the horizon's last week,
because a hire is a commitment for the rest of the period, not per session.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from solver.fields import Reader, join
from solver.problem import Facilitator, LocalInterval, PoolMember, Problem

POOL_KEYS = ("weekly_cost", "onboarding_cost", "earliest_start")
HIRE_KEYS = ("id", "from", "weeks", "skills", "site", "cost")


# --- weeks --------------------------------------------------------------------------------------


def week_monday(day: date) -> date:
    """The Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def horizon_weeks(problem: Problem) -> int:
    """How many Monday-to-Sunday weeks the horizon touches."""
    first, last = week_monday(problem.horizon_start), week_monday(problem.horizon_end)
    return (last - first).days // 7 + 1


def week_of(problem: Problem, day: date) -> int:
    """Index of the week holding ``day`` (0 = the horizon's first week)."""
    return (week_monday(day) - week_monday(problem.horizon_start)).days // 7


def week_start(problem: Problem, week: int) -> date:
    """The first horizon day of week ``week``: its Monday, or the horizon's start in week 0."""
    return max(problem.horizon_start, week_monday(problem.horizon_start) + timedelta(weeks=week))


def engaged_weeks(problem: Problem, start: date) -> int:
    """Weeks paid for a hire engaged from ``start`` to the end of the horizon."""
    return horizon_weeks(problem) - week_of(problem, start)


def hire_cents(problem: Problem, member: PoolMember, start: date) -> int:
    """Onboarding plus weekly cost of engaging ``member`` from ``start``, in cents."""
    from solver.cost import to_cents  # cost imports this module for the hiring component

    weekly = Decimal(repr(member.weekly_cost)) * engaged_weeks(problem, start)
    return to_cents(member.onboarding_cost) + to_cents(weekly)


# --- the pool as facilitators -------------------------------------------------------------------


def as_facilitator(problem: Problem, member: PoolMember) -> Facilitator:
    """The pool member as a facilitator of the problem: unavailable before their earliest start."""
    f = member.facilitator
    if member.earliest_start is None or member.earliest_start <= problem.horizon_start:
        return f
    # From a week before the horizon: a session may start the evening before in another zone.
    before = LocalInterval(
        datetime.combine(problem.horizon_start - timedelta(days=7), time()),
        datetime.combine(member.earliest_start, time()),
    )
    availability = dataclasses.replace(
        f.availability, unavailable=(*f.availability.unavailable, before)
    )
    return dataclasses.replace(f, availability=availability)


def staffed(problem: Problem, hired: set[str] | None = None) -> Problem:
    """The problem with pool members added to its facilitators: those in ``hired``, or the whole
    pool when ``hired`` is None. The pool stays on the problem."""
    extra = {
        m.id: as_facilitator(problem, m)
        for m in problem.hiring_pool.values()
        if hired is None or m.id in hired
    }
    return dataclasses.replace(problem, facilitators={**problem.facilitators, **extra})


# --- reading the pool (validation) --------------------------------------------------------------


def read_pool_member(r: Reader, value: Any, path: str, read_facilitator) -> PoolMember | None:
    """One entry of ``hiring_pool``: a facilitator's fields plus the hiring costs."""
    if not isinstance(value, dict):
        r.error(path, "must be an object")
        return None
    person = {k: v for k, v in value.items() if k not in POOL_KEYS}
    facilitator = read_facilitator(person, path)
    weekly = r.field(value, "weekly_cost", path, r.amount, default=0.0)
    onboarding = r.field(value, "onboarding_cost", path, r.amount, default=0.0)
    earliest = r.field(value, "earliest_start", path, r.day, default=None)
    if facilitator is None or weekly is None or onboarding is None:
        return None
    if "earliest_start" in value and value["earliest_start"] is not None and earliest is None:
        return None
    return PoolMember(facilitator, weekly, onboarding, earliest)


def check_pool_ids(r: Reader, pool: list[tuple[int, PoolMember]], facilitators: set) -> None:
    """A pool member's id must not be a facilitator's: a session names one or the other."""
    for k, member in pool:
        if member.id in facilitators:
            r.error(
                join(join("hiring_pool", k), "id"),
                f"'{member.id}' is already a facilitator's id; pool members need their own",
            )


# --- hires in a schedule ------------------------------------------------------------------------


@dataclass(frozen=True)
class Hire:
    """One entry of a schedule's ``hires``, as read."""

    id: str
    start: date
    weeks: Any
    path: str


def hire_entry(problem: Problem, member: PoolMember, start: date, sessions: int) -> dict:
    """The ``hires`` entry of a schedule for ``member`` engaged from ``start``."""
    f = member.facilitator
    weeks = engaged_weeks(problem, start)
    return {
        "id": member.id,
        "skills": sorted(f.skills),
        "site": f.site,
        "from": start.isoformat(),
        "weeks": weeks,
        "sessions": sessions,
        "cost": {
            "onboarding": member.onboarding_cost,
            "weekly": round(hire_cents(problem, member, start) / 100 - member.onboarding_cost, 2),
        },
    }


def hired_ids(schedule: Any) -> set[str]:
    """Ids the schedule says it hires (forgiving: malformed entries are the checker's to report)."""
    hires = schedule.get("hires") if isinstance(schedule, dict) else None
    if not isinstance(hires, list):
        return set()
    return {h["id"] for h in hires if isinstance(h, dict) and isinstance(h.get("id"), str)}


def read_hires(problem: Problem, schedule: Any, problems: list) -> list[Hire]:
    """The readable ``hires`` of a schedule; what cannot be read is added to ``problems``."""
    from solver.scheduled import violation

    value = schedule.get("hires", []) if isinstance(schedule, dict) else []
    if not isinstance(value, list):
        problems.append(violation("schedule_format", "hires", "must be a list"))
        return []
    out, seen = [], set()
    for k, item in enumerate(value):
        path = join("hires", k)
        if not isinstance(item, dict):
            problems.append(violation("schedule_format", path, "must be an object"))
            continue
        hid = item.get("id")
        if hid not in problem.hiring_pool:
            problems.append(
                violation(
                    "unknown_reference", join(path, "id"), f"{hid!r} is not in the hiring pool"
                )
            )
            continue
        if hid in seen:
            problems.append(violation("hires", join(path, "id"), f"'{hid}' is hired twice"))
            continue
        try:
            start = date.fromisoformat(item.get("from"))
        except (TypeError, ValueError):
            problems.append(violation("schedule_format", join(path, "from"), "must be a date"))
            continue
        seen.add(hid)
        out.append(Hire(hid, start, item.get("weeks"), path))
    return out


def hiring_cents(problem: Problem, hires: list[Hire]) -> int:
    """The hiring cost of a schedule's hires, in cents."""
    return sum(hire_cents(problem, problem.hiring_pool[h.id], h.start) for h in hires)


def hired_pool_members(problem: Problem, placed) -> Iterator[dict[str, str]]:
    """A member of the hiring pool teaches only when hired, and only from the week they are
    hired; a hire starts within the horizon, not before the member's earliest start, and is paid
    for the weeks from then to the horizon's end."""
    from solver.localtime import to_local
    from solver.scheduled import violation

    hires = {h.id: h for h in placed.hires}
    for h in hires.values():
        member = problem.hiring_pool[h.id]
        if not problem.horizon_start <= h.start <= problem.horizon_end:
            yield violation("hires", join(h.path, "from"), f"{h.start} is outside the horizon")
        elif member.earliest_start and week_of(problem, h.start) < week_of(
            problem, member.earliest_start
        ):
            yield violation(
                "hires", join(h.path, "from"),
                f"'{h.id}' can start no earlier than {member.earliest_start}",
            )  # fmt: skip
        elif h.weeks != engaged_weeks(problem, h.start):
            yield violation(
                "hires", join(h.path, "weeks"),
                f"reports {h.weeks!r}, {engaged_weeks(problem, h.start)} weeks from {h.start} "
                f"to the horizon's end",
            )  # fmt: skip
    for session in placed.sessions:
        if session.facilitator not in problem.hiring_pool:
            continue
        hire = hires.get(session.facilitator)
        day = to_local(session.start, problem.timezone).date()
        if hire is None:
            yield violation(
                "hires", join(session.path, "facilitator"),
                f"'{session.facilitator}' is in the hiring pool but not hired",
            )  # fmt: skip
        elif week_of(problem, day) < week_of(problem, hire.start):
            yield violation(
                "hires", join(session.path, "facilitator"),
                f"'{hire.id}' teaches on {day}, before the week they are hired from ({hire.start})",
            )  # fmt: skip
