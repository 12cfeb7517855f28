"""Demo data: an invented retail group in the middle of two training rollouts.

``load_demo`` fills an empty database with a realistic organisation drawn from two real
rollouts: a retail chain retraining store staff on a new till (point-of-sale) system across its
regions, and a security-champions workshop series (in person and virtual) for its office and
engineering staff. Everything is generated from a seeded random generator, so every load makes
the same people; only the dates move, counted from the planning start (the Monday on or after
today).

THIS IS DEMO DATA. The demo accounts have fixed, published passwords; every other account gets
one random password that is thrown away, so nobody can sign in with it.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from sqlalchemy import exists, select
from werkzeug.security import generate_password_hash

from scheduler.demo.catalogue import build_programs, build_sites, room_rules
from scheduler.demo.cohorts import CohortBuilder
from scheduler.demo.facilitators import (
    DEMO_FACILITATOR_EMAIL,
    SECOND_FACILITATOR_EMAIL,
    availability_rules,
    build_facilitators,
)
from scheduler.demo.microlessons import build_follow_ups
from scheduler.demo.names import NameBook
from scheduler.demo.organisation import DEMO_MANAGERS, OrganisationBuilder
from scheduler.demo.scenarios import demo_scenarios
from scheduler.demo.timeutil import planning_start
from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    Facilitator,
    Learner,
    PlanningPeriod,
    Program,
    Role,
    Site,
    User,
)

__all__ = ["DEMO_ACCOUNTS", "DemoError", "load_demo"]

SEED = 2027

#: (role, e-mail, password) of the accounts printed for people trying the demo.
DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    (Role.COORDINATOR.value, "coordinator@demo.example", "demo-coordinator"),
    (Role.FACILITATOR.value, DEMO_FACILITATOR_EMAIL, "demo-facilitator"),
    (Role.FACILITATOR.value, SECOND_FACILITATOR_EMAIL, "demo-facilitator-2"),
    (Role.MANAGER.value, DEMO_MANAGERS["store-north-1"][0], "demo-manager"),
    (Role.MANAGER.value, DEMO_MANAGERS["engineering-platform-engineering"][0], "demo-manager-2"),
)
COORDINATOR_NAME = "Morgan Ellis"


class DemoError(RuntimeError):
    """The demo cannot be loaded (the database already holds data, or a bad scale)."""


def load_demo(
    scale: int = 1, today: date | None = None, staff: int = 1
) -> list[tuple[str, str, str]]:
    """Add the demo organisation to the session and return the demo accounts.

    ``scale`` multiplies teams, learners and cohorts (1,500 learners and 60 cohorts each) for
    benchmarks; sites and programs stay the same, and ``staff`` multiplies the facilitators
    (25) and each site's rooms (15 in all), so that a scaled organisation can also be staffed
    like a real one. Deadlines are counted from the
    Monday on or after ``today`` (default: today). The caller commits. Raises ``DemoError`` if
    the database already holds data: the demo never mixes with real records.
    """
    if scale < 1 or staff < 1:
        raise DemoError(f"scale and staff must be 1 or more, not {scale} and {staff}")
    if database_has_data():
        raise DemoError("the database already holds data; the demo loads only into an empty one")
    rng = random.Random(SEED)
    plan_start = planning_start(today or date.today())
    names = NameBook(rng)
    for _role, email, _password in DEMO_ACCOUNTS:
        names.reserve(email)
    # One hash of a password nobody knows, shared by the non-demo accounts: hashing each of
    # them separately would take most of the loading time.
    locked_hash = generate_password_hash(secrets.token_urlsafe(32))

    sites, programs = build_sites(staff), build_programs()
    organisation = OrganisationBuilder(rng, names, sites, locked_hash)
    teams = organisation.build(scale)
    facilitators = build_facilitators(sites, names.email_for, locked_hash, staff)
    coordinator = User(
        email=DEMO_ACCOUNTS[0][1],
        name=COORDINATOR_NAME,
        role=Role.COORDINATOR,
        timezone="Europe/London",
        password_hash=locked_hash,
    )
    users = [coordinator, *organisation.managers, *(f.user for f in facilitators)]
    _set_demo_passwords(users)
    db.session.add_all([*sites.values(), *programs.values(), *users, *facilitators])
    db.session.add_all(learner for team in teams for learner in team.learners)
    db.session.add_all(CohortBuilder(rng, plan_start, programs, sites, teams).build(scale))
    db.session.flush()
    # Availability rules refer to their owner by id, so they come after the flush.
    db.session.add_all(room_rules(sites, plan_start))
    db.session.add_all(availability_rules(facilitators, plan_start))
    period = demo_period(plan_start)
    db.session.add(period)
    # Lessons and the spaced sequence of the two rollouts, so publishing a plan attaches them.
    build_follow_ups(programs)
    db.session.flush()
    # Two ready what-if scenarios: copies of the quarter as loaded (issue 19).
    db.session.add_all(demo_scenarios(period, coordinator))
    db.session.flush()
    return [tuple(account) for account in DEMO_ACCOUNTS]


def demo_period(plan_start: date) -> PlanningPeriod:
    """The quarter both rollouts must finish in: every cohort's deadline falls inside it."""
    return PlanningPeriod(
        name="Demo rollout quarter",
        start=plan_start,
        end=plan_start + timedelta(weeks=13, days=-3),
        timezone="Europe/London",
        time_limit_seconds=20,
    )


def database_has_data() -> bool:
    """Whether any account or organisation record exists already."""
    return any(
        db.session.scalar(select(exists().where(model.id.isnot(None))))
        for model in (User, Site, Program, Facilitator, Learner, Cohort)
    )


def _set_demo_passwords(users: list[User]) -> None:
    by_email = {user.email: user for user in users}
    for _role, email, password in DEMO_ACCOUNTS:
        by_email[email].set_password(password)
