"""Feeds and downloads: every calendar parses everywhere, times keep their wall clock across
DST, and a feed URL works only while its token is live."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from scheduler.caching import cache
from scheduler.calendars import operations
from scheduler.calendars.routes import RedactFeedTokens
from scheduler.calendars.util import calendar_contents
from scheduler.extensions import db
from scheduler.followups.calendar import follow_up_events
from scheduler.models import Cohort, Facilitator, FeedKind, FeedToken, Learner, Role, Room, User
from scheduler.tokens import hash_token, new_token
from tests.calendar_world import (
    calendar_parts,
    check_calendar,
    first_plan,
    libical_available,
    make_world,
    outbox,
    publish_plan,
)
from tests.factories import PASSWORD, create_user
from tests.report_world import done_step

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


# --- A feed link serves its own subject only, whatever was cached before (issue 15, item 1) ---


@pytest.fixture
def subjects(app, world):
    """A manager over the London learners, a follow-up step for Sam (so that a learner's feed
    differs from their cohort's), and what each kind of feed is about."""
    with app.app_context():
        manager = create_user(Role.MANAGER, name="Grace Okafor", email="grace@example.com")
        london = ("lea@example.com", "mo@example.com", "zoe@example.com")
        for learner in db.session.scalars(select(Learner).where(Learner.email.in_(london))):
            learner.manager_id = manager.id
        leeds = db.session.scalar(select(Cohort).where(Cohort.key == "fire-leeds"))
        db.session.add(done_step(world["sam"], leeds.id))
        coordinator = db.session.scalar(select(User).where(User.email == "coord@example.com"))
        db.session.commit()
        return {
            FeedKind.SCHEDULE: (User, coordinator.id),
            FeedKind.TEAM: (User, manager.id),
            FeedKind.FACILITATOR: (Facilitator, world["ana"]),
            FeedKind.LEARNER: (Learner, world["sam"]),
            FeedKind.COHORT: (Cohort, world["london"]),
            FeedKind.ROOM: (Room, world["thames"]),
        }


def issue(app, subjects, kind: FeedKind) -> str:
    """A new feed link of ``kind`` (made by the coordinator), as its URL path."""
    with app.app_context():
        model, subject_id = subjects[kind]
        coordinator = db.session.get(User, subjects[FeedKind.SCHEDULE][1])
        _, token = operations.issue_feed(kind, db.session.get(model, subject_id), coordinator)
        return f"/feeds/{token}.ics"


def revoke_all(app) -> None:
    with app.app_context():
        for feed in db.session.scalars(select(FeedToken)).all():
            operations.revoke_feed(feed)


def own_calendar(app, subjects, kind: FeedKind) -> tuple[str, set[str]]:
    """The name and event UIDs that a feed of ``kind`` must show: its subject's and no other."""
    with app.app_context():
        model, subject_id = subjects[kind]
        name, _, sessions = calendar_contents(kind, db.session.get(model, subject_id))
        uids = {session.uid for session in sessions}
        if kind == FeedKind.LEARNER:
            uids |= {event.uid for event in follow_up_events(subject_id)}
        return name, uids


def served(response) -> tuple[str, set[str]]:
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    return str(calendar["X-WR-CALNAME"]), {str(e["UID"]) for e in calendar.walk("VEVENT")}


#: For each kind, a feed of another kind with other events, made and revoked before it.
BEFORE = {kind: FeedKind.SCHEDULE for kind in FeedKind} | {FeedKind.SCHEDULE: FeedKind.LEARNER}


@pytest.mark.parametrize("kind", list(FeedKind))
def test_a_new_link_after_a_revoked_one_serves_only_its_own_subject(app, subjects, kind):
    """The reported leak: a whole-schedule link made, read and revoked; a manager's new team
    link then served the whole schedule (the cache was keyed by the reused row id)."""
    anonymous = app.test_client()
    old_url = issue(app, subjects, BEFORE[kind])
    assert served(anonymous.get(old_url)) == own_calendar(app, subjects, BEFORE[kind])
    revoke_all(app)
    assert anonymous.get(old_url).status_code == 404
    new_url = issue(app, subjects, kind)
    expected = own_calendar(app, subjects, kind)
    assert expected != own_calendar(app, subjects, BEFORE[kind])  # the test can tell them apart
    assert served(anonymous.get(new_url)) == expected


def test_a_row_id_given_again_to_another_kind_of_feed_serves_the_new_subject(app, subjects):
    """Whatever a store does with ids: a feed row deleted and its id given to a new row of
    another kind, behind the cache's back (a bare connection, no data stamp), must not bring
    back the old row's calendar."""
    anonymous = app.test_client()
    facilitator_url = issue(app, subjects, FeedKind.FACILITATOR)
    facilitator = served(anonymous.get(facilitator_url))
    token = new_token()
    with app.app_context():
        old = db.session.scalar(select(FeedToken))
        row = {"id": old.id, "kind": FeedKind.ROOM, "created_at": old.created_at}
        row |= {"token_hash": hash_token(token), "room_id": world_room(subjects)}
        db.session.close()
        table = FeedToken.__table__
        with db.engine.begin() as connection:
            connection.execute(table.delete())
            connection.execute(table.insert(), [row])
    room = served(anonymous.get(f"/feeds/{token}.ics"))
    assert room == own_calendar(app, subjects, FeedKind.ROOM)
    assert room != facilitator
    assert anonymous.get(facilitator_url).status_code == 404


def world_room(subjects) -> int:
    return subjects[FeedKind.ROOM][1]


# --- ETag and Last-Modified: a client polling an unchanged feed gets 304 (issue 16) ---------


def test_an_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(app, subjects):
    anonymous = app.test_client()
    url = issue(app, subjects, FeedKind.FACILITATOR)
    first = anonymous.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and first.data
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = anonymous.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert anonymous.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    with app.app_context():
        db.session.get(Room, subjects[FeedKind.ROOM][1]).name = "Severn room"
        db.session.commit()
    changed = anonymous.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Severn room" in changed.data
    assert changed.headers["ETag"] != etag
    # The same second or not, the change moves Last-Modified past what the client holds.
    assert anonymous.get(url, headers={"If-Modified-Since": modified}).status_code == 200
    new_etag = changed.headers["ETag"]
    assert anonymous.get(url, headers={"If-None-Match": new_etag}).status_code == 304


def test_a_regenerated_link_has_another_etag_and_the_old_link_404s(app, subjects):
    anonymous = app.test_client()
    old_url = issue(app, subjects, FeedKind.COHORT)
    old_etag = anonymous.get(old_url).headers["ETag"]
    new_url = issue(app, subjects, FeedKind.COHORT)
    assert anonymous.get(old_url, headers={"If-None-Match": old_etag}).status_code == 404
    response = anonymous.get(new_url, headers={"If-None-Match": old_etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != old_etag


def test_a_rebuild_that_only_changes_dtstamp_keeps_the_etag(app, subjects, monkeypatch):
    """The cache expires (every FEED_CACHE_SECONDS): the new DTSTAMPs alone must not make every
    subscribed client download the feed again."""
    anonymous = app.test_client()
    url = issue(app, subjects, FeedKind.ROOM)
    first = anonymous.get(url)
    with app.app_context():
        cache.clear()
    monkeypatch.setattr(
        "scheduler.calendars.ics.utcnow", lambda: datetime(2030, 1, 1, tzinfo=LONDON)
    )
    rebuilt = anonymous.get(url)
    assert b"DTSTAMP:20300101" in rebuilt.data and b"DTSTAMP:20300101" not in first.data
    assert rebuilt.headers["ETag"] == first.headers["ETag"]
    assert anonymous.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
