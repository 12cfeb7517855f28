"""Published sections: who answered (per section, per period, a manager's team), answers a
coordinator records for someone, the sessions a facilitator declined, the section's joining
link, and the updates sent when a street address or a meeting link changes."""

from __future__ import annotations

import email
import email.policy
import re
from contextlib import contextmanager

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event, select, update

from scheduler.calendars.replies import record_reply
from scheduler.extensions import db
from scheduler.facilitators.operations import update_facilitator
from scheduler.models import (
    AuditEntry,
    InviteMethod,
    InviteRecord,
    Learner,
    ProgramMode,
    Reply,
    ReplyChannel,
    Role,
    SectionMeetingLink,
)
from scheduler.planning.versions import published_version
from scheduler.sites.operations import update_room, update_site
from tests.calendar_world import check_message, check_outbox, first_plan, make_world, outbox
from tests.calendar_world import publish_plan as publish
from tests.drafts import Planned, utc
from tests.factories import create_cohort, create_program, create_user

NOW = utc(2027, 3, 1, 12)
PASSWORD = "correct horse battery"
LINK = "https://meet.example.com/fire-webinar"


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    with app.app_context():
        w = make_world()
        webinar = create_program(name="Webinar", sessions=(60, 60), mode=ProgramMode.VIRTUAL)
        w.objects["webinar"] = webinar
        w.objects["webinar_cohort"] = create_cohort(
            webinar, None, learners=[w["sam"]], key="webinar"
        )
        w["ben"].meeting_url = "https://meet.example.com/ben-okafor"
        db.session.commit()
        yield w
        check_outbox(outbox())


def plan(w, webinar_facilitator=None) -> list[Planned]:
    """The calendar world's plan plus a two-session virtual section W1 (Ben's by default)."""
    facilitator = webinar_facilitator or w["ben"]
    return first_plan(w) + [
        Planned(
            "W1",
            w["webinar"],
            [(w["webinar_cohort"], 1)],
            [(utc(2027, 3, 18, 15), facilitator, None), (utc(2027, 3, 25, 15), facilitator, None)],
            minutes=60,
        )
    ]


class OwnClient(FlaskClient):
    """A test client whose every request loads its own user: the test holds one app context
    for all its clients, and Flask-Login keeps the signed-in user in ``g`` for that context."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def login(app, email_address: str):
    app.test_client_class = OwnClient
    client = app.test_client()
    response = client.post("/login", data={"email": email_address, "password": PASSWORD})
    assert response.status_code == 302
    return client


def record_of(w, person, section_key: str, position: int) -> InviteRecord:
    uid = f"period-{w.period.id}-section-{section_key}-session-{position}@cohort-scheduler"
    column = (
        InviteRecord.facilitator_id if person in (w["ana"], w["ben"]) else InviteRecord.learner_id
    )
    return db.session.scalar(
        select(InviteRecord).where(InviteRecord.uid == uid, column == person.id)
    )


def new_messages(seen: set[int]) -> dict[str, list]:
    found: dict[str, list] = {}
    for row in outbox():
        if row.id not in seen:
            found.setdefault(row.recipient, []).append(row)
    return found


def seen() -> set[int]:
    return {row.id for row in outbox()}


def event_of(row):
    (calendar,) = check_message(row, libical=False)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def text_of(row) -> str:
    message = email.message_from_string(row.content, policy=email.policy.default)
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


# Who answered ------------------------------------------------------------------------------


def test_the_period_page_counts_answers_and_the_section_page_says_who(app, world):
    publish(world, plan(world))
    lea, mo = world["learners"][:2]
    record_reply(record_of(world, lea, "S1", 0), Reply.ACCEPTED, ReplyChannel.MAIL)
    record_reply(record_of(world, mo, "S1", 0), Reply.DECLINED, ReplyChannel.LINK)
    record_reply(record_of(world, world["ana"], "S1", 1), Reply.TENTATIVE, ReplyChannel.MAIL)
    db.session.commit()
    client = login(app, "coord@example.com")
    # S1: 2 sessions x (3 learners + Ana); S2: 2 x (Sam + Ben); W1: 2 x (Sam + Ben) = 16.
    page = client.get(f"/planning/{world.period.id}").get_data(as_text=True)
    assert "1 accepted · 1 tentative · 1 declined · 13 not answered" in page
    sections = client.get(f"/planning/{world.period.id}/sections").get_data(as_text=True)
    assert "1 accepted · 1 tentative · 1 declined · 5 not answered" in sections  # S1
    assert "4 not answered" in sections  # S2 and W1
    section = client.get(f"/planning/{world.period.id}/sections/S1").get_data(as_text=True)
    rows = {
        re.sub(r"<[^>]+>", "", row.split("<br>")[0]).strip(): row
        for row in section.split("<tr>")[2:]
    }
    assert "accepted" in rows["Léa Martin"] and "by mail" in rows["Léa Martin"]
    assert "declined" in rows["Mo Haddad"] and "by link" in rows["Mo Haddad"]
    assert "not answered" in rows["Zoe Price"] and "accepted</span>" not in rows["Zoe Price"]
    assert "tentative" in rows["Ana Duarte (facilitator)"]
    assert "Sam Ito" not in section  # not in this section


def test_a_coordinator_records_an_answer_on_someones_behalf(app, world):
    publish(world, plan(world))
    record = record_of(world, world["learners"][2], "S1", 1)
    client = login(app, "coord@example.com")
    response = client.post(
        f"/planning/{world.period.id}/sections/S1/answers",
        data={"record_id": record.id, "reply": "ACCEPTED"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    record = db.session.get(InviteRecord, record.id)
    assert record.reply == Reply.ACCEPTED and record.reply_channel == ReplyChannel.COORDINATOR
    assert record.replied_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer"))
    assert "Zoe Price" in entry.summary and entry.user_name == world.coordinator.name


def test_an_answer_for_another_sections_invitation_or_a_withdrawn_one_is_refused(app, world):
    publish(world, plan(world))
    other = record_of(world, world["sam"], "S2", 0)
    withdrawn = record_of(world, world["learners"][0], "S1", 0)
    withdrawn.method = InviteMethod.CANCEL
    db.session.commit()
    client = login(app, "coord@example.com")
    for record_id, section in ((other.id, "S1"), (withdrawn.id, "S1"), ("x", "S1")):
        response = client.post(
            f"/planning/{world.period.id}/sections/{section}/answers",
            data={"record_id": record_id, "reply": "DECLINED"},
            follow_redirects=True,
        )
        assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose an answer to record." in page
    db.session.expire_all()
    assert db.session.get(InviteRecord, other.id).reply == Reply.NEEDS_ACTION
    assert db.session.get(InviteRecord, withdrawn.id).reply == Reply.NEEDS_ACTION


def test_only_coordinators_record_answers(app, world):
    publish(world, plan(world))
    record = record_of(world, world["sam"], "S2", 0)
    create_user(Role.MANAGER, email="boss@example.com")
    for address in ("ben@example.com", "boss@example.com"):
        response = login(app, address).post(
            f"/planning/{world.period.id}/sections/S2/answers",
            data={"record_id": record.id, "reply": "ACCEPTED"},
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(InviteRecord, record.id).reply == Reply.NEEDS_ACTION


def test_a_manager_sees_the_answers_of_their_own_team_only(app, world):
    publish(world, plan(world))
    boss_x = create_user(Role.MANAGER, email="boss-x@example.com")
    boss_y = create_user(Role.MANAGER, email="boss-y@example.com")
    lea, mo = world["learners"][:2]
    lea.manager, mo.manager, world["sam"].manager = boss_x, boss_x, boss_y
    record_reply(record_of(world, lea, "S1", 0), Reply.DECLINED, ReplyChannel.LINK)
    db.session.commit()
    page = login(app, "boss-x@example.com").get("/team/answers").get_data(as_text=True)
    assert "lea@example.com" in page and "mo@example.com" in page
    assert "sam@example.com" not in page and "zoe@example.com" not in page
    assert "1 declined · 3 not answered" in page  # Léa's and Mo's two sessions each
    other = login(app, "boss-y@example.com").get("/team/answers").get_data(as_text=True)
    assert "sam@example.com" in other and "lea@example.com" not in other
    assert "4 not answered" in other  # Sam: S2 and W1, two sessions each


# Facilitator declines ----------------------------------------------------------------------


def test_a_facilitators_decline_needs_a_decision_until_they_accept_or_are_replaced(app, world):
    publish(world, plan(world))
    client = login(app, "coord@example.com")
    home = client.get("/").get_data(as_text=True)
    assert "Sessions that need a decision" not in home
    # A learner's decline is not the coordinator's decision to make.
    record_reply(record_of(world, world["sam"], "S2", 0), Reply.DECLINED, ReplyChannel.LINK)
    record = record_of(world, world["ben"], "S2", 0)
    record_reply(record, Reply.DECLINED, ReplyChannel.MAIL)
    db.session.commit()
    for url in ("/", f"/planning/{world.period.id}", f"/planning/{world.period.id}/sections/S2"):
        page = client.get(url).get_data(as_text=True)
        assert "Sessions that need a decision" in page, url
        assert "<strong>Ben Okafor</strong> declined" in page
        assert f'href="/planning/{world.period.id}/sections/S2"' in page
        assert page.count("</strong> declined") == 1  # Sam's decline is not listed
    # He accepts after all: off the list.
    record_reply(record, Reply.ACCEPTED, ReplyChannel.LINK)
    db.session.commit()
    assert "Sessions that need a decision" not in client.get("/").get_data(as_text=True)
    # He declines again; the coordinator gives the session to Ana and publishes: off the list.
    record_reply(record, Reply.DECLINED, ReplyChannel.LINK)
    db.session.commit()
    assert "<strong>Ben Okafor</strong> declined" in client.get("/").get_data(as_text=True)
    sections = plan(world)
    sections[1].sessions[0] = (utc(2027, 3, 17, 9), world["ana"], world["aire"])
    publish(world, sections)
    assert "Sessions that need a decision" not in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert record_of(world, world["ben"], "S2", 0).method == InviteMethod.CANCEL


# The joining link --------------------------------------------------------------------------


def test_a_section_link_replaces_the_facilitators_room_and_survives_a_republish(app, world):
    publish(world, plan(world))
    before = seen()
    client = login(app, "coord@example.com")
    response = client.post(
        f"/planning/{world.period.id}/sections/W1/link", data={"meeting_url": LINK}
    )
    assert response.status_code == 302
    sent = new_messages(before)
    # Sam and Ben hold invitations to W1's two sessions: an update each, nobody else.
    assert sorted(sent) == ["ben@example.com", "sam@example.com"]
    for rows in sent.values():
        updates = [row for row in rows if check_message(row, libical=False)]
        assert len(updates) == 2
        for row in updates:
            method, event = event_of(row)
            assert method == "REQUEST" and row.subject.startswith("Updated: Webinar")
            assert int(event["SEQUENCE"]) == 1
            assert str(event["URL"]) == LINK and str(event["CONFERENCE"]) == LINK
            assert f"Join online: {LINK}" in event["DESCRIPTION"]
            assert f"new joining link: {LINK}" in text_of(row)
    # A re-publish of the same plan (new rows, same section key) keeps the link: nothing sent.
    before = seen()
    publish(world, plan(world))
    assert new_messages(before) == {}
    feed = client.get("/calendars/schedule.ics").get_data(as_text=True)
    assert feed.count(f"URL:{LINK}") == 2
    # Back to the facilitator's room: another update, with his room.
    before = seen()
    client.post(f"/planning/{world.period.id}/sections/W1/link", data={"meeting_url": ""})
    rows = [r for r in new_messages(before)["sam@example.com"] if check_message(r, libical=False)]
    assert len(rows) == 2
    assert str(event_of(rows[0])[1]["URL"]) == "https://meet.example.com/ben-okafor"
    assert db.session.scalar(select(SectionMeetingLink)) is None


def test_a_facilitator_sets_the_link_of_their_own_sections_only(app, world):
    publish(world, plan(world))
    url = f"/planning/{world.period.id}/sections/W1/link"
    ana = login(app, "ana@example.com")
    assert ana.get(url).status_code == 404
    assert ana.post(url, data={"meeting_url": "https://evil.example.com/x"}).status_code == 404
    assert db.session.scalar(select(SectionMeetingLink)) is None
    # Her own (in-person) section has no joining link to set.
    own = ana.post(f"/planning/{world.period.id}/sections/S1/link", data={"meeting_url": LINK})
    assert own.status_code == 400 and "has no joining link" in own.get_data(as_text=True)
    assert ana.get(f"/planning/{world.period.id}/sections/W1").status_code == 403
    ben = login(app, "ben@example.com")
    mine = ben.get("/my/sections").get_data(as_text=True)
    assert "Webinar" in mine and f"/planning/{world.period.id}/sections/W1/link" in mine
    assert ben.post(url, data={"meeting_url": LINK}).status_code == 302
    link = db.session.scalar(select(SectionMeetingLink))
    assert (link.section_key, link.meeting_url) == ("W1", LINK)
    assert "ben@example.com" not in ana.get("/my/sections").get_data(as_text=True)


@pytest.mark.parametrize(
    "value",
    ["http://meet.example.com/x", "javascript:alert(1)", "https://", "https://a b.example.com"],
)
def test_a_section_link_must_be_https(app, world, value):
    publish(world, plan(world))
    before = seen()
    response = login(app, "coord@example.com").post(
        f"/planning/{world.period.id}/sections/W1/link", data={"meeting_url": value}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "full https:// address" in page and 'value="' in page  # shown again, not lost
    assert db.session.scalar(select(SectionMeetingLink)) is None
    assert new_messages(before) == {}


# Updates when the place or the link changes -------------------------------------------------


def test_a_new_street_address_updates_future_sessions_there_only(app, world, monkeypatch):
    publish(world, plan(world))
    # 20 March: S1's first session (16 March) is over, its second (30 March) is not.
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: utc(2027, 3, 20))
    before = seen()
    london = world["thames"].site
    update_site(
        london, london.key, london.name, london.timezone, london.country, "", "2 New Street"
    )
    db.session.commit()
    sent = new_messages(before)
    assert sorted(sent) == sorted(
        ["ana@example.com", "lea@example.com", "mo@example.com", "zoe@example.com"]
    )
    for rows in sent.values():
        (row,) = rows  # one session: one message, no summary
        method, event = event_of(row)
        assert method == "REQUEST" and event.decoded("DTSTART").day == 30
        assert event["LOCATION"] == "Thames room, London, 2 New Street"
        assert int(event["SEQUENCE"]) == 1
        assert "new place: Thames room, London, 2 New Street" in text_of(row)
    # Saving it again, or a publish of the same plan, sends nothing more.
    before = seen()
    update_site(
        london, london.key, london.name, london.timezone, london.country, "", "2 New Street"
    )
    publish(world, plan(world))
    assert new_messages(before) == {}


def test_a_renamed_room_updates_its_sessions(app, world):
    publish(world, plan(world))
    before = seen()
    aire = world["aire"]
    update_room(aire, aire.key, "Aire suite", aire.capacity, aire.hourly_cost)
    db.session.commit()
    sent = new_messages(before)
    assert sorted(sent) == ["ben@example.com", "sam@example.com"]
    texts = [text_of(row) for row in sent["sam@example.com"] if check_message(row, libical=False)]
    assert len(texts) == 2 and all("new room: Aire suite, Leeds" in text for text in texts)


def test_a_facilitators_new_room_updates_virtual_sessions_without_a_section_link(app, world):
    publish(world, plan(world))
    ben = world["ben"]
    values = {
        "name": ben.name,
        "email": ben.user.email,
        "timezone": ben.timezone,
        "key": ben.key,
        "site_id": ben.site_id,
        "hourly_rate": 0,
        "session_fee": 0,
        "if_need_be_cost": 0,
        "max_minutes_per_day": None,
        "buffer_minutes": 0,
        "skills": ben.skill_names,
        "travel_costs": {},
        "meeting_url": "https://meet.example.com/ben-new",
    }
    before = seen()
    update_facilitator(ben, values)
    db.session.commit()
    sent = new_messages(before)
    assert sorted(sent) == ["ben@example.com", "sam@example.com"]  # W1 only: S2 is in person
    rows = [row for row in sent["sam@example.com"] if check_message(row, libical=False)]
    assert len(rows) == 2
    for row in rows:
        assert str(event_of(row)[1]["URL"]) == "https://meet.example.com/ben-new"
        assert "new joining link: https://meet.example.com/ben-new" in text_of(row)
    # With a section link, his room no longer matters to W1: nothing is sent.
    login(app, "coord@example.com").post(
        f"/planning/{world.period.id}/sections/W1/link", data={"meeting_url": LINK}
    )
    before = seen()
    update_facilitator(ben, values | {"meeting_url": "https://meet.example.com/ben-3"})
    db.session.commit()
    assert new_messages(before) == {}


def test_ledger_rows_from_before_the_link_was_kept_get_no_update(app, world):
    publish(world, plan(world))
    for record in db.session.scalars(select(InviteRecord)):
        record.sent_url = None
    db.session.commit()
    before = seen()
    publish(world, plan(world))
    assert new_messages(before) == {}
    assert published_version(world.period).sections  # still published


def test_the_answer_pages_run_as_many_queries_for_a_big_section_as_for_a_small_one(app, world):
    publish(world, plan(world))
    boss_id = create_user(Role.MANAGER, email="boss@example.com").id
    learner_ids = [world["sam"].id, *(learner.id for learner in world["learners"])]
    period_id = world.period.id
    db.session.commit()
    client = login(app, "coord@example.com")
    manager = login(app, "boss@example.com")

    def counted(client, url: str) -> int:
        db.session.expunge_all()  # each request starts with an empty session, as in production
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter["n"]

    # 3 learners and Ana; 1 learner and Ben (two sessions each).
    big, small = (counted(client, f"/planning/{period_id}/sections/{key}") for key in ("S1", "S2"))
    assert big == small
    team = []
    for learner_id in learner_ids:  # 1, then up to 4 people with 2-4 sessions each
        db.session.execute(
            update(Learner).where(Learner.id == learner_id).values(manager_id=boss_id)
        )
        db.session.commit()
        team.append(counted(manager, "/team/answers"))
    assert len(set(team)) == 1, team


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block."""
    counter = {"n": 0}

    def before(*args):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
