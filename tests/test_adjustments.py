"""Manual adjustments: moving a session (checked by the solver's checker), pins and locks, and
a re-plan that keeps them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import (
    PlanningPeriod,
    Role,
    ScheduledSession,
    ScheduleVersion,
    SessionPin,
    VersionOrigin,
    VersionStatus,
)
from scheduler.planning.mapping import period_problem
from scheduler.planning.versions import problem_of, schedule_of
from solver import check, parse_problem
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
from tests.schedule_factories import Placed, publish_schedule, store_schedule

COORDINATOR = "coordinator@example.com"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Plan:
    """Two sections of a two-session program, one per cohort, in March 2027 (London, GMT)."""

    def __init__(self, first_monday: tuple[int, int, int] = (2027, 3, 1)):
        self.coordinator = create_user(Role.COORDINATOR, email=COORDINATOR)
        site = create_site(key="london")
        self.room_1 = create_room(site, key="r1", name="Thames")
        self.room_2 = create_room(site, key="r2", name="Fleet")
        self.ana = create_facilitator(site=site, key="ana")
        self.ben = create_facilitator(site=site, key="ben")
        for weekday in (0, 2, 3):  # Ana teaches Mondays, Wednesdays and Thursdays only
            create_availability_rule(self.ana, weekday=weekday)
        self.program = create_program(
            sessions=(180, 120), key="sec", name="Security basics", seats_min=1
        )
        self.cohort_a = create_cohort(
            self.program, site, [create_learner() for _ in range(3)], key="A", mergeable=False
        )
        self.cohort_b = create_cohort(
            self.program, site, [create_learner() for _ in range(3)], key="B", mergeable=False
        )
        self.period = PlanningPeriod(
            name="Spring", start=date(2027, 3, 1), end=date(2027, 4, 30), timezone="Europe/London"
        )
        db.session.add(self.period)
        db.session.flush()
        y, m, d = first_monday
        self.sections = [
            Placed("S1", [(self.cohort_a, 3)], [(utc(y, m, d, 9), self.ana, self.room_1),
                                                (utc(y, m, d + 2, 9), self.ana, self.room_1)]),
            Placed("S2", [(self.cohort_b, 3)], [(utc(y, m, d, 13), self.ben, self.room_2),
                                                (utc(y, m, d + 2, 13), self.ben, self.room_2)]),
        ]  # fmt: skip

    def draft(self) -> ScheduleVersion:
        version = store_schedule(self.period, self.sections)
        db.session.commit()
        return version

    def published(self) -> ScheduleVersion:
        return publish_schedule(self.period, self.sections, self.coordinator)


def session_of(version: ScheduleVersion, section: str, position: int) -> ScheduledSession:
    return next(
        s
        for x in version.sections
        if x.key == section
        for s in x.sessions
        if s.position == position
    )


def login(client):
    client.post("/login", data={"email": COORDINATOR, "password": "correct horse battery"})


def move(client, session_id: int, start: str, facilitator: str, room: str, version: int):
    return client.post(
        f"/planning/sessions/{session_id}/move",
        data={"start": start, "facilitator": facilitator, "room": room, "period_version": version},
    )


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(ScheduleVersion.id))),
        db.session.scalar(select(func.count(SessionPin.id))),
    )


@pytest.fixture
def plan(app):
    with app.app_context():
        yield Plan()


# --- moving a session ---------------------------------------------------------------------------


def test_valid_move_stores_a_checked_draft_with_the_change_and_pins_the_session(app, client, plan):
    version = plan.published()
    session = session_of(version, "S1", 1)
    login(client)
    response = move(client, session.id, "2027-03-04T10:00", "ana", "r1", plan.period.version)
    assert response.status_code == 302

    db.session.expire_all()
    draft = db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.number == 2))
    assert (draft.status, draft.origin, draft.based_on_id) == (
        VersionStatus.DRAFT,
        VersionOrigin.ADJUSTMENT,
        version.id,
    )
    assert draft.note == "moved Security basics section S1 session 2"
    moved = session_of(draft, "S1", 1)
    assert (moved.start, moved.end) == (utc(2027, 3, 4, 10), utc(2027, 3, 4, 12))
    assert session_of(draft, "S2", 1).start == utc(2027, 3, 3, 13)
    parsed, errors = parse_problem(problem_of(draft))
    assert errors == [] and check(parsed, schedule_of(draft)) == []
    assert schedule_of(draft)["cost"]["changes"] == 50.0  # one published session moved
    pin = db.session.scalar(select(SessionPin))
    assert (pin.section_key, pin.position, pin.start, pin.facilitator_id, pin.room_id) == (
        "S1", 1, utc(2027, 3, 4, 10), plan.ana.id, plan.room_1.id,
    )  # fmt: skip
    period = db.session.get(PlanningPeriod, plan.period.id)
    assert period.version == draft.period_version == 2  # publishable: made at the new version


def test_move_that_double_books_a_facilitator_is_refused_with_the_rule_and_nothing_saved(
    app, client, plan
):
    version = plan.draft()
    session = session_of(version, "S1", 0)
    before = counts(), plan.period.version
    login(client)
    # Ben teaches S2 on Monday at 13:00.
    response = move(client, session.id, "2027-03-01T13:00", "ben", "r1", plan.period.version)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This move was not made" in body
    # The refusal names the session in the way (Ben's S2), numbered from 1, not the moved one.
    assert (
        f"{plan.ben.name} is teaching Security basics section S2, session 1, "
        "Mon 1 Mar 13:00–16:00 (Europe/London)."
    ) in body
    db.session.expire_all()
    assert (counts(), db.session.get(PlanningPeriod, plan.period.id).version) == before


def test_move_outside_the_facilitators_availability_is_refused(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    # Ana does not teach on Tuesdays.
    response = move(client, session.id, "2027-03-02T09:00", "ana", "r1", plan.period.version)
    assert (
        f"{plan.ana.name} is not available Tue 2 Mar 09:00–11:00 (Europe/London)."
        in response.get_data(as_text=True)
    )
    assert counts() == (1, 0)


def test_move_breaking_the_programs_spacing_names_the_gap_rule(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    response = move(client, session.id, "2027-03-01T13:00", "ben", "r1", plan.period.version)
    body = response.get_data(as_text=True)
    assert (
        "Session 1 of this section is Mon 1 Mar 09:00–12:00 (Europe/London): the program needs "
        "2 to 7 days between sessions, this would be 0."
    ) in body


def test_move_from_a_stale_page_is_refused(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    stale = plan.period.version
    plan.period.version += 1  # someone else pinned or published meanwhile
    db.session.commit()
    login(client)
    response = move(client, session.id, "2027-03-04T10:00", "ana", "r1", stale)
    assert "Someone published or changed this plan" in response.get_data(as_text=True)
    assert counts() == (1, 0)


def test_move_form_shows_the_current_placement_in_the_periods_zone(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    body = client.get(f"/planning/sessions/{session.id}/move").get_data(as_text=True)
    assert "New start (Europe/London)" in body
    assert 'value="2027-03-03T09:00"' in body
    assert f'name="period_version" type="hidden" value="{plan.period.version}"' in body


# --- clocks changing ----------------------------------------------------------------------------


@pytest.fixture
def dst_plan(app):
    """Sessions around the UK's spring clock change (Sunday 28 March 2027, 01:00 GMT)."""
    with app.app_context():
        yield Plan(first_monday=(2027, 3, 22))


def test_local_start_after_the_clock_change_maps_to_the_right_utc_instant(app, client, dst_plan):
    version = dst_plan.draft()
    session = session_of(version, "S1", 1)  # Wednesday 24 March
    login(client)
    # Monday 29 March 10:00 BST is 09:00 UTC.
    response = move(client, session.id, "2027-03-29T10:00", "ana", "r1", dst_plan.period.version)
    assert response.status_code == 302
    db.session.expire_all()
    draft = db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.number == 2))
    moved = session_of(draft, "S1", 1)
    assert (moved.start, moved.end) == (utc(2027, 3, 29, 9), utc(2027, 3, 29, 11))


def test_local_time_skipped_by_the_clock_change_is_refused(app, client, dst_plan):
    version = dst_plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    response = move(client, session.id, "2027-03-28T01:30", "ana", "r1", dst_plan.period.version)
    assert "does not exist in Europe/London" in response.get_data(as_text=True)
    assert counts() == (1, 0)


# --- pins and locks -----------------------------------------------------------------------------


def post_change(client, url: str, version: int):
    return client.post(url, data={"period_version": version}, follow_redirects=True)


def test_pin_keeps_a_session_as_it_is_and_release_unpins_it(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S2", 0)
    login(client)
    body = post_change(client, f"/planning/sessions/{session.id}/pin", 0).get_data(as_text=True)
    assert "Session pinned" in body
    pin = db.session.scalar(select(SessionPin))
    assert (pin.section_key, pin.position, pin.start, pin.facilitator_id, pin.room_id, pin.locked) == (
        "S2", 0, utc(2027, 3, 1, 13), plan.ben.id, plan.room_2.id, False,
    )  # fmt: skip
    fixed = period_problem(plan.period)["fixed"]
    assert fixed == [
        {
            "section": "S2",
            "cohorts": [{"cohort": "B", "learners": 3}],
            "session": 0,
            "start": "2027-03-01T13:00:00+00:00",
            "facilitator": "ben",
            "room": "r2",
        }
    ]
    pins_page = client.get(f"/planning/{plan.period.id}/pins").get_data(as_text=True)
    assert "Unpin" in pins_page
    body = post_change(client, f"/planning/pins/{pin.id}/release", 1).get_data(as_text=True)
    assert "Session released" in body
    db.session.expire_all()
    assert counts()[1] == 0
    assert db.session.get(PlanningPeriod, plan.period.id).version == 2


def test_only_published_sessions_can_be_locked(app, client, plan):
    draft = plan.draft()
    login(client)
    url = f"/planning/sessions/{session_of(draft, 'S1', 0).id}/lock"
    assert "Only sessions of the published schedule" in post_change(client, url, 0).get_data(
        as_text=True
    )
    published = plan.published()
    url = f"/planning/sessions/{session_of(published, 'S1', 0).id}/lock"
    assert "Session locked" in post_change(client, url, plan.period.version).get_data(as_text=True)
    assert db.session.scalar(select(SessionPin.locked)) is True


def test_locked_session_cannot_be_moved(app, client, plan):
    published = plan.published()
    session = session_of(published, "S1", 1)
    login(client)
    post_change(client, f"/planning/sessions/{session.id}/lock", plan.period.version)
    db.session.expire_all()
    version = db.session.get(PlanningPeriod, plan.period.id).version
    response = move(client, session.id, "2027-03-04T10:00", "ana", "r1", version)
    assert "This session is locked" in response.get_data(as_text=True)


def test_pin_from_a_stale_page_is_refused(app, client, plan):
    version = plan.draft()
    login(client)
    url = f"/planning/sessions/{session_of(version, 'S1', 0).id}/pin"
    body = post_change(client, url, plan.period.version + 5).get_data(as_text=True)
    assert "Someone published or changed this plan" in body
    assert counts()[1] == 0


def test_sessions_page_lists_the_versions_sessions_with_their_pins(app, client, plan):
    version = plan.published()
    login(client)
    post_change(client, f"/planning/sessions/{session_of(version, 'S1', 0).id}/lock", 1)
    body = client.get(f"/planning/versions/{version.id}/sessions").get_data(as_text=True)
    assert "Security basics · section S1" in body and "locked" in body
    assert "Mon 01 Mar 2027 09:00 GMT" in body


# --- re-planning keeps pins and moves as little as it can ---------------------------------------


def test_re_plan_after_a_move_keeps_the_pinned_session_and_every_other_session(app, client, plan):
    from solver.solve import solve

    version = plan.published()
    login(client)
    move(client, session_of(version, "S1", 1).id, "2027-03-04T10:00", "ana", "r1", 1)
    db.session.expire_all()
    period = db.session.get(PlanningPeriod, plan.period.id)
    document = period_problem(period)
    problem, errors = parse_problem(document)
    assert errors == [] and len(document["fixed"]) == 1
    schedule = solve(problem, time_limit=5, workers=1)
    placed = {
        (section["id"], s["index"]): (s["start"], s["facilitator"], s["room"])
        for section in schedule["sections"]
        for s in section["sessions"]
    }
    assert placed[("S1", 1)] == ("2027-03-04T10:00:00+00:00", "ana", "r1")
    before = {
        (section["id"], s["index"]): (s["start"], s["facilitator"], s["room"])
        for section in schedule_of(version)["sections"]
        for s in section["sessions"]
    }
    assert {k: v for k, v in placed.items() if k != ("S1", 1)} == {
        k: v for k, v in before.items() if k != ("S1", 1)
    }
    assert schedule["cost"]["changes"] == 50.0
