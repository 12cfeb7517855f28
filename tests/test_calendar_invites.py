"""Invitations on publish: one message per affected person, REQUEST for new and changed
sessions, CANCEL for sessions a person left, nothing twice; reminders that follow a move."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.calendars.invites import queue_due_reminders, send_invites
from scheduler.extensions import db
from scheduler.models import InviteMethod, InviteRecord
from scheduler.planning.versions import published_version
from tests.calendar_world import (
    calendar_parts,
    check_calendar,
    first_plan,
    make_world,
    outbox,
    publish_plan,
)
from tests.drafts import utc

NOW = utc(2027, 3, 1, 12)


@pytest.fixture
def world(app, monkeypatch):
    # Sessions in 2027 are in the future for the hook whatever today is.
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    with app.app_context():
        yield make_world()


def by_recipient(rows) -> dict[str, list]:
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row.recipient, []).append(row)
    return found


def events_of(row):
    (method, data), *rest = calendar_parts(row)
    assert rest == []
    calendar = check_calendar(data)
    assert calendar["METHOD"] == method
    return method, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_publish_sends_one_request_per_person_with_all_their_sessions(world):
    publish_plan(world, first_plan(world))
    mail = by_recipient(outbox())
    assert sorted(mail) == [
        "ana@example.com",
        "ben@example.com",
        "lea@example.com",
        "mo@example.com",
        "sam@example.com",
        "zoe@example.com",
    ]
    assert all(len(rows) == 1 for rows in mail.values())
    method, events = events_of(mail["ana@example.com"][0])
    assert method == "REQUEST" and len(events) == 2
    event = next(iter(events.values()))
    attendee = event["ATTENDEE"]
    attendee = attendee[0] if isinstance(attendee, list) else attendee
    assert str(attendee) == "mailto:ana@example.com"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION" and attendee.params["RSVP"] == "TRUE"
    assert str(event["ORGANIZER"]) == "mailto:scheduling@example.com"
    assert "Program: Fire safety" in event["DESCRIPTION"]
    assert "Cohort: fire-london" in event["DESCRIPTION"]
    assert "Session 1 of 2" in event["DESCRIPTION"] or "Session 2 of 2" in event["DESCRIPTION"]
    assert event["LOCATION"].startswith("Thames room, London")


def test_replaying_the_hook_or_republishing_the_same_plan_sends_nothing(world):
    version = publish_plan(world, first_plan(world))
    before = len(outbox())
    assert send_invites(world.period, version) == 0
    db.session.commit()
    publish_plan(world, first_plan(world))  # an identical new version
    assert len(outbox()) == before


def test_a_reschedule_keeps_the_uid_raises_sequence_and_goes_only_to_those_affected(world):
    publish_plan(world, first_plan(world))
    first = {row.id for row in outbox()}
    plan = first_plan(world)
    moved = utc(2027, 3, 31, 13)
    plan[0].sessions[1] = (moved, world["ana"], world["thames"])
    publish_plan(world, plan)
    new = [row for row in outbox() if row.id not in first]
    assert sorted(row.recipient for row in new) == sorted(
        ["ana@example.com", "lea@example.com", "mo@example.com", "zoe@example.com"]
    )
    method, events = events_of(next(r for r in new if r.recipient == "mo@example.com"))
    assert method == "REQUEST" and len(events) == 1
    ((uid, event),) = events.items()
    session = next(
        s
        for section in published_version(world.period).sections
        for s in section.sessions
        if s.uid == uid
    )
    assert session.position == 1 and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == moved


def test_a_facilitator_taken_off_a_session_gets_a_cancel_with_the_same_uid(world):
    publish_plan(world, first_plan(world))
    first = {row.id for row in outbox()}
    uids = {
        s.position: s.uid
        for s in published_version(world.period).sections[1].sessions  # S2, Ben's
    }
    plan = first_plan(world)
    plan[1].sessions[1] = (plan[1].sessions[1][0], world["ana"], world["aire"])
    publish_plan(world, plan)
    new = by_recipient(row for row in outbox() if row.id not in first)
    assert sorted(new) == ["ana@example.com", "ben@example.com", "sam@example.com"]
    method, events = events_of(new["ben@example.com"][0])
    assert method == "CANCEL" and list(events) == [uids[1]]
    assert events[uids[1]]["STATUS"] == "CANCELLED" and events[uids[1]]["SEQUENCE"] >= 1
    method, events = events_of(new["ana@example.com"][0])
    assert method == "REQUEST" and list(events) == [uids[1]]
    record = db.session.scalar(
        db.select(InviteRecord).where(
            InviteRecord.uid == uids[1], InviteRecord.facilitator_id == world["ben"].id
        )
    )
    assert record.method == InviteMethod.CANCEL


def test_a_dropped_section_is_cancelled_for_its_people_only(world):
    publish_plan(world, first_plan(world))
    first = {row.id for row in outbox()}
    publish_plan(world, first_plan(world)[:1])
    new = by_recipient(row for row in outbox() if row.id not in first)
    assert sorted(new) == ["ben@example.com", "sam@example.com"]
    for rows in new.values():
        assert len(rows) == 1
        method, events = events_of(rows[0])
        assert method == "CANCEL" and len(events) == 2


def test_reminders_are_sent_once_and_again_when_the_session_moves(world, app):
    publish_plan(world, first_plan(world))
    before = len(outbox())
    two_days_before = utc(2027, 3, 14, 10)  # the 16 March 09:00 session is due
    assert queue_due_reminders(now=two_days_before) == 4  # Ana and three learners
    assert queue_due_reminders(now=two_days_before + timedelta(hours=1)) == 0
    reminders = outbox()[before:]
    assert {row.recipient for row in reminders} == {
        "ana@example.com",
        "lea@example.com",
        "mo@example.com",
        "zoe@example.com",
    }
    assert all(row.subject.startswith("Reminder:") for row in reminders)
    plan = first_plan(world)
    plan[0].sessions[0] = (utc(2027, 3, 15, 9), world["ana"], world["thames"])
    publish_plan(world, plan)
    assert queue_due_reminders(now=two_days_before) == 4


def test_reminder_days_come_from_the_config(world, app):
    publish_plan(world, first_plan(world))
    app.config["REMINDER_DAYS"] = 1
    assert queue_due_reminders(now=utc(2027, 3, 14, 10)) == 0
    assert queue_due_reminders(now=utc(2027, 3, 15, 10)) == 4
