"""The coordinator's home-page alerts: each kind from the state that raises it, with its link;
nothing for a facilitator; new kinds register in one place."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.home import alerts
from scheduler.models import (
    Closure,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    PlanningPeriod,
    PublishJob,
    Role,
    ScheduleVersion,
    SolveJob,
)
from tests.calendar_world import first_plan, make_world, publish_plan
from tests.drafts import store_draft, utc
from tests.factories import create_user


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.get_data(as_text=True))).split())


@pytest.fixture
def world(app, monkeypatch):
    """The calendar world (sessions in March 2027) with its first plan published; period id."""
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: utc(2027, 3, 1, 12))
    # The sessions are ahead of "now" for the closed-day check whatever today is.
    monkeypatch.setattr("scheduler.home.alerts.utcnow", lambda: utc(2027, 3, 1, 12))
    with app.app_context():
        w = make_world()
        publish_plan(w, first_plan(w))
        period_id = w.period.id
        db.session.remove()
    return period_id


@pytest.fixture
def coordinator(client, auth, world):
    auth.login("coord@example.com")
    return client


def home(client) -> str:
    return words(client.get("/"))


def test_all_is_well_shows_no_alerts(app, world, coordinator):
    assert "Needs your attention" not in home(coordinator)


def test_a_current_draft_waits_to_be_published_and_a_stale_one_asks_for_a_solve(
    app, world, coordinator
):
    with app.app_context():
        period = db.session.get(PlanningPeriod, world)
        draft = store_draft(period, [])
        db.session.commit()
        draft_id = draft.id
    shown = home(coordinator)
    assert "Version 2 of Spring is a draft waiting to be published. Review and publish" in shown
    assert f'href="/planning/versions/{draft_id}/publish"' in coordinator.get("/").get_data(
        as_text=True
    )
    with app.app_context():
        db.session.get(PlanningPeriod, world).version += 1  # a pin since the draft
        db.session.commit()
    shown = home(coordinator)
    assert "waiting to be published" not in shown
    assert "Version 2 of Spring was made before the plan changed" in shown


def test_failed_solves_and_publishes_are_alerts_until_a_later_job_succeeds(app, world, coordinator):
    with app.app_context():
        solve = SolveJob(
            period_id=world, time_limit_seconds=5, status=JobStatus.FAILED, error="bad data"
        )
        publish = PublishJob(
            period_id=world, version_id=1, status=JobStatus.FAILED, error="mail composer crashed"
        )
        db.session.add_all([solve, publish])
        db.session.commit()
    shown = home(coordinator)
    assert "The last solve of Spring failed: bad data See the job and retry" in shown
    assert "Publishing version 1 of Spring failed: mail composer crashed" in shown
    with app.app_context():
        db.session.add(SolveJob(period_id=world, time_limit_seconds=5, status=JobStatus.FINISHED))
        db.session.commit()
    shown = home(coordinator)
    assert "The last solve of Spring failed" not in shown
    assert "Publishing version 1 of Spring failed" in shown


def test_failing_mail_is_an_alert_with_the_latest_error(app, world, coordinator):
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        rows[0].status = OutboxStatus.FAILED
        rows[0].last_error = "550 mailbox unavailable"
        rows[1].attempts, rows[1].last_error = 2, "connection refused"
        rows[2].attempts, rows[2].last_error = 1, "connection timed out"
        db.session.commit()
    shown = home(coordinator)
    assert (
        "1 e-mail could not be sent and will not be retried (latest error: 550 mailbox "
        "unavailable)." in shown
    )
    assert (
        "2 e-mails failed to send and are being retried (latest error: connection timed out)."
        in shown
    )


def test_published_sessions_on_a_closure_day_are_an_alert(app, world, coordinator):
    with app.app_context():
        # The London sessions are on 16 and 30 March 2027; the organisation closes on the 16th.
        db.session.add(
            Closure(name="Company day off", start=date(2027, 3, 16), end=date(2027, 3, 16))
        )
        db.session.commit()
        published = db.session.scalar(
            select(ScheduleVersion.id).where(ScheduleVersion.period_id == world)
        )
    shown = home(coordinator)
    assert "1 published session of Spring falls on a closed day: Company day off (16 Mar)." in shown
    raw = coordinator.get("/").get_data(as_text=True)
    assert f'href="/planning/versions/{published}/sessions">Move them</a>' in raw


def test_a_facilitator_sees_no_coordinator_alerts(app, world, client, auth):
    with app.app_context():
        db.session.add(SolveJob(period_id=world, time_limit_seconds=5, status=JobStatus.FAILED))
        create_user(Role.FACILITATOR, email="fac@example.com")
        db.session.commit()
    auth.login("fac@example.com")
    assert "Needs your attention" not in words(client.get("/"))


def test_a_new_kind_of_alert_is_one_registered_function(app, world, coordinator, monkeypatch):
    monkeypatch.setattr(alerts, "ALERTS", list(alerts.ALERTS))

    @alerts.alert
    def always() -> list[alerts.Alert]:
        return [alerts.Alert("The projector in Thames room is broken.", level="info")]

    assert "The projector in Thames room is broken." in home(coordinator)
    assert alerts.broken_sessions in alerts.ALERTS and alerts.declined_sessions in alerts.ALERTS
