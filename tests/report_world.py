"""A small published plan for the report and team tests.

Two sites (London, Paris), two programs (an in-person two-session one and a virtual one), two
facilitators (Ana in London, who travels to Paris; Ben in Paris, with weekly hours), rooms with
and without opening hours, and managers: Grace, Omar who reports to Grace, and Yara (another
team). Learners: Lea and Mo report to Grace, Zoe to Omar, Paul and Ines to Yara.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from scheduler.extensions import db
from scheduler.models import (
    FollowUpStep,
    PlanningPeriod,
    ProgramMode,
    Role,
    ScheduleVersion,
    StepKind,
    StepStatus,
    TravelCost,
)
from tests.drafts import utc
from tests.factories import (
    create_availability_rule,
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)
from tests.schedule_factories import Placed, publish_schedule


@dataclass
class ReportWorld:
    version: ScheduleVersion
    ids: dict


def make_report_world(greedy_cost: float | None = 5000.0) -> ReportWorld:
    """Build, publish and commit the plan; returns the version and the ids of everything."""
    coordinator = create_user(Role.COORDINATOR, email="coordinator@example.com")
    grace = create_user(Role.MANAGER, email="grace@example.com", name="Grace Okafor")
    omar = create_user(Role.MANAGER, email="omar@example.com", name="Omar Haddad", manager=grace)
    yara = create_user(
        Role.MANAGER, email="yara@example.com", name="Yara Blanc", timezone="Europe/Paris"
    )
    london = create_site(key="london", name="London", timezone="Europe/London")
    paris = create_site(key="paris", name="Paris", timezone="Europe/Paris")
    london_room = create_room(london, key="lon-1", name="Thames", hourly_cost=40.0)
    paris_room = create_room(paris, key="par-1", name="Seine", hourly_cost=30.0)
    fire = create_program(
        key="fire",
        name="Fire safety",
        sessions=(120, 60),
        seats_min=1,
        seat_cost=12.0,
        fixed_development_cost=5000.0,
    )
    security = create_program(
        key="sec",
        name="Security basics",
        sessions=(90,),
        mode=ProgramMode.VIRTUAL,
        seats_min=1,
        seat_cost=5.0,
    )
    ana = create_facilitator(site=london, key="ana", hourly_rate=90.0, session_fee=20.0)
    ana.travel_costs = [TravelCost(site=paris, cost=150.0)]
    ben = create_facilitator(site=paris, key="ben", hourly_rate=60.0, timezone="Europe/Paris")
    for weekday in range(5):
        create_availability_rule(facilitator=ben, weekday=weekday)
        create_availability_rule(room=london_room, weekday=weekday)
    lea = create_learner(london, grace, name="Lea Martin", email="lea@example.com")
    mo = create_learner(london, grace, name="=Mo Haddad", email="mo@example.com")
    zoe = create_learner(london, omar, name="Zoe Price", email="zoe@example.com")
    paul = create_learner(paris, yara, name="Paul Roy", email="paul@example.com")
    ines = create_learner(paris, yara, name="Ines Roy", email="ines@example.com")
    fire_london = create_cohort(fire, london, [lea, mo, zoe], key="fire-lon")
    fire_paris = create_cohort(fire, paris, [paul, ines], key="fire-par", timezone="Europe/Paris")
    sec = create_cohort(security, None, [lea, paul], key="sec-all")
    period = PlanningPeriod(
        name="Winter", start=date(2027, 1, 4), end=date(2027, 2, 26), timezone="Europe/London"
    )
    db.session.add(period)
    db.session.flush()
    version = publish_schedule(
        period,
        [
            Placed(
                "S1",
                [(fire_london, 3)],
                [(utc(2027, 1, 12, 9), ana, london_room), (utc(2027, 1, 14, 9), ana, london_room)],
            ),
            Placed(
                "S2",
                [(fire_paris, 2)],
                [(utc(2027, 1, 12, 13), ana, paris_room), (utc(2027, 1, 15, 13), ana, paris_room)],
            ),
            Placed("S3", [(sec, 2)], [(utc(2027, 1, 19, 10), ben, None)]),
        ],
        coordinator,
    )
    version.greedy_cost = greedy_cost
    db.session.commit()
    ids = {
        "coordinator": coordinator.id,
        "grace": grace.id,
        "omar": omar.id,
        "yara": yara.id,
        "fire": fire.id,
        "security": security.id,
        "fire_london": fire_london.id,
        "fire_paris": fire_paris.id,
        "sec": sec.id,
        "lea": lea.id,
        "paul": paul.id,
    }
    return ReportWorld(version, ids)


def done_step(
    learner_id: int,
    cohort_id: int,
    *,
    kind: StepKind = StepKind.LESSON,
    seconds_spent: int = 420,
    score: float | None = None,
) -> FollowUpStep:
    """A follow-up step of the week of 18 January 2027, done on the 19th (not added)."""
    return FollowUpStep(
        learner_id=learner_id,
        cohort_id=cohort_id,
        extra=False,
        kind=kind,
        day_offset=2,
        anchor_at=datetime(2027, 1, 14, 10, tzinfo=UTC),
        due_at=datetime(2027, 1, 16, 8, tzinfo=UTC),
        status=StepStatus.DONE,
        completed_at=datetime(2027, 1, 19, 8, tzinfo=UTC),
        seconds_spent=seconds_spent,
        score=score,
    )
