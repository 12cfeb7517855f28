"""Factory functions that make valid domain objects for tests, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import time

from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    CohortMember,
    Facilitator,
    FacilitatorSkill,
    Learner,
    Program,
    ProgramMode,
    ProgramSession,
    Role,
    Room,
    Site,
    User,
)

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def _n() -> int:
    return next(_numbers)


def create_user(role: Role = Role.COORDINATOR, **fields) -> User:
    n = _n()
    user = User(
        email=fields.pop("email", f"user{n}@example.com"),
        name=fields.pop("name", f"User {n}"),
        role=role,
        timezone=fields.pop("timezone", "Europe/London"),
        **fields,
    )
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def create_site(**fields) -> Site:
    n = _n()
    site = Site(
        key=fields.pop("key", f"site-{n}"),
        name=fields.pop("name", f"Site {n}"),
        timezone=fields.pop("timezone", "Europe/London"),
        **fields,
    )
    db.session.add(site)
    db.session.flush()
    return site


def create_room(site: Site | None = None, **fields) -> Room:
    n = _n()
    room = Room(
        key=fields.pop("key", f"room-{n}"),
        site=site or create_site(),
        name=fields.pop("name", f"Room {n}"),
        capacity=fields.pop("capacity", 20),
        hourly_cost=fields.pop("hourly_cost", 40.0),
        **fields,
    )
    db.session.add(room)
    db.session.flush()
    return room


def create_program(sessions: tuple[int, ...] = (180, 120), **fields) -> Program:
    n = _n()
    program = Program(
        key=fields.pop("key", f"program-{n}"),
        name=fields.pop("name", f"Program {n}"),
        mode=fields.pop("mode", ProgramMode.IN_PERSON),
        skill=fields.pop("skill", "security"),
        seats_min=fields.pop("seats_min", 6),
        seats_max=fields.pop("seats_max", 20),
        seat_cost=fields.pop("seat_cost", 12.0),
        gap_min_days=fields.pop("gap_min_days", 2),
        gap_max_days=fields.pop("gap_max_days", 7),
        **fields,
    )
    program.sessions = [
        ProgramSession(position=i, duration_minutes=minutes, title=f"Part {i + 1}")
        for i, minutes in enumerate(sessions)
    ]
    db.session.add(program)
    db.session.flush()
    return program


def create_learner(site: Site | None = None, manager: User | None = None, **fields) -> Learner:
    n = _n()
    learner = Learner(
        key=fields.pop("key", f"e{n}"),
        name=fields.pop("name", f"Learner {n}"),
        email=fields.pop("email", f"learner{n}@example.com"),
        team=fields.pop("team", "Ops"),
        timezone=fields.pop("timezone", "Europe/London"),
        site=site,
        manager=manager,
        **fields,
    )
    db.session.add(learner)
    db.session.flush()
    return learner


def create_cohort(
    program: Program | None = None, site: Site | None = None, learners=(), **fields
) -> Cohort:
    n = _n()
    cohort = Cohort(
        key=fields.pop("key", f"cohort-{n}"),
        program=program or create_program(),
        site=site,
        timezone=fields.pop("timezone", "Europe/London"),
        hours_from=fields.pop("hours_from", time(9, 0)),
        hours_to=fields.pop("hours_to", time(17, 0)),
        **fields,
    )
    cohort.members = [CohortMember(learner=learner) for learner in learners]
    db.session.add(cohort)
    db.session.flush()
    return cohort


def create_facilitator(user: User | None = None, site: Site | None = None, **fields) -> Facilitator:
    n = _n()
    skills = fields.pop("skills", ("security",))
    facilitator = Facilitator(
        key=fields.pop("key", f"fac-{n}"),
        user=user or create_user(Role.FACILITATOR),
        site=site,
        timezone=fields.pop("timezone", "Europe/London"),
        hourly_rate=fields.pop("hourly_rate", 90.0),
        **fields,
    )
    facilitator.skills = [FacilitatorSkill(skill=skill) for skill in skills]
    db.session.add(facilitator)
    db.session.flush()
    return facilitator


def create_availability_rule(facilitator=None, room=None, **fields):
    """An availability rule of a facilitator or a room (a weekly Monday 09:00-17:00 by default)."""
    from scheduler.models import AvailabilityKind, AvailabilityRule

    kind = fields.pop("kind", AvailabilityKind.WEEKLY)
    if kind == AvailabilityKind.WEEKLY:
        fields.setdefault("weekday", 0)
        fields.setdefault("start_time", time(9, 0))
        fields.setdefault("end_time", time(17, 0))
    rule = AvailabilityRule(
        kind=kind,
        facilitator_id=facilitator.id if facilitator is not None else None,
        room_id=room.id if room is not None else None,
        **fields,
    )
    db.session.add(rule)
    db.session.flush()
    return rule
