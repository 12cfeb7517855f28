"""Feeds and downloads: every calendar parses everywhere, times keep their wall clock across
DST, and a feed URL works only while its token is live."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from ical.calendar_stream import IcsCalendarStream

from scheduler.calendars.routes import RedactFeedTokens
from scheduler.extensions import db
from scheduler.models import FeedToken
from tests.calendar_world import (
    calendar_parts,
    check_calendar,
    first_plan,
    libical_available,
    make_world,
    outbox,
    publish_plan,
)
from tests.factories import PASSWORD

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setattr(
        "scheduler.calendars.invites.utcnow", lambda: datetime(2027, 3, 1, tzinfo=LONDON)
    )
    with app.app_context():
        w = make_world()
        publish_plan(w, first_plan(w))
        ids = {name: w[name].id for name in ("ana", "ben", "london", "thames")}
        ids["sam"] = w["sam"].id
        ids["outbox"] = [row.content for row in outbox()]
    return ids


def sign_in(client, email):
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


def feed_url(html: str) -> str:
    match = re.search(r"webcal://[^/]+(/feeds/[^\"<]+\.ics)", html)
    assert match, html
    return match.group(1)


def test_libical_is_available():
    available, reason = libical_available()
    if not available:
        pytest.skip(f"libical (gir1.2-ical-3.0 + python3-gi) cannot be loaded: {reason}")


def test_every_download_and_invite_parses_with_all_three_parsers(app, world):
    client = app.test_client()
    sign_in(client, "coord@example.com")
    urls = [
        "/calendars/schedule.ics",
        f"/calendars/facilitators/{world['ana']}.ics",
        f"/calendars/learners/{world['sam']}.ics",
        f"/calendars/cohorts/{world['london']}.ics",
        f"/calendars/rooms/{world['thames']}.ics",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/calendar"
        calendar = check_calendar(response.data)
        assert calendar["METHOD"] == "PUBLISH" and calendar.walk("VEVENT")
    for content in world["outbox"]:
        for _method, data in calendar_parts(content):
            check_calendar(data)


def test_a_session_after_the_clocks_change_keeps_its_wall_clock_time(app, world):
    client = app.test_client()
    sign_in(client, "ana@example.com")
    data = client.get("/calendar/sessions.ics").data
    calendar = check_calendar(data)
    starts = sorted((event["DTSTART"] for event in calendar.walk("VEVENT")), key=lambda s: s.dt)
    assert [s.params["TZID"] for s in starts] == ["Europe/London", "Europe/London"]
    assert [s.to_ical().decode() for s in starts] == ["20270316T090000", "20270330T090000"]
    # Resolved through the calendar's own VTIMEZONE: 09:00 GMT, then 09:00 BST.
    assert [s.dt.utcoffset().total_seconds() for s in starts] == [0, 3600]
    parsed = IcsCalendarStream.calendar_from_ics(data.decode())
    local = sorted(event.dtstart for event in parsed.events)
    assert [(d.hour, d.utcoffset().total_seconds()) for d in local] == [(9, 0), (9, 3600)]
    # Ben reads in New York (clocks changed on 14 March): his sessions are at 05:00 EDT.
    client = app.test_client()
    sign_in(client, "coord@example.com")
    calendar = check_calendar(client.get(f"/calendars/facilitators/{world['ben']}.ics").data)
    assert {e["DTSTART"].to_ical().decode()[9:] for e in calendar.walk("VEVENT")} == {"050000"}
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"America/New_York"}


def test_a_facilitator_subscribes_and_a_regenerated_link_makes_the_old_url_404(app, world):
    client = app.test_client()
    sign_in(client, "ana@example.com")
    page = client.post("/calendar/feed").get_data(as_text=True)
    old = feed_url(page)
    anonymous = app.test_client()
    response = anonymous.get(old)
    assert response.status_code == 200
    calendar = check_calendar(response.data)
    assert len(calendar.walk("VEVENT")) == 2
    new = feed_url(client.post("/calendar/feed").get_data(as_text=True))
    assert new != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    # Only the hash is stored; the page never shows the link again.
    token = new.removeprefix("/feeds/").removesuffix(".ics")
    with app.app_context():
        hashes = db.session.scalars(db.select(FeedToken.token_hash)).all()
    assert token not in hashes and len(hashes) == 1
    assert token not in client.get("/calendar").get_data(as_text=True)
    client.post("/calendar/feed/revoke")
    assert anonymous.get(new).status_code == 404


def test_unknown_tokens_404(app, world):
    client = app.test_client()
    for token in ("x", "a" * 43, "../../etc", "a" * 500):
        assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_a_disabled_account_feed_stops(app, world):
    client = app.test_client()
    sign_in(client, "ana@example.com")
    url = feed_url(client.post("/calendar/feed").get_data(as_text=True))
    with app.app_context():
        from scheduler.models import User

        user = db.session.scalar(db.select(User).where(User.email == "ana@example.com"))
        user.is_enabled = False
        db.session.commit()
    assert app.test_client().get(url).status_code == 404


def test_the_coordinator_issues_learner_and_cohort_links_and_revokes_any(app, world):
    client = app.test_client()
    sign_in(client, "coord@example.com")
    with app.app_context():
        from scheduler.models import Learner

        sam_key = db.session.get(Learner, world["sam"]).key
    page = client.post("/calendars", data={"kind": "learner", "key": sam_key})
    learner_url = feed_url(page.get_data(as_text=True))
    calendar = check_calendar(app.test_client().get(learner_url).data)
    assert len(calendar.walk("VEVENT")) == 2
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Dublin"}
    cohort_url = feed_url(
        client.post("/calendars", data={"kind": "cohort", "key": "fire-london"}).get_data(
            as_text=True
        )
    )
    assert app.test_client().get(cohort_url).status_code == 200
    page = client.post("/calendars", data={"kind": "cohort", "key": "nope"})
    assert "No cohort has the id" in page.get_data(as_text=True)
    schedule_url = feed_url(client.post("/calendars/schedule-feed").get_data(as_text=True))
    assert len(check_calendar(app.test_client().get(schedule_url).data).walk("VEVENT")) == 4
    with app.app_context():
        feeds = db.session.scalars(db.select(FeedToken)).all()
        learner_feed = next(f for f in feeds if f.learner_id == world["sam"])
    client.post(f"/calendars/feeds/{learner_feed.id}/revoke")
    assert app.test_client().get(learner_url).status_code == 404
    assert app.test_client().get(cohort_url).status_code == 200


def test_feed_tokens_are_redacted_from_the_request_log():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        "",
        0,
        '%s - - "%s" %s',
        ("127.0.0.1", "GET /feeds/SeCrEt.ics HTTP/1.1", "200"),
        None,
    )
    RedactFeedTokens().filter(record)
    assert "SeCrEt" not in record.getMessage()
    assert "/feeds/<redacted>" in record.getMessage()
    assert any(isinstance(f, RedactFeedTokens) for f in logging.getLogger("werkzeug").filters)
