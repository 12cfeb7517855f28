"""A coordinator drags a session on the review calendar of a real draft, end to end: the page
posts to the real move.json, whose checker accepts the move (a new draft holds it, and shows
the session at its new time) or refuses it (the session goes back, and the reason names the
session in the way by its program's, section's and room's names, numbered from 1)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import ScheduledSection, ScheduledSession, ScheduleVersion
from scheduler.vendor import vendor_ready
from tests.factories import PASSWORD
from tests.schedule_factories import Placed
from tests.test_adjustments import COORDINATOR, Plan, utc

WEDNESDAY, THURSDAY = "2027-03-03", "2027-03-04"


def open_plan(live_server, browser, arrange=None):
    """The review page of the adjustments tests' March draft (``arrange(plan)`` may change its
    sections first), signed in as its coordinator; (page, plan's period id, console errors)."""
    with live_server.app.app_context(), live_server.app.test_request_context():
        if not vendor_ready("fullcalendar/index.global.min.js"):
            pytest.fail("FullCalendar is not installed: run scripts/install-assets (npm ci)")
        plan = Plan()
        if arrange is not None:
            arrange(plan)
        version = plan.draft()
        url = f"{live_server.url}/planning/versions/{version.id}"
        period_id = plan.period.id
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    console_errors = []

    def on_console(message):
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            console_errors.append(message.text)

    page.on("console", on_console)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(url)
    expect(page.locator("#calendar")).to_have_attribute("data-loaded", "true")
    return page, period_id, console_errors


def drag(page, event, column) -> None:
    """Drag ``event`` sideways into ``column`` (same time of day), as a mouse would."""
    event.scroll_into_view_if_needed()
    source, target = event.bounding_box(), column.bounding_box()
    x, y = source["x"] + source["width"] / 2, source["y"] + 10
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, y, steps=20)
    page.mouse.up()


def column(page, day: str):
    return page.locator(f'#calendar .fc-timegrid-col[data-date="{day}"]')


def sessions_of(version_number: int) -> dict[tuple[str, int], object]:
    """(section, session number from 1) → UTC start of that version's sessions."""
    rows = db.session.execute(
        select(ScheduledSection.key, ScheduledSession.position, ScheduledSession.start)
        .join(ScheduledSession.section)
        .join(ScheduledSection.version)
        .where(ScheduleVersion.number == version_number)
    )
    return {(key, position + 1): start for key, position, start in rows}


@pytest.mark.browser
def test_a_drag_the_server_accepts_makes_a_draft_with_the_session_at_its_new_time(
    live_server, browser
):
    page, _, console_errors = open_plan(live_server, browser)
    sent = []
    page.on(
        "request",
        lambda request: sent.append(request) if request.url.endswith("/move.json") else None,
    )
    calendar = page.locator("#calendar")
    shown_version = int(calendar.get_attribute("data-period-version"))
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # S1's second session, Wednesday 3 March 09:00 (GMT) with Ana in Thames, to Thursday: Ana
    # teaches Thursdays, Thames is free and the 3 days after the first session are within the
    # program's gaps.
    s1 = calendar.locator(".fc-event", has_text="S1 (2)")
    expect(column(page, WEDNESDAY).locator(".fc-event", has_text="S1 (2)")).to_have_count(1)
    drag(page, s1, column(page, THURSDAY))

    status = page.locator("#calendar-status")
    expect(status).to_have_text(
        "Session moved: draft version 2 made and the session pinned. Open draft version 2."
    )
    expect(status).to_have_class("calendar-status")
    moved = column(page, THURSDAY).locator(".fc-event", has_text="S1 (2)")
    expect(moved).to_contain_text("09:00–11:00 Europe/London (GMT)")
    assert sent[0].post_data_json == {
        "start": "2027-03-04T09:00:00Z",
        "period_version": shown_version,
    }
    assert sent[0].headers["x-csrftoken"] == token
    with live_server.app.app_context():
        assert sessions_of(2)[("S1", 2)] == utc(2027, 3, 4, 9)
        assert sessions_of(1)[("S1", 2)] == utc(2027, 3, 3, 9)  # the reviewed draft is kept

    # The new draft's own calendar shows the session on Thursday, and nothing left on Wednesday.
    status.get_by_role("link", name="Open draft version 2.").click()
    expect(page.locator("#calendar")).to_have_attribute("data-loaded", "true")
    expect(page.locator("h1")).to_contain_text("2")
    now = column(page, THURSDAY).locator(".fc-event", has_text="S1 (2)")
    expect(now).to_contain_text("09:00–11:00 Europe/London (GMT)")
    expect(column(page, WEDNESDAY).locator(".fc-event", has_text="S1 (2)")).to_have_count(0)
    assert console_errors == []


def s2_meets_thursday_in_thames(plan: Plan) -> None:
    """S2's second session on Thursday 4 March 09:00 with Ben in Thames, where a drag of S1's
    second session to Thursday would put it too."""
    plan.sections[1] = Placed(
        "S2",
        [(plan.cohort_b, 3)],
        [(utc(2027, 3, 1, 13), plan.ben, plan.room_2), (utc(2027, 3, 4, 9), plan.ben, plan.room_1)],
    )


@pytest.mark.browser
def test_a_drag_the_server_refuses_goes_back_naming_the_session_in_the_way(live_server, browser):
    page, _, console_errors = open_plan(live_server, browser, s2_meets_thursday_in_thames)
    calendar = page.locator("#calendar")
    s1 = calendar.locator(".fc-event", has_text="S1 (2)")
    drag(page, s1, column(page, THURSDAY))

    status = page.locator("#calendar-status")
    expect(status).to_have_class("calendar-status refused")
    expect(status).to_have_text(
        "Security basics · S1 (2) was not moved: Room Thames is taken by Security basics "
        "section S2, session 2, Thu 4 Mar 09:00–11:00 (Europe/London)."
    )
    # Back on Wednesday; Thursday holds only S2's session.
    expect(column(page, WEDNESDAY).locator(".fc-event", has_text="S1 (2)")).to_have_count(1)
    thursday = column(page, THURSDAY).locator(".fc-event")
    expect(thursday).to_have_count(1)
    expect(thursday).to_contain_text("S2 (2)")
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count(ScheduleVersion.id))) == 1  # nothing saved
    # Chromium logs every 4xx answer; the refusal's 422 is the only error expected.
    assert [e for e in console_errors if "status of 422" not in e] == []
