"""A learner's calendar feed and download show their follow-up steps as short events."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from scheduler.calendars.ics import calendar_bytes
from scheduler.calendars.operations import issue_feed
from scheduler.calendars.util import organizer
from scheduler.extensions import db
from scheduler.followups.calendar import follow_up_events
from scheduler.followups.delivery import send_due_nudges
from scheduler.followups.learning import Submission, record_submission
from scheduler.models import FeedKind, FollowUpStep, StepKind, StepStatus
from tests.calendar_world import check_calendar
from tests.drafts import utc
from tests.followup_world import follow_up_world, publish_plan, steps_of
from tests.test_followups import FIRST, LAST


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _world(app) -> dict:
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))
        first = steps_of(w["new_york"])[0]
        question = first.lesson.questions[0]
        record_submission(first, Submission(chosen={question.id: {0}}), utc(2027, 3, 11, 17))
        _feed, token = issue_feed(FeedKind.LEARNER, w["new_york"], w["coordinator"])
        steps = {s.id: (s.day_offset, s.kind, s.status, s.due_at) for s in steps_of(w["new_york"])}
        return {"token": token, "steps": steps, "learner_id": w["new_york"].id}


def test_a_learners_feed_shows_each_follow_up_step_at_its_time_in_their_zone(app, client):
    world = _world(app)
    response = client.get(f"/feeds/{world['token']}.ics")
    assert response.status_code == 200
    events = _events(response.data)
    steps = world["steps"]
    shown = {
        f"follow-up-step-{step_id}@cohort-scheduler": step
        for step_id, step in steps.items()
        if step[1] != StepKind.REVIEW  # a review not yet sent may never happen
    }
    assert set(shown) <= set(events)
    assert len([uid for uid in events if uid.startswith("follow-up-step-")]) == len(shown) == 8
    new_york = ZoneInfo("America/New_York")
    for uid, (day, kind, _status, due) in shown.items():
        event = events[uid]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start == due and start.tzinfo.key == "America/New_York"
        assert start.astimezone(new_york).hour == 10
        minutes = 5 if kind == StepKind.LESSON else 3
        assert end - start == timedelta(minutes=minutes)
        assert f"({minutes} min)" in str(event["SUMMARY"])
        assert f"day {day}:" in str(event["DESCRIPTION"])
    day_1 = next(uid for uid, step in shown.items() if step[0] == 1)
    assert str(events[day_1]["SUMMARY"]) == "Follow-up: Lesson 1 (5 min)"
    assert "Done, thank you." in str(events[day_1]["DESCRIPTION"])
    # The workshop's own sessions are still there.
    assert any(uid.startswith("period-") for uid in events)


def test_withdrawn_steps_leave_the_feed_and_a_sent_review_joins_it(app, client):
    world = _world(app)
    with app.app_context():
        steps = db.session.scalars(
            select(FollowUpStep).where(FollowUpStep.learner_id == world["learner_id"])
        ).all()
        day_3 = next(s for s in steps if s.day_offset == 3)
        review = next(s for s in steps if s.kind == StepKind.REVIEW)
        day_3.status = StepStatus.WITHDRAWN
        review.status = StepStatus.SENT
        db.session.commit()
        day_3_uid = f"follow-up-step-{day_3.id}@cohort-scheduler"
        review_uid = f"follow-up-step-{review.id}@cohort-scheduler"
    events = _events(client.get(f"/feeds/{world['token']}.ics").data)
    assert day_3_uid not in events
    assert str(events[review_uid]["SUMMARY"]) == "Follow-up: Quick review (3 min)"


def test_the_coordinators_learner_download_shows_the_steps_too(app, client, auth):
    world = _world(app)
    auth.login("coord@example.com")
    response = client.get(f"/calendars/learners/{world['learner_id']}.ics")
    assert response.status_code == 200
    uids = set(_events(response.data))
    assert {f"follow-up-step-{step_id}@cohort-scheduler" for step_id in world["steps"]} - uids
    assert len([uid for uid in uids if uid.startswith("follow-up-step-")]) == 8


def test_steps_are_free_time_with_no_alarm_and_a_redated_step_raises_its_sequence(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        learner = w["new_york"]
        before = {event.uid: event for event in follow_up_events(learner.id)}
        publish_plan(w, FIRST, LAST + timedelta(days=7))  # the steps move a week later
        after = {event.uid: event for event in follow_up_events(learner.id)}
        assert set(after) == set(before) and len(after) == 8
        for uid, event in after.items():
            # A week later on the learner's clock (New York's clocks go forward on 14 March).
            moved = event.start.astimezone(ZoneInfo("America/New_York"))
            was = before[uid].start.astimezone(ZoneInfo("America/New_York"))
            assert moved.replace(tzinfo=None) - was.replace(tzinfo=None) == timedelta(days=7)
            assert (before[uid].sequence, event.sequence) == (0, 1)
        # Steps are dated from a workshop still to come, so LAST-MODIFIED would be after DTSTAMP
        # without the clamp; check_calendar refuses that.
        body = calendar_bytes(list(after.values()), zone=learner.timezone, organizer=organizer())
        calendar = check_calendar(body)
        for event in calendar.walk("VEVENT"):
            assert event["TRANSP"] == "TRANSPARENT" and event.walk("VALARM") == []
            assert event["SEQUENCE"] == 1
