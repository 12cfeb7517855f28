"""A coordinator reviews a draft in a real browser: the FullCalendar calendar (served from
node_modules, under the CSP) shows the sessions by week and by month, loads them by visible
range, filters them, opens a side panel on a click, names weekdays in the month's headers, and
puts a refused drag back with the server's reason."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Role
from scheduler.vendor import vendor_ready
from tests.drafts import first_plan, spring_organisation, store_draft
from tests.factories import PASSWORD, create_user

REFUSAL = "Ben Okafor teaches Fire safety S2, session 1 in the Aire room at that time."


def open_review(live_server, browser):
    """The review page of the spring draft, signed in as the coordinator; (page, console errors)."""
    with live_server.app.app_context(), live_server.app.test_request_context():
        if not vendor_ready("fullcalendar/index.global.min.js"):
            pytest.fail("FullCalendar is not installed: run scripts/install-assets (npm ci)")
        create_user(Role.COORDINATOR, email="cora@example.com", name="Cora Lind")
        period, found = spring_organisation()
        version = store_draft(period, first_plan(found))
        db.session.commit()
        url = f"{live_server.url}/planning/versions/{version.id}"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    console_errors = []  # a script, style or font blocked by the CSP shows up here

    def on_console(message):
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            console_errors.append(message.text)

    page.on("console", on_console)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("cora@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(url)
    expect(page.locator("#calendar")).to_have_attribute("data-loaded", "true")
    return page, console_errors


@pytest.mark.browser
def test_coordinator_sees_the_drafts_sessions_by_week_and_month_and_by_facilitator(
    live_server, browser, tmp_path
):
    page, console_errors = open_review(live_server, browser)
    calendar = page.locator("#calendar")
    # The week of 15 March: S1 on Tuesday (Ana), S2 on Wednesday (Ben), at 09:00 London time.
    events = calendar.locator(".fc-event")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Fire safety · S1 (1)")
    expect(events.first).to_contain_text("Ana Duarte · Thames room")
    expect(events.first).to_contain_text("09:00")

    page.get_by_role("button", name="Month").click()
    expect(calendar.locator(".fc-dayGridMonth-view")).to_be_visible()
    expect(events).to_have_count(4)  # 16, 17, 24 and 30 March

    page.get_by_label("Facilitator").select_option(label="Ben Okafor")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Ben Okafor · Aire room")
    page.get_by_label("Facilitator").select_option(label="Every facilitator")
    page.get_by_label("Room").select_option(label="Thames room (London)")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Ana Duarte")
    page.get_by_label("Site").select_option(label="Leeds")
    expect(events).to_have_count(0)  # the Thames room is in London
    page.get_by_label("Room").select_option(label="Every room")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Aire room")

    page.get_by_label("Site").select_option(label="Every site")
    page.get_by_role("button", name="Week").click()
    expect(calendar.locator(".fc-timeGridWeek-view")).to_be_visible()
    expect(events).to_have_count(2)
    # Coloured by program, as the legend says.
    swatch = page.locator(".calendar-legend li", has_text="Fire safety").locator(".swatch")
    colour = swatch.evaluate("node => getComputedStyle(node).backgroundColor")
    assert events.first.evaluate("node => getComputedStyle(node).backgroundColor") == colour
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    assert console_errors == []


@pytest.mark.browser
def test_month_headers_name_the_weekdays_in_december(live_server, browser):
    page, console_errors = open_review(live_server, browser)
    calendar = page.locator("#calendar")
    page.get_by_role("button", name="Month").click()
    for _ in range(3):  # March 2027 back to December 2026
        page.locator(".fc-prev-button").click()
    expect(calendar.locator(".fc-toolbar-title")).to_have_text("December 2026")
    headers = calendar.locator(".fc-col-header-cell")
    expect(headers).to_have_text(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    # The first cell is Monday 30 November, the last Sunday 10 January.
    days = calendar.locator(".fc-daygrid-day")
    expect(days.first).to_have_attribute("data-date", "2026-11-30")
    expect(days.last).to_have_attribute("data-date", "2027-01-10")
    assert console_errors == []


@pytest.mark.browser
def test_a_click_opens_the_side_panel_of_that_session(live_server, browser):
    page, console_errors = open_review(live_server, browser)
    panel = page.locator("#session-panel")
    expect(panel).to_be_hidden()
    page.locator("#calendar .fc-event", has_text="S2 (1)").click()
    expect(panel).to_be_visible()
    expect(panel.locator("h3")).to_have_text("Fire safety · S2 (1)")
    expect(panel.locator('[data-field="section"]')).to_have_text("S2 (session 1 of 2)")
    expect(panel.locator('[data-field="cohorts"]')).to_have_text("fire-leeds (1)")
    expect(panel.locator('[data-field="learners"]')).to_have_text("1")
    expect(panel.locator('[data-field="facilitator"]')).to_have_text("Ben Okafor")
    expect(panel.locator('[data-field="room"]')).to_have_text("Aire room (Leeds)")
    expect(panel.locator('[data-field="when"]')).to_have_text(
        "2027-03-17 09:00–11:00 Europe/London"
    )
    panel.locator("summary").click()
    expect(panel.locator('[data-field="learnerNames"] li')).to_have_text(["Sam Ito"])
    session_id = panel.evaluate("node => node.dataset.sessionId")
    link = panel.get_by_role("link", name="Alternatives: move this session")
    expect(link).to_have_attribute("href", f"/planning/sessions/{session_id}/move")
    page.locator("#calendar .fc-event", has_text="S1 (1)").click()
    expect(panel.locator('[data-field="section"]')).to_have_text("S1 (session 1 of 2)")
    expect(panel.locator('[data-field="learners"]')).to_have_text("3")
    names = panel.locator('[data-field="learnerNames"] li')
    expect(names).to_have_text(["Léa Martin", "Mo Haddad", "Zoe Price"])
    assert console_errors == []


@pytest.mark.browser
def test_a_refused_drag_goes_back_with_the_reason_and_an_accepted_one_stays(live_server, browser):
    page, console_errors = open_review(live_server, browser)
    # The server's answers (the adjustments area's move.json) are played by the browser here,
    # as its contract says (review-moves.js), and what the page sent is recorded.
    asked = []
    answers = [
        (422, {"accepted": False, "reasons": [REFUSAL], "period_version": 41}),
        (200, {"accepted": True, "message": "Session moved: draft version 2 made and the "
               "session pinned.", "version": {"id": 99, "number": 2}, "period_version": 2}),
    ]  # fmt: skip

    def answer(route):
        asked.append(
            {
                "url": route.request.url,
                "body": route.request.post_data_json,
                "token": route.request.headers.get("x-csrftoken"),
            }
        )
        status, body = answers.pop(0)
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    page.route("**/planning/sessions/*/move.json", answer)
    calendar = page.locator("#calendar")
    s1 = calendar.locator(".fc-event", has_text="S1 (1)")
    expect(calendar.locator('.fc-timegrid-col[data-date="2027-03-16"] .fc-event')).to_have_count(1)
    shown_version = int(calendar.get_attribute("data-period-version"))
    drag(page, s1, calendar.locator('.fc-timegrid-col[data-date="2027-03-18"]'))

    status = page.locator("#calendar-status")
    expect(status).to_have_text(f"Fire safety · S1 (1) was not moved: {REFUSAL}")
    expect(status).to_have_class("calendar-status refused")
    # Back on Tuesday at 09:00, not on Thursday.
    expect(calendar.locator('.fc-timegrid-col[data-date="2027-03-16"] .fc-event')).to_have_count(1)
    expect(calendar.locator('.fc-timegrid-col[data-date="2027-03-18"] .fc-event')).to_have_count(0)
    with live_server.app.app_context():
        from scheduler.models import ScheduledSection, ScheduledSession

        session = db.session.scalars(
            select(ScheduledSession)
            .join(ScheduledSession.section)
            .where(ScheduledSection.key == "S1", ScheduledSession.position == 0)
        ).one()
        token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert asked[0]["url"].endswith(f"/planning/sessions/{session.id}/move.json")
    # Thursday 18 March 09:00 in London is 09:00 UTC (the clocks go forward on the 28th).
    assert asked[0]["body"] == {"start": "2027-03-18T09:00:00Z", "period_version": shown_version}
    assert asked[0]["token"] == token

    # Accepted: the session stays where it was dropped, and the page links the new draft.
    drag(page, s1, calendar.locator('.fc-timegrid-col[data-date="2027-03-19"]'))
    expect(status).to_have_text(
        "Session moved: draft version 2 made and the session pinned. Open draft version 2."
    )
    expect(status).to_have_class("calendar-status")
    expect(status.get_by_role("link")).to_have_attribute("href", "/planning/versions/99")
    expect(calendar.locator('.fc-timegrid-col[data-date="2027-03-19"] .fc-event')).to_have_count(1)
    # The period version the refusal answered with goes with the next move.
    assert asked[1]["body"] == {"start": "2027-03-19T09:00:00Z", "period_version": 41}
    # Chromium logs every 4xx answer; the refusal's 422 is the only error expected.
    assert [e for e in console_errors if "status of 422" not in e] == []


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


@pytest.mark.browser
def test_a_dropped_wall_clock_time_becomes_the_right_utc_instant_across_clock_changes(
    live_server, browser
):
    page, console_errors = open_review(live_server, browser)

    def utc_of(wall: str, zone: str) -> str:
        return page.evaluate(
            "([wall, zone]) => window.ReviewMoves.wallClockToUtc(new Date(wall), zone)",
            [wall, zone],
        )

    assert utc_of("2027-03-18T09:00:00Z", "Europe/London") == "2027-03-18T09:00:00Z"  # GMT
    assert utc_of("2027-03-30T09:00:00Z", "Europe/London") == "2027-03-30T08:00:00Z"  # BST
    assert utc_of("2027-03-30T09:00:00Z", "America/New_York") == "2027-03-30T13:00:00Z"
    # 01:30 on 28 March does not exist in London (01:00 became 02:00): after the gap.
    assert utc_of("2027-03-28T01:30:00Z", "Europe/London") == "2027-03-28T01:30:00Z"
    assert page.evaluate("window.ReviewMoves.moveUrl(159)") == "/planning/sessions/159/move.json"
    assert console_errors == []
