"""Stored schedule versions for tests, written by hand so that every time and name is known.

The problem is the period's real one (``period_problem``); the schedule document is built from
``Planned`` sections the way the solver writes it, then stored with ``store_version`` like a
solve job's result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    Facilitator,
    PlanningPeriod,
    Program,
    Role,
    Room,
    ScheduleVersion,
    VersionOrigin,
)
from scheduler.planning.mapping import period_problem
from scheduler.planning.versions import store_version
from solver.problem import SCHEDULE_FORMAT
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class Planned:
    """A section as a test wants it: who sits in it and, per session, (start, facilitator, room)."""

    key: str
    program: Program
    cohorts: list[tuple[Cohort, int]]
    sessions: list[tuple[datetime, Facilitator | None, Room | None]]
    minutes: int = 120

    def document(self) -> dict:
        return {
            "id": self.key,
            "program": self.program.key,
            "cohorts": [{"cohort": c.key, "learners": n} for c, n in self.cohorts],
            "size": sum(n for _, n in self.cohorts),
            "sessions": [
                {
                    "index": index,
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=self.minutes)).isoformat(),
                    "facilitator": facilitator.key if facilitator else None,
                    "room": room.key if room else None,
                }
                for index, (start, facilitator, room) in enumerate(self.sessions)
            ],
        }


@dataclass
class Costs:
    total: float = 1000.0
    facilitators: float = 400.0
    travel: float = 100.0
    rooms: float = 200.0
    seats: float = 300.0
    per_trained_learner: float = 50.0
    extra: dict = field(default_factory=dict)

    def document(self) -> dict:
        return {
            "total": self.total,
            "facilitators": self.facilitators,
            "travel": self.travel,
            "rooms": self.rooms,
            "seats": self.seats,
            "preferences": 0.0,
            "unscheduled": 0.0,
            "changes": 0.0,
            "per_trained_learner": self.per_trained_learner,
        } | self.extra


def store_draft(
    period: PlanningPeriod,
    sections: list[Planned],
    *,
    unscheduled: list[dict] = (),
    costs: Costs | None = None,
    status: str = "feasible",
    greedy_cost: float | None = None,
) -> ScheduleVersion:
    """A draft of ``period`` made of ``sections`` (flushed, not committed)."""
    costs = costs or Costs()
    schedule = {
        "format": SCHEDULE_FORMAT,
        "status": status,
        "cost": costs.document(),
        "lower_bound": costs.total * 0.9,
        "sections": [section.document() for section in sections],
        "unscheduled": list(unscheduled),
        "errors": [],
        "solver": {"wall_seconds": 2.5, "time_limit": 5, "bound": costs.total * 0.9, "gap": 0.1},
    }
    return store_version(
        period,
        period_problem(period),
        schedule,
        origin=VersionOrigin.SOLVE,
        greedy_cost=greedy_cost,
    )


def spring_organisation() -> tuple[PlanningPeriod, dict]:
    """Two sites, a room each, one two-session program, a cohort per site, a facilitator per
    site and the "Spring" period (Europe/London, across the clocks going forward)."""
    london, leeds = create_site(name="London"), create_site(name="Leeds")
    # Two seats at least: Leeds's one learner cannot have a section of their own.
    program = create_program(name="Fire safety", sessions=(120, 120), seats_min=2)
    learners = [
        create_learner(london, name=name)
        for name in ("Léa Martin", "Mo Haddad", "Zoe Price", "Sam Ito")
    ]
    period = PlanningPeriod(
        name="Spring", start=date(2027, 3, 15), end=date(2027, 4, 30), timezone="Europe/London"
    )
    db.session.add(period)
    found = {
        "program": program,
        "first": create_cohort(program, london, learners=learners[:3], key="fire-london"),
        "second": create_cohort(program, leeds, learners=learners[3:], key="fire-leeds"),
        "ana": create_facilitator(create_user(Role.FACILITATOR, name="Ana Duarte"), london),
        "ben": create_facilitator(create_user(Role.FACILITATOR, name="Ben Okafor"), leeds),
        "room_a": create_room(london, name="Thames room"),
        "room_b": create_room(leeds, name="Aire room"),
    }
    db.session.flush()
    return period, found


def first_plan(o: dict) -> list[Planned]:
    """London's cohort with Ana in the Thames room (the 30th is after the clocks went forward),
    Leeds's cohort with Ben in the Aire room."""
    return [
        Planned(
            "S1",
            o["program"],
            [(o["first"], 3)],
            [
                (utc(2027, 3, 16, 9), o["ana"], o["room_a"]),
                (utc(2027, 3, 30, 8), o["ana"], o["room_a"]),
            ],
        ),
        Planned(
            "S2",
            o["program"],
            [(o["second"], 1)],
            [
                (utc(2027, 3, 17, 9), o["ben"], o["room_b"]),
                (utc(2027, 3, 24, 9), o["ben"], o["room_b"]),
            ],
        ),
    ]
