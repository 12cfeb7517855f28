"""Late joiners: learners added to a cohort after publishing get a fitting free seat, or wait
with the reason, and stop waiting when a new version seats them."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from scheduler.adjustments.late_joiners import (
    free_seats_of_leavers,
    learner_seated,
    place_late_joiner,
)
from scheduler.cohorts.operations import add_members, remove_members
from scheduler.extensions import db
from scheduler.models import (
    CohortBlock,
    OutboxMessage,
    PlanningPeriod,
    Role,
    SectionSeat,
    WaitingLearner,
)
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)
from tests.schedule_factories import Placed, publish_schedule

TOKEN = re.compile(r'name="confirm-token" type="hidden" value="([^"]+)"')


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class World:
    """Cohort A (3 learners) in section S1 and cohort B (2) in S2, both at one site, published
    for January 2030 (London, GMT); sections seat at most 4."""

    def __init__(self, *, b_hours_to: time = time(17, 0), s2_hour: int = 13):
        self.coordinator = create_user(Role.COORDINATOR)
        self.site = create_site()
        room_1, room_2 = create_room(self.site), create_room(self.site)
        ana, ben = create_facilitator(site=self.site), create_facilitator(site=self.site)
        self.program = create_program(sessions=(180, 120), seats_min=1, seats_max=4)
        self.a = create_cohort(
            self.program, self.site, [create_learner() for _ in range(3)], key="A"
        )
        self.b = create_cohort(
            self.program, self.site, [create_learner() for _ in range(2)], key="B",
            hours_to=b_hours_to,
        )  # fmt: skip
        self.period = PlanningPeriod(
            name="Winter", start=date(2030, 1, 7), end=date(2030, 2, 28), timezone="Europe/London"
        )
        db.session.add(self.period)
        db.session.flush()
        self.version = publish_schedule(
            self.period,
            [
                Placed(
                    "S1",
                    [(self.a, 3)],
                    [(utc(2030, 1, 7, 9), ana, room_1), (utc(2030, 1, 9, 9), ana, room_1)],
                ),
                Placed(
                    "S2",
                    [(self.b, 2)],
                    [
                        (utc(2030, 1, 7, s2_hour), ben, room_2),
                        (utc(2030, 1, 9, s2_hour), ben, room_2),
                    ],
                ),
            ],  # fmt: skip
            self.coordinator,
        )

    def join(self, cohort, count: int = 1) -> list:
        learners = [create_learner() for _ in range(count)]
        add_members(cohort, [learner.id for learner in learners])
        db.session.commit()
        return learners


def seat_of(learner) -> SectionSeat | None:
    return db.session.scalar(select(SectionSeat).where(SectionSeat.learner_id == learner.id))


def waiting_of(learner) -> WaitingLearner | None:
    return db.session.scalar(select(WaitingLearner).where(WaitingLearner.learner_id == learner.id))


@pytest.fixture
def world(app):
    with app.app_context():
        yield World()


def test_late_joiner_takes_a_free_seat_in_the_cohorts_own_section_and_is_announced(app, world):
    seated = []
    with learner_seated.connected_to(lambda seat: seated.append(seat.learner_id)):
        (learner,) = world.join(world.a)
    seat = seat_of(learner)
    assert (seat.section.key, seat.late_joiner, seat.cohort_id) == ("S1", True, world.a.id)
    assert seat.section.version_id == world.version.id
    assert seated == [learner.id] and waiting_of(learner) is None


def test_a_seated_late_joiner_alone_gets_a_calendar_invitation(app, world):
    before = set(db.session.scalars(select(OutboxMessage.id)))
    (learner,) = world.join(world.a)
    new = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.not_in(before))).all()
    # A summary, then one invitation (one session, one UID) per session of the section.
    assert {message.recipient for message in new} == {learner.email}
    assert ["METHOD:REQUEST" in message.content for message in new] == [False, True, True]


def test_late_joiner_goes_to_another_section_at_the_site_when_their_own_is_full(app, world):
    first, second = world.join(world.a, 2)
    assert seat_of(first).section.key == "S1"  # the 4th seat
    assert seat_of(second).section.key == "S2"


def test_late_joiner_waits_with_the_reason_when_every_section_is_full(app, world):
    world.join(world.b, 2)  # S2 full
    world.join(world.a, 1)  # S1 full
    (learner,) = world.join(world.a)
    assert seat_of(learner) is None
    assert waiting_of(learner).reason == (
        "section S1 is full (4 of 4 seats); section S2 is full (4 of 4 seats)"
    )


def test_late_joiner_waits_when_the_free_seats_are_outside_the_cohorts_hours(app):
    with app.app_context():
        world = World(b_hours_to=time(21, 0), s2_hour=17)  # S2 runs 17:00-20:00
        world.join(world.a, 1)  # S1 full
        (learner,) = world.join(world.a)
        assert seat_of(learner) is None
        assert "section S2 is outside the cohort's hours (Mon 07 Jan 17:00 GMT)" in (
            waiting_of(learner).reason
        )


def test_late_joiner_waits_when_a_section_falls_in_a_blocked_period_or_has_started(app, world):
    world.a.blocks.append(
        CohortBlock(start=utc(2030, 1, 9), end=utc(2030, 1, 10), reason="stock take")
    )
    learner = create_learner()
    db.session.flush()
    waiting = place_late_joiner(world.a, learner, now=utc(2030, 1, 1))
    assert waiting.reason == (
        "section S1 falls in a blocked period of the cohort (stock take); "
        "section S2 falls in a blocked period of the cohort (stock take)"
    )
    other = create_learner()
    waiting = place_late_joiner(world.b, other, now=utc(2030, 1, 8))
    assert waiting.reason.startswith("section S2 has already started")


def test_learner_of_a_cohort_without_published_sections_is_left_to_the_next_plan(app, world):
    cohort = create_cohort(create_program(), world.site, [create_learner()])
    (learner,) = world.join(cohort)
    assert seat_of(learner) is None and waiting_of(learner) is None


def test_waiting_learners_seated_by_a_newly_published_version_stop_waiting(app, world):
    world.join(world.b, 2)
    world.join(world.a, 1)
    (learner,) = world.join(world.a)
    assert waiting_of(learner) is not None
    ana = create_facilitator(site=world.site)
    room = create_room(world.site)
    publish_schedule(
        world.period,
        [Placed("S3", [(world.a, 5)], [(utc(2030, 1, 14, 9), ana, room),
                                       (utc(2030, 1, 16, 9), ana, room)])],
        world.coordinator,
    )  # fmt: skip
    assert waiting_of(learner) is None


def test_waiting_page_lists_learners_and_why(app, client, world):
    world.join(world.b, 2)
    world.join(world.a, 1)
    (learner,) = world.join(world.a)
    client.post(
        "/login", data={"email": world.coordinator.email, "password": "correct horse battery"}
    )
    body = client.get(f"/planning/{world.period.id}/waiting").get_data(as_text=True)
    assert learner.name in body and "is full (4 of 4 seats)" in body


def test_learner_added_by_a_cohort_import_is_placed_too(app, client, tmp_path, world):
    app.config["IMPORT_PENDING_FOLDER"] = str(tmp_path / "pending")
    newcomer = create_learner()
    keys = " ".join([m.learner.key for m in world.a.members] + [newcomer.key])
    row = f"A,{world.program.key},{world.site.key},,,,,09:00,17:00,yes,yes,,{keys}"
    header = "id,program,site,timezone,earliest,deadline,days,from,to,mergeable,splittable,"
    content = f"{header}unscheduled_cost,learners\r\n{row}\r\n".encode()
    db.session.commit()
    client.post(
        "/login", data={"email": world.coordinator.email, "password": "correct horse battery"}
    )
    preview = client.post(
        "/imports/cohorts",
        data={"file": (io.BytesIO(content), "cohorts.csv")},
        content_type="multipart/form-data",
    )
    token = TOKEN.search(preview.get_data(as_text=True)).group(1)
    client.post("/imports/confirm", data={"confirm-token": token})
    db.session.expire_all()
    assert seat_of(newcomer).section.key == "S1" and seat_of(newcomer).late_joiner


# --- Learners leaving a cohort after publishing -------------------------------------------------


def test_a_learner_leaving_the_cohort_frees_their_seat_for_the_next_late_joiner(app, world):
    world.join(world.a)  # S1 now seats 4 of 4
    (waits,) = world.join(world.a)
    assert seat_of(waits).section.key == "S2"  # S1 was full: the next fitting section
    leaver = world.a.members[0].learner
    remove_members(world.a, [leaver.id])
    db.session.commit()
    assert seat_of(leaver) is None
    (newcomer,) = world.join(world.a)
    assert seat_of(newcomer).section.key == "S1"


def test_a_learner_leaving_the_cohort_gets_a_cancellation(app, world):
    leaver = world.a.members[0].learner
    before = set(db.session.scalars(select(OutboxMessage.id)))
    remove_members(world.a, [leaver.id])
    db.session.commit()
    new = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.not_in(before))).all()
    # A summary, then one cancellation per session of the section.
    assert {message.recipient for message in new} == {leaver.email}
    assert ["METHOD:CANCEL" in message.content for message in new] == [False, True, True]


def test_a_leaver_keeps_the_seat_of_a_section_under_way_and_leaves_the_waiting_list(app, world):
    leaver = world.a.members[0].learner
    freed = free_seats_of_leavers(world.a, [leaver.id], now=utc(2030, 1, 8))  # after part 1
    assert freed == 0 and seat_of(leaver) is not None
    for _ in range(2):
        world.join(world.b)  # S2 full (4 of 4)
    world.join(world.a)  # S1 full
    (waiting,) = world.join(world.a)
    assert waiting_of(waiting) is not None
    remove_members(world.a, [waiting.id])
    db.session.commit()
    assert waiting_of(waiting) is None
