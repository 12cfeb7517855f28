"""The demo's 25 facilitators: store trainers, security and coding instructors, coaches.

Each has a user account, skills, a home site, rates, travel costs to the other sites, a weekly
pattern in their own time zone, and some have leave weeks, a one-off extra window or an
"if need be" window. Weeks are counted from the planning start (week 0 is its Monday).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from scheduler.demo.catalogue import SITES, copy_suffix, travel_cost
from scheduler.demo.names import ascii_slug
from scheduler.demo.timeutil import local_instant, local_week
from scheduler.models import (
    AvailabilityKind,
    AvailabilityRule,
    Facilitator,
    FacilitatorSkill,
    Role,
    Site,
    TravelCost,
    User,
)

WEEKDAYS = range(5)


def _ranges(days, *ranges: tuple[str, str]) -> dict[int, tuple[tuple[str, str], ...]]:
    return {day: ranges for day in days}


#: Weekly patterns, local to the facilitator: weekday (0 = Monday) -> ranges.
PATTERNS: dict[str, dict[int, tuple[tuple[str, str], ...]]] = {
    # Store trainers start before the shops open and keep mid-week afternoons for the quiet hours.
    "store-early": _ranges(WEEKDAYS, ("06:30", "12:30"))
    | _ranges((1, 2, 3), ("06:30", "12:30"), ("13:30", "17:00")),
    "mornings": _ranges(WEEKDAYS, ("07:00", "13:00")),
    "office": _ranges(WEEKDAYS, ("09:00", "17:30")),
    "office-lunch": _ranges(WEEKDAYS, ("09:00", "12:30"), ("13:30", "17:30")),
    "three-days": _ranges((1, 2, 3), ("08:30", "17:30")),
    "new-york": _ranges(WEEKDAYS, ("08:00", "16:00")),
    # Starts early so that virtual sessions reach European afternoons.
    "new-york-early": _ranges(WEEKDAYS, ("06:00", "14:00")),
}


@dataclass(frozen=True)
class OneOff:
    """A one-off window: ``kind`` on ``weekday`` of week ``week``, local ``start``-``end``."""

    kind: AvailabilityKind
    week: int
    weekday: int
    start: str
    end: str
    note: str


@dataclass(frozen=True)
class FacilitatorSpec:
    first: str
    last: str
    site: str
    skills: tuple[str, ...]
    pattern: str
    hourly_rate: float = 0.0
    session_fee: float = 0.0
    if_need_be_cost: float = 0.0
    max_minutes_per_day: int | None = None
    buffer_minutes: int = 0
    leave_weeks: tuple[int, ...] = ()
    one_offs: tuple[OneOff, ...] = field(default_factory=tuple)
    email: str | None = None


IF_NEED_BE, AVAILABLE = AvailabilityKind.IF_NEED_BE, AvailabilityKind.AVAILABLE
DEMO_FACILITATOR_EMAIL = "facilitator@demo.example"
SECOND_FACILITATOR_EMAIL = "facilitator2@demo.example"

FACILITATORS = (
    FacilitatorSpec(
        "Priya", "Shah", "london", ("security", "phishing"), "office", hourly_rate=65,
        max_minutes_per_day=300, buffer_minutes=30, leave_weeks=(5,),
        one_offs=(OneOff(IF_NEED_BE, 2, 4, "17:30", "20:00", "Can stay late if needed"),),
        email=DEMO_FACILITATOR_EMAIL,
    ),
    FacilitatorSpec(
        "Tomasz", "Nowak", "manchester", ("pos", "pos-lead"), "store-early", hourly_rate=48,
        max_minutes_per_day=300, buffer_minutes=15, leave_weeks=(7,),
        one_offs=(OneOff(AVAILABLE, 3, 5, "07:00", "11:00", "Saturday before opening"),),
        email=SECOND_FACILITATOR_EMAIL,
    ),
    FacilitatorSpec("Aisha", "Rahman", "london", ("pos",), "store-early", hourly_rate=45,
                    max_minutes_per_day=300, buffer_minutes=15, leave_weeks=(2,)),
    FacilitatorSpec("Callum", "Reid", "manchester", ("pos",), "store-early", hourly_rate=45,
                    max_minutes_per_day=300, buffer_minutes=15),
    FacilitatorSpec(
        "Bethan", "Hughes", "london", ("pos", "pos-lead"), "mornings", hourly_rate=50,
        max_minutes_per_day=300, buffer_minutes=15,
        one_offs=(OneOff(IF_NEED_BE, 4, 5, "07:00", "11:00", "Saturday, only if stuck"),),
    ),
    FacilitatorSpec("Camille", "Laurent", "paris", ("pos", "pos-lead"), "store-early",
                    hourly_rate=50, max_minutes_per_day=300, buffer_minutes=15,
                    leave_weeks=(6,)),
    FacilitatorSpec("Julien", "Mercier", "paris", ("pos",), "mornings", hourly_rate=44,
                    max_minutes_per_day=300, buffer_minutes=15),
    FacilitatorSpec("Lena", "Fischer", "berlin", ("pos", "pos-lead"), "store-early",
                    hourly_rate=52, max_minutes_per_day=300, buffer_minutes=15,
                    leave_weeks=(4,)),
    FacilitatorSpec("Jonas", "Becker", "berlin", ("pos",), "mornings", hourly_rate=44,
                    max_minutes_per_day=300, buffer_minutes=15),
    FacilitatorSpec("Daniel", "Okoye", "london", ("security", "secure-coding"), "office-lunch",
                    hourly_rate=75, max_minutes_per_day=360, buffer_minutes=30,
                    leave_weeks=(8,)),
    FacilitatorSpec("Sophie", "Martin", "paris", ("security", "phishing"), "office",
                    hourly_rate=68, max_minutes_per_day=300, buffer_minutes=30),
    FacilitatorSpec("Markus", "Weber", "berlin", ("security", "secure-coding"), "office-lunch",
                    hourly_rate=72, max_minutes_per_day=360, buffer_minutes=30,
                    leave_weeks=(3,)),
    FacilitatorSpec("Hannah", "Clarke", "manchester", ("security", "phishing"), "three-days",
                    hourly_rate=62, max_minutes_per_day=300, buffer_minutes=30),
    FacilitatorSpec(
        "Marcus", "Johnson", "new-york", ("security", "phishing"), "new-york", hourly_rate=85,
        max_minutes_per_day=300, buffer_minutes=30,
        one_offs=(OneOff(IF_NEED_BE, 1, 1, "06:00", "08:00", "Early call with Europe"),),
    ),
    FacilitatorSpec("Olivia", "Bennett", "london", ("phishing", "coaching"), "office",
                    hourly_rate=58, max_minutes_per_day=270, buffer_minutes=15,
                    leave_weeks=(9,)),
    FacilitatorSpec("Ethan", "Brooks", "new-york", ("phishing",), "new-york-early",
                    hourly_rate=70, max_minutes_per_day=270, buffer_minutes=15),
    FacilitatorSpec("Rahul", "Mehta", "london", ("secure-coding",), "office", hourly_rate=80,
                    max_minutes_per_day=360, buffer_minutes=30),
    FacilitatorSpec("Katrin", "Vogel", "berlin", ("secure-coding", "security"), "three-days",
                    hourly_rate=78, max_minutes_per_day=360, buffer_minutes=30),
    # An external contractor: paid per session, Mondays only if nobody else can.
    FacilitatorSpec(
        "Sam", "Carter", "london", ("secure-coding", "security"), "three-days",
        session_fee=650, if_need_be_cost=150, max_minutes_per_day=360, buffer_minutes=60,
        one_offs=(
            OneOff(IF_NEED_BE, 4, 0, "09:00", "17:00", "Contract day, if need be"),
            OneOff(IF_NEED_BE, 5, 0, "09:00", "17:00", "Contract day, if need be"),
        ),
    ),
    FacilitatorSpec("Fiona", "Gallagher", "manchester", ("coaching",), "mornings",
                    hourly_rate=60, max_minutes_per_day=180, buffer_minutes=30),
    FacilitatorSpec("Amélie", "Dubois", "paris", ("coaching", "phishing"), "office",
                    hourly_rate=60, max_minutes_per_day=270, buffer_minutes=15,
                    leave_weeks=(2, 3)),
    FacilitatorSpec("Rachel", "Stein", "new-york", ("coaching", "phishing"), "new-york",
                    hourly_rate=75, max_minutes_per_day=270, buffer_minutes=15),
    FacilitatorSpec("Greg", "Walsh", "london", ("pos-lead", "coaching"), "office",
                    hourly_rate=55, max_minutes_per_day=300, buffer_minutes=15),
    # A freelance till trainer: per-session fee, keeps Saturdays as a reluctant option.
    FacilitatorSpec(
        "Nadia", "Petrova", "berlin", ("pos", "phishing"), "mornings", session_fee=220,
        if_need_be_cost=80, max_minutes_per_day=240, buffer_minutes=30,
        one_offs=(OneOff(IF_NEED_BE, 6, 5, "07:00", "11:00", "Saturday, if need be"),),
    ),
    FacilitatorSpec("Inès", "Haddad", "paris", ("phishing", "security"), "office-lunch",
                    hourly_rate=60, max_minutes_per_day=300, buffer_minutes=15),
)  # fmt: skip

SITE_TIMEZONES = {spec.key: spec.timezone for spec in SITES}


def build_facilitators(
    sites: dict[str, Site], email_for, password_hash, copies: int = 1
) -> list[Facilitator]:
    """Facilitator profiles with their user accounts, skills and travel costs.

    ``email_for(first, last)`` hands out unique addresses; ``password_hash`` is given to every
    account that is not a demo account (the caller sets the demo accounts' passwords). ``copies``
    repeats the whole team for benchmarks (copy 2's keys end in "-2"; only copy 1 holds the
    demo accounts), in the order ``availability_rules`` expects.
    """
    return [
        _facilitator(spec, copy, sites, email_for, password_hash)
        for copy in range(1, copies + 1)
        for spec in FACILITATORS
    ]


def _facilitator(spec: FacilitatorSpec, copy: int, sites, email_for, password_hash) -> Facilitator:
    timezone = SITE_TIMEZONES[spec.site]
    user = User(
        email=(copy == 1 and spec.email) or email_for(spec.first, spec.last),
        name=f"{spec.first} {spec.last}",
        role=Role.FACILITATOR,
        timezone=timezone,
        password_hash=password_hash,
    )
    facilitator = Facilitator(
        key=f"fac-{ascii_slug(spec.first + ' ' + spec.last)}{copy_suffix(copy)}",
        user=user,
        site=sites[spec.site],
        timezone=timezone,
        hourly_rate=spec.hourly_rate,
        session_fee=spec.session_fee,
        if_need_be_cost=spec.if_need_be_cost,
        max_minutes_per_day=spec.max_minutes_per_day,
        buffer_minutes=spec.buffer_minutes,
    )
    facilitator.skills = [FacilitatorSkill(skill=skill) for skill in spec.skills]
    facilitator.travel_costs = [
        TravelCost(site=site, cost=travel_cost(spec.site, key))
        for key, site in sites.items()
        if key != spec.site
    ]
    return facilitator


def availability_rules(facilitators: list[Facilitator], plan_start: date) -> list[AvailabilityRule]:
    """Every facilitator's weekly pattern, leave and one-off windows (facilitators flushed)."""
    rules = []
    copies = len(facilitators) // len(FACILITATORS)
    for spec, facilitator in zip(FACILITATORS * copies, facilitators, strict=True):
        rules += _weekly(facilitator.id, PATTERNS[spec.pattern])
        for week in spec.leave_weeks:
            start, end = local_week(plan_start + timedelta(weeks=week), facilitator.timezone)
            rules.append(
                _one_off(facilitator.id, AvailabilityKind.UNAVAILABLE, start, end, "Annual leave")
            )
        for window in spec.one_offs:
            day = plan_start + timedelta(weeks=window.week, days=window.weekday)
            start = local_instant(day, time.fromisoformat(window.start), facilitator.timezone)
            end = local_instant(day, time.fromisoformat(window.end), facilitator.timezone)
            rules.append(_one_off(facilitator.id, window.kind, start, end, window.note))
    return rules


def _weekly(facilitator_id: int, pattern) -> list[AvailabilityRule]:
    return [
        AvailabilityRule(
            facilitator_id=facilitator_id,
            kind=AvailabilityKind.WEEKLY,
            weekday=weekday,
            start_time=time.fromisoformat(start),
            end_time=time.fromisoformat(end),
        )
        for weekday, ranges in sorted(pattern.items())
        for start, end in ranges
    ]


def _one_off(facilitator_id: int, kind, start, end, note: str) -> AvailabilityRule:
    return AvailabilityRule(
        facilitator_id=facilitator_id, kind=kind, start=start, end=end, note=note
    )
