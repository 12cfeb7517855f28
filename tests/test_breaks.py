"""Changes after publishing: a change that makes published sessions impossible is shown before
it is saved; saved anyway, the sessions are recorded as broken and the coordinators are told.

The world: a plan published for January 2030 (London, GMT). Section S1 (cohort A, Ana) meets
Mon 7 Jan 09:00-12:00 and Wed 9 Jan 09:00-11:00 in room 1; S2 (cohort B, Ben) the same days at
13:00 in room 2. Nobody has entered any availability, so everyone is available at any time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import (
    AvailabilityRule,
    BrokenSession,
    Closure,
    CohortBlock,
    OutboxMessage,
    PlanningPeriod,
    Role,
)
from scheduler.planning.publishing import PublishRefused, publish
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)
from tests.schedule_factories import Placed, publish_schedule, store_schedule


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.coordinator = create_user(Role.COORDINATOR, email="coord@example.com")
        self.site = create_site(timezone="Europe/London")
        room_1, room_2 = create_room(self.site), create_room(self.site)
        self.ana = create_facilitator(
            user=create_user(Role.FACILITATOR, email="ana@example.com"),
            site=self.site,
            timezone="Europe/London",
        )
        self.ben = create_facilitator(
            user=create_user(Role.FACILITATOR, email="ben@example.com"),
            site=self.site,
            timezone="Europe/London",
        )
        program = create_program(sessions=(180, 120), seats_min=1, seats_max=4)
        self.a = create_cohort(program, self.site, [create_learner() for _ in range(3)], key="A")
        self.b = create_cohort(program, self.site, [create_learner() for _ in range(2)], key="B")
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
                    [
                        (utc(2030, 1, 7, 9), self.ana, room_1),
                        (utc(2030, 1, 9, 9), self.ana, room_1),
                    ],
                ),
                Placed(
                    "S2",
                    [(self.b, 2)],
                    [
                        (utc(2030, 1, 7, 13), self.ben, room_2),
                        (utc(2030, 1, 9, 13), self.ben, room_2),
                    ],
                ),
            ],  # fmt: skip
            self.coordinator,
        )
        self.ids = {
            "period": self.period.id,
            "ana": self.ana.id,
            "a": self.a.id,
            "program": program.id,
            "site": self.site.id,
            "room_1": room_1.id,
            "version": self.period.version,
        }


@pytest.fixture
def world(app):
    with app.app_context():
        built = World()
        db.session.commit()
        return built.ids


def broken(app) -> list[tuple[str, int, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(BrokenSession).order_by(BrokenSession.section_key, BrokenSession.position)
        )
        return [(row.section_key, row.position, row.change) for row in rows]


def mails(app) -> list[OutboxMessage]:
    """The mails about broken sessions (publishing queued the invitations before)."""
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.subject.like("%broken"))
        return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def period_version(app, period_id: int) -> int:
    with app.app_context():
        return db.session.get(PlanningPeriod, period_id).version


#: Ana narrows Monday to the afternoon: her Monday 09:00 session becomes impossible.
ANA_AFTERNOONS = {"timezone": "Europe/London", "monday": "13-17", "wednesday": "9-17"}


# --- a facilitator's own availability --------------------------------------------------------


def test_availability_that_breaks_a_session_is_shown_before_saving_and_nothing_is_saved(
    app, client, auth, world
):
    auth.login("ana@example.com")
    response = client.post("/availability", data=ANA_AFTERNOONS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This change breaks 1 published session you teach" in page
    assert "section S1 session 1 (Mon 07 Jan 2030 09:00 GMT)" in page
    assert "is not available Mon 7 Jan 09:00" in page
    assert 'name="save_anyway"' in page
    assert 'value="13-17"' in page  # the form keeps what was entered
    with app.app_context():
        assert db.session.scalars(select(AvailabilityRule)).all() == []
    assert broken(app) == []
    assert mails(app) == []
    assert period_version(app, world["period"]) == world["version"]


def test_save_anyway_records_the_broken_session_and_tells_the_coordinator(app, client, auth, world):
    auth.login("ana@example.com")
    response = client.post("/availability", data=ANA_AFTERNOONS | {"save_anyway": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(AvailabilityRule)).all()) == 2
    assert broken(app) == [
        ("S1", 0, f"Availability of {ana_name(app, world)} changed by themselves")
    ]
    [mail] = mails(app)
    assert mail.recipient == "coord@example.com"
    assert mail.subject == "Winter: 1 published session broken"
    assert "section S1 session 1 (Mon 07 Jan 2030 09:00 GMT)" in mail.content
    # Drafts made before the change can no longer be published.
    assert period_version(app, world["period"]) == world["version"] + 1
    # Ana's own page lists the session her change affects.
    page = client.get("/availability").get_data(as_text=True)
    assert "Your sessions no longer possible" in page
    assert "Winter: section S1 session 1" in page


def ana_name(app, world) -> str:
    from scheduler.models import Facilitator

    with app.app_context():
        return db.session.get(Facilitator, world["ana"]).name


def test_a_change_that_breaks_nothing_is_saved_at_once(app, client, auth, world):
    auth.login("ana@example.com")
    response = client.post(
        "/availability", data={"timezone": "Europe/London", "monday": "8-17", "wednesday": "8-17"}
    )
    assert response.status_code == 302
    assert broken(app) == []
    assert mails(app) == []
    with app.app_context():
        assert len(db.session.scalars(select(AvailabilityRule)).all()) == 2


def test_a_session_already_at_odds_with_the_data_is_not_blamed_on_a_later_change(
    app, client, auth, world
):
    auth.login("ana@example.com")
    client.post("/availability", data=ANA_AFTERNOONS | {"save_anyway": "1"})
    # Narrowing Wednesday breaks session 2; session 1 was broken already.
    response = client.post("/availability", data=ANA_AFTERNOONS | {"wednesday": "13-17"})
    page = response.get_data(as_text=True)
    assert "This change breaks 1 published session you teach" in page
    assert "section S1 session 2 (Wed 09 Jan 2030 09:00 GMT)" in page
    assert "section S1 session 1" not in page.split("Nothing was saved yet")[1].split("</ul>")[0]


def test_coordinators_see_the_broken_sessions_on_the_period_and_in_check_the_data(
    app, client, auth, world
):
    auth.login("ana@example.com")
    client.post("/availability", data=ANA_AFTERNOONS | {"save_anyway": "1"})
    auth.logout()
    auth.login("coord@example.com")
    for url in (f"/planning/{world['period']}", f"/planning/{world['period']}/check"):
        page = client.get(url).get_data(as_text=True)
        assert 'id="broken-sessions"' in page, url
        assert "Section S1 session 1" in page, url
        assert "is not available Mon 7 Jan 09:00" in page, url


def test_a_coordinator_editing_a_facilitator_sees_whose_sessions_break(app, client, auth, world):
    auth.login("coord@example.com")
    response = client.post(f"/facilitators/{world['ana']}/availability", data=ANA_AFTERNOONS)
    page = response.get_data(as_text=True)
    assert "This change breaks 1 published session:" in page
    assert "section S1 session 1" in page
    assert broken(app) == []


# --- closures --------------------------------------------------------------------------------

SHUTDOWN = {"name": "Flood", "site_id": "0", "start": "2030-01-07", "end": "2030-01-07"}


def test_a_closure_over_published_sessions_is_shown_before_saving(app, client, auth, world):
    auth.login("coord@example.com")
    response = client.post("/sites/closures", data=SHUTDOWN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This change breaks 2 published sessions:" in page
    assert "section S1 session 1 (Mon 07 Jan 2030 09:00 GMT)" in page
    assert "section S2 session 1 (Mon 07 Jan 2030 13:00 GMT)" in page
    with app.app_context():
        assert db.session.scalars(select(Closure)).all() == []
    response = client.post("/sites/closures", data=SHUTDOWN | {"save_anyway": "1"})
    assert response.status_code == 302
    change = "Closure Flood added for the whole organisation, Mon 07 Jan 2030 to Mon 07 Jan 2030"
    assert broken(app) == [("S1", 0, change), ("S2", 0, change)]
    assert [m.subject for m in mails(app)] == ["Winter: 2 published sessions broken"]


def test_adding_or_deleting_a_closure_marks_the_periods_drafts_stale(app, client, auth, world):
    with app.app_context():
        period = db.session.get(PlanningPeriod, world["period"])
        draft = store_schedule(period, [])
        db.session.commit()
        draft_id = draft.id
    auth.login("coord@example.com")
    # A Sunday inside the period: nothing published breaks, the draft still goes stale.
    quiet = {"name": "Stocktake", "site_id": "0", "start": "2030-01-13", "end": "2030-01-13"}
    assert client.post("/sites/closures", data=quiet).status_code == 302
    assert period_version(app, world["period"]) == world["version"] + 1
    with app.app_context():
        from scheduler.models import ScheduleVersion

        with pytest.raises(PublishRefused):
            publish(db.session.get(ScheduleVersion, draft_id), None)
        closure_id = db.session.scalar(select(Closure.id))
    assert client.post(f"/sites/closures/{closure_id}/delete").status_code == 302
    assert period_version(app, world["period"]) == world["version"] + 2


def test_a_closure_outside_every_period_leaves_drafts_alone(app, client, auth, world):
    auth.login("coord@example.com")
    later = {"name": "Summer", "site_id": "0", "start": "2030-08-01", "end": "2030-08-02"}
    assert client.post("/sites/closures", data=later).status_code == 302
    assert period_version(app, world["period"]) == world["version"]


# --- cohorts ---------------------------------------------------------------------------------


def test_a_cohort_block_over_a_session_is_shown_before_saving(app, client, auth, world):
    auth.login("coord@example.com")
    block = {"start": "2030-01-09T08:00", "end": "2030-01-09T12:00", "reason": "Audit"}
    response = client.post(f"/cohorts/{world['a']}/blocks", data=block)
    page = response.get_data(as_text=True)
    assert "This change breaks 1 published session:" in page
    assert "section S1 session 2 (Wed 09 Jan 2030 09:00 GMT)" in page
    assert "falls in a blocked period of cohort" in page
    with app.app_context():
        assert db.session.scalars(select(CohortBlock)).all() == []
    response = client.post(f"/cohorts/{world['a']}/blocks", data=block | {"save_anyway": "1"})
    assert response.status_code == 302
    assert [row[:2] for row in broken(app)] == [("S1", 1)]


def test_narrowing_a_cohorts_hours_breaks_its_morning_sessions(app, client, auth, world):
    auth.login("coord@example.com")
    data = {
        "key": "A",
        "program_id": str(world["program"]),
        "site_id": str(world["site"]),
        "timezone": "Europe/London",
        "hours_days": ["mon", "tue", "wed", "thu", "fri"],
        "hours_from": "12:00",
        "hours_to": "17:00",
        "unscheduled_cost": "1000",
    }
    response = client.post(f"/cohorts/{world['a']}/edit", data=data)
    page = response.get_data(as_text=True)
    assert "This change breaks 2 published sessions:" in page
    assert "is outside the attendance hours of cohort" in page
    with app.app_context():
        from scheduler.models import Cohort

        assert db.session.get(Cohort, world["a"]).hours_from.hour == 9
    assert (
        client.post(f"/cohorts/{world['a']}/edit", data=data | {"save_anyway": "1"}).status_code
        == 302
    )
    assert [row[:2] for row in broken(app)] == [("S1", 0), ("S1", 1)]


def test_a_new_version_published_no_longer_lists_the_old_broken_sessions(app, client, auth, world):
    auth.login("coord@example.com")
    client.post("/sites/closures", data=SHUTDOWN | {"save_anyway": "1"})
    assert len(broken(app)) == 2
    with app.app_context():
        from scheduler.breaks.util import broken_sessions

        period = db.session.get(PlanningPeriod, world["period"])
        assert len(broken_sessions(period)) == 2
        publish(store_schedule(period, []), None)
        assert broken_sessions(period) == []


# --- repair ----------------------------------------------------------------------------------


def test_repair_moves_only_the_broken_sessions_and_publishing_it_clears_them(
    app, client, auth, world
):
    """A flood closes Wednesday 9 January: S1 and S2's second sessions break. The repair moves
    those two sessions only (their facilitators and learners are affected, nobody else)."""
    from scheduler.models import ScheduleVersion, SolveJob
    from scheduler.planning.versions import problem_of, schedule_of
    from scheduler.review.util import diff_against_published
    from solver import check, parse_problem

    app.config["JOBS_IMMEDIATE"] = True
    auth.login("coord@example.com")
    flood = {"name": "Flood", "site_id": "0", "start": "2030-01-09", "end": "2030-01-09"}
    client.post("/sites/closures", data=flood | {"save_anyway": "1"})
    assert [row[:2] for row in broken(app)] == [("S1", 1), ("S2", 1)]
    response = client.post(f"/planning/{world['period']}/repair")
    assert response.status_code == 302 and "/solve-jobs/" in response.headers["Location"]
    with app.app_context():
        job = db.session.scalar(select(SolveJob))
        assert job.error == "" and job.draft_id is not None
        draft = db.session.get(ScheduleVersion, job.draft_id)
        assert draft.note == "repair: 7 people affected"  # 2 facilitators, 3 + 2 learners
        parsed, errors = parse_problem(problem_of(draft))
        assert errors == []
        assert check(parsed, schedule_of(draft)) == []
        _, changes = diff_against_published(draft)
        assert sorted((m.old.section, m.old.position) for m in changes.moved) == [
            ("S1", 1),
            ("S2", 1),
        ]
        assert changes.added == [] and changes.cancelled == []
        assert len(changes.facilitators) + len(changes.learners) == 7
        assert all(m.new.start.date() != date(2030, 1, 9) for m in changes.moved)
        draft_id = draft.id
    page = client.get(f"/planning/versions/{draft_id}/diff").get_data(as_text=True)
    assert "S1" in page
    published = client.post(f"/planning/versions/{draft_id}/publish")
    assert published.status_code == 302
    page = client.get(f"/planning/{world['period']}").get_data(as_text=True)
    assert 'id="broken-sessions"' not in page


def test_repair_is_for_coordinators_only_and_needs_a_published_plan(app, client, auth, world):
    auth.login("ana@example.com")
    assert client.post(f"/planning/{world['period']}/repair").status_code == 403
    with app.app_context():
        from scheduler.models import SolveJob

        assert db.session.scalars(select(SolveJob)).all() == []


def test_repair_without_a_published_plan_is_refused_with_a_reason(app, client, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="solo@example.com")
        period = PlanningPeriod(
            name="Spring", start=date(2030, 3, 4), end=date(2030, 3, 29), timezone="Europe/London"
        )
        db.session.add(period)
        db.session.commit()
        period_id = period.id
    auth.login("solo@example.com")
    response = client.post(f"/planning/{period_id}/repair", follow_redirects=True)
    assert "There is no published plan to repair" in response.get_data(as_text=True)


# --- rooms and sites -------------------------------------------------------------------------


def test_shrinking_a_room_below_its_section_breaks_both_its_sessions(app, client, auth, world):
    auth.login("coord@example.com")
    url = f"/sites/{world['site']}/rooms/{world['room_1']}/edit"
    with app.app_context():
        from scheduler.models import Room

        key = db.session.get(Room, world["room_1"]).key
    data = {"key": key, "name": "Thames", "capacity": "2", "hourly_cost": "40"}
    page = client.post(url, data=data).get_data(as_text=True)
    assert "This change breaks 2 published sessions:" in page
    assert "seats 2; the section has" in page
    assert 'value="Thames"' in page  # nothing entered is lost
    assert client.post(url, data=data | {"capacity": "3"}).status_code == 302  # fits 3 learners
    assert broken(app) == []


def test_renaming_a_rooms_key_breaks_nothing_it_is_still_the_same_room(app, client, auth, world):
    auth.login("coord@example.com")
    url = f"/sites/{world['site']}/rooms/{world['room_1']}/edit"
    data = {"key": "thames", "name": "Thames", "capacity": "20", "hourly_cost": "40"}
    assert client.post(url, data=data).status_code == 302
    assert broken(app) == []


# --- CSRF ------------------------------------------------------------------------------------


def test_save_anyway_carries_the_forms_csrf_token_and_is_refused_without_it(csrf_app):
    with csrf_app.app_context():
        World()
        db.session.commit()
    client = csrf_app.test_client()

    def token(page: str) -> str:
        import re

        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]

    login = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": "ana@example.com",
            "password": "correct horse battery",
            "csrf_token": token(login),
        },
    )
    form = client.get("/availability").get_data(as_text=True)
    held = client.post("/availability", data=ANA_AFTERNOONS | {"csrf_token": token(form)})
    page = held.get_data(as_text=True)
    assert "Save anyway" in page
    forged = client.post("/availability", data=ANA_AFTERNOONS | {"save_anyway": "1"})
    assert forged.status_code in (200, 400)
    assert broken(csrf_app) == []
    saved = client.post(
        "/availability", data=ANA_AFTERNOONS | {"save_anyway": "1", "csrf_token": token(page)}
    )
    assert saved.status_code == 302
    assert [row[:2] for row in broken(csrf_app)] == [("S1", 0)]
