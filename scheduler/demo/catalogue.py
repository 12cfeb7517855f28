"""The demo company's places and programs: sites, rooms and the six workshops being rolled out.

The company is a retail group (stores in England, France and Germany, offices in London,
Manchester, Paris, Berlin and New York) running two rollouts at once: retraining store staff on
a new till system, and a security-champions series for its office and engineering staff.
Money is in one currency throughout, as the solver expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from scheduler.demo.timeutil import local_week
from scheduler.models import (
    AvailabilityKind,
    AvailabilityRule,
    Program,
    ProgramMode,
    ProgramSession,
    Room,
    Site,
)


@dataclass(frozen=True)
class SiteSpec:
    key: str
    name: str
    timezone: str
    #: (name, capacity, hourly cost)
    rooms: tuple[tuple[str, int, float], ...]
    #: Whose public holidays the site keeps: (country, subdivision) as the ``holidays`` package
    #: names them; the demo knows its cities, so it names the region its zone cannot tell.
    holidays: tuple[str, str] = ("", "")
    address: str = ""


SITES = (
    SiteSpec(
        "london",
        "London head office",
        "Europe/London",
        (("Thames", 40, 85.0), ("Fleet", 16, 45.0), ("Lambeth", 10, 30.0), ("Till lab", 12, 20.0)),
        ("GB", "ENG"),
        "1 Example Street, London EC1A 1AA, United Kingdom",
    ),
    SiteSpec(
        "manchester",
        "Manchester regional hub",
        "Europe/London",
        (("Pennine", 24, 40.0), ("Irwell", 12, 25.0), ("Till lab", 12, 15.0)),
        ("GB", "ENG"),
        "2 Example Road, Manchester M1 1AA, United Kingdom",
    ),
    SiteSpec(
        "paris",
        "Paris La Défense office",
        "Europe/Paris",
        (("Seine", 20, 60.0), ("Montmartre", 10, 35.0), ("Salle caisses", 10, 15.0)),
        ("FR", ""),
        "3 rue de l'Exemple, 92400 Courbevoie, France",
    ),
    SiteSpec(
        "berlin",
        "Berlin Mitte office",
        "Europe/Berlin",
        (("Spree", 30, 55.0), ("Tiergarten", 12, 30.0), ("Kassenschulung", 10, 15.0)),
        ("DE", "BE"),
        "Beispielstraße 4, 10117 Berlin, Germany",
    ),
    SiteSpec(
        "new-york",
        "New York office",
        "America/New_York",
        (("Hudson", 24, 95.0), ("Chelsea", 8, 50.0)),
        ("US", "NY"),
        "5 Example Avenue, New York, NY 10001, USA",
    ),
)

#: Rooms fitted with training tills, open on Saturday mornings too.
TILL_LABS = frozenset({"Till lab", "Salle caisses", "Kassenschulung"})

#: Country of each site, for travel costs: a train within a country, a flight across borders.
COUNTRY = {"london": "uk", "manchester": "uk", "paris": "fr", "berlin": "de", "new-york": "us"}


def travel_cost(home: str, destination: str) -> float:
    """What one trip from ``home`` to teach at ``destination`` costs (fares plus a hotel night)."""
    if COUNTRY[home] == COUNTRY[destination]:
        return 180.0
    if "us" in (COUNTRY[home], COUNTRY[destination]):
        return 1450.0
    if "uk" in (COUNTRY[home], COUNTRY[destination]):
        return 420.0  # Eurostar or a short flight, and a night away
    return 360.0


@dataclass(frozen=True)
class ProgramSpec:
    key: str
    name: str
    mode: ProgramMode
    skill: str
    #: (title, minutes) in order
    sessions: tuple[tuple[str, int], ...]
    seats: tuple[int, int]
    seat_cost: float
    gap_days: tuple[int, int]
    same_facilitator: bool
    fixed_development_cost: float


PROGRAMS = (
    ProgramSpec(
        "pos-basics",
        "New till system: the basics",
        ProgramMode.IN_PERSON,
        "pos",
        (("Sales, payments and loyalty", 120), ("Returns, vouchers and closing the till", 120)),
        seats=(4, 12),
        seat_cost=15.0,  # printed quick guide and a training-mode till licence
        gap_days=(1, 7),
        same_facilitator=False,
        fixed_development_cost=18000.0,
    ),
    ProgramSpec(
        "pos-shift-leads",
        "New till system for shift leads",
        ProgramMode.IN_PERSON,
        "pos-lead",
        (("Overrides, refunds and cashing up", 150),),
        seats=(3, 10),
        seat_cost=20.0,
        gap_days=(0, 14),
        same_facilitator=True,
        fixed_development_cost=9500.0,
    ),
    ProgramSpec(
        "security-champions",
        "Security champions workshop",
        ProgramMode.IN_PERSON,
        "security",
        (
            ("How attacks on a retailer happen, and the champion's role", 180),
            ("Running security conversations in your team", 120),
        ),
        seats=(8, 24),
        seat_cost=25.0,
        gap_days=(5, 14),
        same_facilitator=True,
        fixed_development_cost=30000.0,
    ),
    ProgramSpec(
        "phishing-defence",
        "Phishing defence (virtual)",
        ProgramMode.VIRTUAL,
        "phishing",
        (("Spotting, reporting and recovering from phishing", 90),),
        seats=(10, 40),
        seat_cost=4.0,
        gap_days=(0, 14),
        same_facilitator=True,
        fixed_development_cost=6000.0,
    ),
    ProgramSpec(
        "secure-coding",
        "Secure coding lab",
        ProgramMode.IN_PERSON,
        "secure-coding",
        (
            ("Injection and input handling", 180),
            ("Authentication, sessions and access control", 180),
            ("Secrets, dependencies and secure review", 180),
        ),
        seats=(6, 16),
        seat_cost=35.0,  # hosted lab environment per learner per day
        gap_days=(1, 7),
        same_facilitator=True,
        fixed_development_cost=42000.0,
    ),
    ProgramSpec(
        "manager-coaching",
        "Coaching your team through change (virtual)",
        ProgramMode.VIRTUAL,
        "coaching",
        (("Leading the change conversation", 90), ("Coaching clinic", 90)),
        seats=(4, 12),
        seat_cost=10.0,
        gap_days=(7, 21),
        same_facilitator=True,
        fixed_development_cost=12000.0,
    ),
)


def build_sites(copies: int = 1) -> dict[str, Site]:
    """The sites with their rooms, by site key; ``copies`` repeats each site's rooms for
    benchmarks (copy 2's keys end in "-2"; names, capacities and hours stay the same)."""
    sites = {}
    for spec in SITES:
        country, subdivision = spec.holidays
        site = Site(
            key=spec.key,
            name=spec.name,
            timezone=spec.timezone,
            country=country,
            subdivision=subdivision,
            address=spec.address,
        )
        site.rooms = [
            Room(
                key=f"{spec.key}-{name.lower().replace(' ', '-')}" + copy_suffix(copy),
                name=name,
                capacity=capacity,
                hourly_cost=cost,
            )
            for copy in range(1, copies + 1)
            for name, capacity, cost in spec.rooms
        ]
        sites[spec.key] = site
    return sites


def copy_suffix(copy: int) -> str:
    """What ends the key of a benchmark's copy of a room or facilitator: nothing for the first."""
    return "" if copy == 1 else f"-{copy}"


def room_rules(sites: dict[str, Site], plan_start: date) -> list[AvailabilityRule]:
    """Building hours of every room, and one room closed for a refit in the fourth week.

    The rooms must have been flushed: rules refer to them by id.

    Offices open 07:00-19:00 on weekdays so that till training can start before stores open;
    the till labs at the hubs also open on Saturday mornings.
    """
    rules = []
    for site in sites.values():
        for room in site.rooms:
            days = range(6) if room.name in TILL_LABS else range(5)
            for weekday in days:
                end = time(13, 0) if weekday == 5 else time(19, 0)
                rules.append(
                    AvailabilityRule(
                        room_id=room.id,
                        kind=AvailabilityKind.WEEKLY,
                        weekday=weekday,
                        start_time=time(7, 0),
                        end_time=end,
                        note="Building hours",
                    )
                )
    thames = next(room for room in sites["london"].rooms if room.name == "Thames")
    refit_start, refit_end = local_week(plan_start + timedelta(weeks=3), sites["london"].timezone)
    rules.append(
        AvailabilityRule(
            room_id=thames.id,
            kind=AvailabilityKind.UNAVAILABLE,
            start=refit_start,
            end=refit_end,
            note="Audio-visual refit",
        )
    )
    return rules


def build_programs() -> dict[str, Program]:
    """The six programs with their ordered sessions, by program key."""
    programs = {}
    for spec in PROGRAMS:
        program = Program(
            key=spec.key,
            name=spec.name,
            mode=spec.mode,
            skill=spec.skill,
            seats_min=spec.seats[0],
            seats_max=spec.seats[1],
            seat_cost=spec.seat_cost,
            same_facilitator=spec.same_facilitator,
            gap_min_days=spec.gap_days[0],
            gap_max_days=spec.gap_days[1],
            fixed_development_cost=spec.fixed_development_cost,
        )
        program.sessions = [
            ProgramSession(position=i, title=title, duration_minutes=minutes)
            for i, (title, minutes) in enumerate(spec.sessions)
        ]
        programs[spec.key] = program
    return programs
