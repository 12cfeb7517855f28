"""Invitations on publish: one iTIP message per session (one UID each, as RFC 5546 requires and
Outlook, Gmail and Alpine need), a plain summary beside several, REQUEST for new and changed
sessions with what changed in words, CANCEL at the time the person had, nothing twice;
reminders that follow a move."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest

from scheduler.adjustments.late_joiners import free_seats_of_leavers
from scheduler.calendars.ics import CalendarEvent, Person, calendar_bytes
from scheduler.calendars.invites import queue_due_reminders, send_invites
from scheduler.config import environment_overrides
from scheduler.extensions import db
from scheduler.models import InviteMethod, InviteRecord
from scheduler.planning.versions import published_version
from tests.calendar_world import (
    attendees_of,
    check_message,
    check_outbox,
    first_plan,
    make_world,
    outbox,
    publish_plan,
)
from tests.drafts import utc
from tests.factories import create_room

NOW = utc(2027, 3, 1, 12)
LONDON_LEARNERS = ["lea@example.com", "mo@example.com", "zoe@example.com"]


@pytest.fixture
def world(app, monkeypatch):
    # Sessions in 2027 are in the future for the hook whatever today is.
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    with app.app_context():
        yield make_world()
        # Every message any test queued passes every parser and the iTIP rules (libical once).
        check_outbox(outbox())


def by_recipient(rows) -> dict[str, list]:
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row.recipient, []).append(row)
    return found


def newer_than(seen: set[int]) -> dict[str, list]:
    return by_recipient(row for row in outbox() if row.id not in seen)


def ids() -> set[int]:
    return {row.id for row in outbox()}


def event_of(row):
    """The method and the one event of an invitation or cancellation (all checks passed)."""
    (calendar,) = check_message(row, libical=False)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def text_of(row) -> str:
    message = email.message_from_string(row.content, policy=email.policy.default)
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def invitations(rows) -> list:
    """The rows carrying a calendar, in the order queued."""
    return [row for row in rows if check_message(row, libical=False)]


def uid_of(world, position: int, section: int = 0) -> str:
    sessions = published_version(world.period).sections[section].sessions
    return next(s.uid for s in sessions if s.position == position)


def test_publish_sends_one_invitation_per_session_and_one_plain_summary(world):
    publish_plan(world, first_plan(world))
    mail = by_recipient(outbox())
    assert sorted(mail) == sorted(
        ["ana@example.com", "ben@example.com", "sam@example.com", *LONDON_LEARNERS]
    )
    for rows in mail.values():  # two sessions each: two invitations and one summary
        assert len(rows) == 3
        summary, *sent = rows
        assert check_message(summary, libical=False) == [] and "invite.ics" not in summary.content
        events = [event_of(row) for row in sent]
        assert [method for method, _ in events] == ["REQUEST", "REQUEST"]
        assert len({str(event["UID"]) for _, event in events}) == 2
    lea = mail["lea@example.com"]
    summary = text_of(lea[0])
    assert lea[0].subject == "Your training in Spring: 2 new sessions"
    assert "- Fire safety (1/2): Tue 16 Mar 2027 09:00-11:00 GMT (Europe/London)" in summary
    assert "- Fire safety (2/2): Tue 30 Mar 2027 09:00-11:00 BST (Europe/London)" in summary
    assert "Times are in your time zone, Europe/London." in summary
    assert "You are invited to 2 training sessions in Spring." in summary
    assert [row.subject for row in lea[1:]] == [
        "Invitation: Fire safety (1/2), Tue 16 Mar 09:00 GMT",
        "Invitation: Fire safety (2/2), Tue 30 Mar 09:00 BST",
    ]
    _, event = event_of(lea[1])
    assert [str(a) for a in attendees_of(event)] == [
        "mailto:lea@example.com",
        "mailto:ana@example.com",
    ]
    for attendee in attendees_of(event):
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION" and attendee.params["RSVP"] == "TRUE"
    assert str(event["ORGANIZER"]) == "mailto:scheduling@example.com"
    assert "Program: Fire safety" in event["DESCRIPTION"]
    assert "Cohort: fire-london" in event["DESCRIPTION"]
    assert "Session 1 of 2" in event["DESCRIPTION"]
    assert event["LOCATION"] == "Thames room, London, 1 Example Street, London EC1A 1AA"
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(minutes=-30)
    assert event["TRANSP"] == "OPAQUE"
    _, sam_event = event_of(mail["sam@example.com"][1])
    assert sam_event["LOCATION"] == "Aire room, Leeds"  # Leeds has no street address


def test_a_virtual_session_carries_its_facilitators_meeting_room(world):
    from scheduler.models import ProgramMode
    from tests.drafts import Planned
    from tests.factories import create_cohort, create_program

    webinar = create_program(name="Webinar", sessions=(60,), mode=ProgramMode.VIRTUAL)
    cohort = create_cohort(webinar, None, learners=[world["sam"]], key="webinar")
    world["ben"].meeting_url = "https://meet.example.com/ben-okafor"
    db.session.commit()
    plan = [Planned("W1", webinar, [(cohort, 1)], [(utc(2027, 3, 18, 15), world["ben"], None)])]
    publish_plan(world, first_plan(world) + plan)
    sent = [event_of(row)[1] for row in invitations(by_recipient(outbox())["sam@example.com"])]
    (event,) = [e for e in sent if str(e["SUMMARY"]).startswith("Webinar")]
    assert event["LOCATION"] == "Online"
    assert str(event["URL"]) == "https://meet.example.com/ben-okafor"
    assert str(event["CONFERENCE"]) == "https://meet.example.com/ben-okafor"
    assert event["CONFERENCE"].params["VALUE"] == "URI"
    assert "Join online: https://meet.example.com/ben-okafor" in event["DESCRIPTION"]
    assert all(e.get("URL") is None for e in sent if e is not event)  # in person: no link


def test_replaying_the_hook_or_republishing_the_same_plan_sends_nothing(world):
    version = publish_plan(world, first_plan(world))
    before = len(outbox())
    assert send_invites(world.period, version) == 0
    db.session.commit()
    publish_plan(world, first_plan(world))  # an identical new version
    assert len(outbox()) == before


def test_a_move_sends_one_update_saying_from_when_to_when_to_those_affected_only(world):
    publish_plan(world, first_plan(world))
    seen = ids()
    plan = first_plan(world)
    moved = utc(2027, 3, 31, 13)  # 14:00 BST, was Tue 30 Mar 09:00 BST
    plan[0].sessions[1] = (moved, world["ana"], world["thames"])
    publish_plan(world, plan)
    new = newer_than(seen)
    assert sorted(new) == sorted(["ana@example.com", *LONDON_LEARNERS])
    assert all(len(rows) == 1 for rows in new.values())  # one session: no summary
    (row,) = new["mo@example.com"]
    method, event = event_of(row)
    assert method == "REQUEST" and str(event["UID"]) == uid_of(world, 1)
    assert event["SEQUENCE"] == 1 and event.decoded("DTSTART") == moved
    change = "moved from Tue 30 Mar 09:00 to Wed 31 Mar 14:00 (Europe/London)"
    assert row.subject == "Updated: Fire safety (2/2), now Wed 31 Mar 14:00 BST"
    assert f"Fire safety (2/2) has changed: {change}." in text_of(row)
    assert f"Changed: {change}." in event["DESCRIPTION"]


def test_a_facilitator_swapped_out_gets_a_cancel_at_the_time_she_had(world):
    publish_plan(world, first_plan(world))
    seen = ids()
    uid = uid_of(world, 1, section=1)  # S2's second session, Ben's, Wed 24 Mar 09:00 UTC
    plan = first_plan(world)
    plan[1].sessions[1] = (utc(2027, 3, 25, 10), world["ana"], world["aire"])
    publish_plan(world, plan)
    new = newer_than(seen)
    assert {name: len(rows) for name, rows in new.items()} == {
        "ben@example.com": 1,
        "ana@example.com": 1,
        "sam@example.com": 1,
    }
    (cancel,) = new["ben@example.com"]
    method, event = event_of(cancel)
    assert method == "CANCEL" and str(event["UID"]) == uid
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == utc(2027, 3, 24, 9)  # the old time, not 25 March
    assert event.decoded("DTEND") == utc(2027, 3, 24, 11)
    assert [str(a) for a in attendees_of(event)] == ["mailto:ben@example.com"]
    assert "RSVP" not in attendees_of(event)[0].params
    assert "Facilitator: Ben Okafor" in event["DESCRIPTION"]
    assert cancel.subject == "Cancelled: Fire safety (2/2), Wed 24 Mar 05:00 EDT"
    assert "When: Wed 24 Mar 2027 05:00-07:00 EDT (America/New_York)" in text_of(cancel)
    method, event = event_of(new["ana@example.com"][0])
    assert method == "REQUEST" and str(event["UID"]) == uid
    assert new["ana@example.com"][0].subject.startswith("Invitation: ")
    (update,) = new["sam@example.com"]
    method, event = event_of(update)
    assert method == "REQUEST" and event.decoded("DTSTART") == utc(2027, 3, 25, 10)
    assert (
        "has changed: moved from Wed 24 Mar 09:00 to Thu 25 Mar 10:00 (Europe/Dublin); "
        "new facilitator: Ana Duarte." in text_of(update)
    )
    record = db.session.scalar(
        db.select(InviteRecord).where(
            InviteRecord.uid == uid, InviteRecord.facilitator_id == world["ben"].id
        )
    )
    assert record.method == InviteMethod.CANCEL


def test_a_cancel_from_a_ledger_row_without_the_sent_time_uses_the_session_it_described(world):
    publish_plan(world, first_plan(world))
    for record in db.session.scalars(db.select(InviteRecord)):  # rows kept before issue 16
        record.sent_start = record.sent_end = None
        record.sent_location = record.sent_facilitator = None
    db.session.commit()
    seen = ids()
    plan = first_plan(world)
    plan[1].sessions[1] = (utc(2027, 3, 25, 10), world["ana"], world["aire"])
    publish_plan(world, plan)
    method, event = event_of(newer_than(seen)["ben@example.com"][0])
    assert method == "CANCEL" and event.decoded("DTSTART") == utc(2027, 3, 24, 9)


def test_a_room_change_says_new_room(world):
    publish_plan(world, first_plan(world))
    seen = ids()
    plan = first_plan(world)
    fleet = create_room(world["london"].site, name="Fleet room")
    db.session.commit()
    plan[0].sessions[0] = (plan[0].sessions[0][0], world["ana"], fleet)
    publish_plan(world, plan)
    (row,) = newer_than(seen)["zoe@example.com"]
    assert "has changed: new room: Fleet room, London, 1 Example Street, London EC1A 1AA." in (
        text_of(row)
    )


def test_a_learner_taken_out_gets_a_cancel_per_session_and_a_summary_only(world):
    publish_plan(world, first_plan(world))
    seen = ids()
    lea = world["learners"][0]
    assert free_seats_of_leavers(world["london"], [lea.id], now=NOW) == 1
    db.session.commit()
    new = newer_than(seen)
    assert list(new) == ["lea@example.com"]
    summary, *cancels = new["lea@example.com"]
    assert check_message(summary, libical=False) == []
    assert summary.subject == "Your training in Spring: 2 cancelled sessions"
    assert "Your training sessions in Spring changed." in text_of(summary)
    assert "Cancelled:\n- Fire safety (1/2): Tue 16 Mar 2027 09:00-11:00 GMT" in text_of(summary)
    events = [event_of(row) for row in cancels]
    assert [method for method, _ in events] == ["CANCEL", "CANCEL"]
    assert [event.decoded("DTSTART") for _, event in events] == [
        utc(2027, 3, 16, 9),
        utc(2027, 3, 30, 8),
    ]


def test_a_dropped_section_is_cancelled_for_its_people_only(world):
    publish_plan(world, first_plan(world))
    seen = ids()
    publish_plan(world, first_plan(world)[:1])
    new = newer_than(seen)
    assert sorted(new) == ["ben@example.com", "sam@example.com"]
    for rows in new.values():
        assert len(rows) == 3  # a summary and one CANCEL per session
        assert [event_of(row)[0] for row in invitations(rows)] == ["CANCEL", "CANCEL"]


def test_the_alarm_minutes_come_from_the_config_and_zero_means_none(world, app):
    app.config["INVITE_ALARM_MINUTES"] = 15
    publish_plan(world, first_plan(world))
    _, event = event_of(invitations(outbox())[0])
    assert event.walk("VALARM")[0].decoded("TRIGGER") == timedelta(minutes=-15)
    seen = ids()
    app.config["INVITE_ALARM_MINUTES"] = 0
    plan = first_plan(world)
    plan[0].sessions[1] = (utc(2027, 3, 31, 13), world["ana"], world["thames"])
    publish_plan(world, plan)
    _, event = event_of(newer_than(seen)["ana@example.com"][0])
    assert event.walk("VALARM") == []


def test_the_alarm_minutes_are_read_from_the_environment():
    assert environment_overrides({"SCHEDULER_INVITE_ALARM_MINUTES": "10"}) == {
        "INVITE_ALARM_MINUTES": 10
    }


def test_an_itip_message_with_two_uids_is_refused(app):
    def event(uid: str) -> CalendarEvent:
        start = utc(2027, 3, 16, 9)
        return CalendarEvent(uid, 0, start, start + timedelta(hours=1), "S", "L", "D", start)

    organizer = Person("o@example.com", "O")
    with pytest.raises(ValueError, match="exactly one UID"):
        calendar_bytes([event("a"), event("b")], zone="UTC", method="REQUEST", organizer=organizer)
    assert calendar_bytes([event("a"), event("b")], zone="UTC", organizer=organizer)  # PUBLISH


def test_reminders_are_sent_once_and_again_when_the_session_moves(world, app):
    publish_plan(world, first_plan(world))
    before = len(outbox())
    two_days_before = utc(2027, 3, 14, 10)  # the 16 March 09:00 session is due
    assert queue_due_reminders(now=two_days_before) == 4  # Ana and three learners
    assert queue_due_reminders(now=two_days_before + timedelta(hours=1)) == 0
    reminders = outbox()[before:]
    assert {row.recipient for row in reminders} == {"ana@example.com", *LONDON_LEARNERS}
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


@pytest.mark.slow
def test_publishing_a_demo_plan_sends_one_single_uid_message_per_person_and_session(
    app, monkeypatch
):
    """The whole demo organisation, planned by the greedy planner and published (about a
    minute): one REQUEST per person and session, a summary for each person with several,
    and every calendar passes every parser and the iTIP rules."""
    from collections import Counter

    from sqlalchemy import select

    from scheduler.demo import load_demo
    from scheduler.models import PlanningPeriod, Role, User, VersionOrigin
    from scheduler.planning.mapping import period_problem
    from scheduler.planning.publishing import publish
    from scheduler.planning.versions import store_version
    from solver.greedy import greedy
    from solver.validate import parse_problem
    from tests.test_demo import TODAY

    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    with app.app_context():
        load_demo(today=TODAY)
        db.session.commit()
        period = db.session.scalar(select(PlanningPeriod))
        coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
        problem = period_problem(period)
        parsed, errors = parse_problem(problem)
        assert errors == []
        draft = store_version(period, problem, greedy(parsed), origin=VersionOrigin.SOLVE)
        db.session.commit()
        publish(draft, coordinator)
        pairs = Counter()  # sessions per attendee address
        for section in published_version(period).sections:
            for session in section.sessions:
                pairs[session.facilitator.user.email] += 1
                for seat in section.seats:
                    pairs[seat.learner.email] += 1
        rows = outbox()
        assert check_outbox(rows) == {
            "REQUEST": sum(pairs.values()),
            "": sum(1 for count in pairs.values() if count > 1),
        }
        assert sum(pairs.values()) > 3000
