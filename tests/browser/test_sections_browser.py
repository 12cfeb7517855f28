"""A coordinator sees a facilitator's decline on the home page, follows it to the section, records
the facilitator's "yes" given by phone (a real form post, CSRF on) and sets the section's joining
link: the session leaves the list and the invitations are updated."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scheduler.calendars.replies import record_reply
from scheduler.extensions import db
from scheduler.models import InviteRecord, OutboxMessage, ProgramMode, Reply, ReplyChannel
from tests.calendar_world import first_plan, make_world, publish_plan
from tests.drafts import Planned, utc
from tests.factories import PASSWORD, create_cohort, create_program


def _world() -> int:
    w = make_world()
    webinar = create_program(name="Webinar", sessions=(60,), mode=ProgramMode.VIRTUAL)
    cohort = create_cohort(webinar, None, learners=[w["sam"]], key="webinar")
    plan = [Planned("W1", webinar, [(cohort, 1)], [(utc(2027, 3, 18, 15), w["ben"], None)])]
    publish_plan(w, first_plan(w) + plan)
    uid = f"period-{w.period.id}-section-W1-session-0@cohort-scheduler"
    record = db.session.scalar(
        select(InviteRecord).where(
            InviteRecord.uid == uid, InviteRecord.facilitator_id.is_not(None)
        )
    )
    record_reply(record, Reply.DECLINED, ReplyChannel.MAIL)
    db.session.commit()
    return w.period.id


@pytest.mark.browser
def test_a_declined_session_is_decided_from_the_home_page(live_server, browser):
    with live_server.app.app_context():
        period_id = _world()
        sent_before = len(db.session.scalars(select(OutboxMessage.id)).all())
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("coord@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    needs = page.locator("#needs-decision")
    expect(needs).to_contain_text("Ben Okafor declined")
    needs.get_by_role("link", name="section W1").click()
    expect(page).to_have_url(f"{live_server.url}/planning/{period_id}/sections/W1")
    page.get_by_label("Answer of Ben Okafor, session 1").select_option("ACCEPTED")
    page.locator("#answers").get_by_role("button", name="Record").first.click()
    expect(page.locator(".flash-success")).to_have_text("Answer recorded.")
    expect(page.locator("#needs-decision")).to_have_count(0)
    expect(page.locator("#section-counts")).to_have_text("1 accepted · 1 not answered")
    page.get_by_label("Joining link of this section").fill("https://meet.example.com/w1")
    page.get_by_role("button", name="Save joining link").click()
    expect(page.locator(".flash-success")).to_contain_text("2 updates queued")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#needs-decision")).to_have_count(0)
    with live_server.app.app_context():
        sent = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        updates = sent[sent_before:]
        assert sorted(row.recipient for row in updates) == ["ben@example.com", "sam@example.com"]
        assert all("https://meet.example.com/w1" in row.content for row in updates)
