"""A coordinator reviews a draft in a real browser: the FullCalendar calendar (served from
node_modules, under the CSP) shows the sessions by week and by month, loads them by visible
range, filters them, opens a side panel on a click, names weekdays in the month's headers, and
gives each session's time in its site's zone while the grid shows the zone chosen. Dragging a
session against the real server is in test_review_drag_browser.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from scheduler.extensions import db
from scheduler.models import Role
from scheduler.vendor import vendor_ready
from tests.browser.test_review_drag_browser import drag
from tests.drafts import first_plan, spring_organisation, store_draft
from tests.factories import PASSWORD, create_user
from tests.test_review_calendar import two_zone_year


def open_review(live_server, browser, make_version=None, **page_options):
    """The review page of the spring draft (or of the version ``make_version()`` stores and
    returns the id of), signed in as the coordinator; (page, console errors)."""
    with live_server.app.app_context(), live_server.app.test_request_context():
        if not vendor_ready("fullcalendar/index.global.min.js"):
            pytest.fail("FullCalendar is not installed: run scripts/install-assets (npm ci)")
        create_user(Role.COORDINATOR, email="cora@example.com", name="Cora Lind")
        if make_version is None:
            period, found = spring_organisation()
            version_id = store_draft(period, first_plan(found)).id
        else:
            version_id = make_version()
        db.session.commit()
        url = f"{live_server.url}/planning/versions/{version_id}"
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, **page_options)
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
        "2027-03-17 09:00–11:00 Europe/London (GMT)"
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


@pytest.mark.browser
def test_each_session_reads_in_its_sites_zone_and_the_grid_in_the_chosen_one(live_server, browser):
    # The browser's own zone (Tokyo) changes nothing but adds itself to the zone choices.
    page, console_errors = open_review(
        live_server, browser, two_zone_year, timezone_id="Asia/Tokyo"
    )
    calendar = page.locator("#calendar")

    def event(key):
        return calendar.locator(".fc-timegrid-event", has_text=f"{key} (1)")

    # Week of 8 March: both countries on winter time; 09:00 in London and New York are 5 h apart
    # on the grid (London's zone).
    expect(event("L1")).to_contain_text("09:00–11:00 Europe/London (GMT)")
    expect(event("N1")).to_contain_text("09:00–11:00 America/New_York (EST)")
    assert (grid_row(page, event("L1")), grid_row(page, event("N1"))) == ("09:00", "14:00")
    # Week of 15 March: New York has changed its clocks, London not yet: 4 h apart.
    page.locator(".fc-next-button").click()
    expect(event("N2")).to_contain_text("09:00–11:00 America/New_York (EDT)")
    expect(event("L2")).to_contain_text("09:00–11:00 Europe/London (GMT)")
    expect(event("V1")).to_contain_text(
        "15:00–16:00 Europe/London (GMT) · virtual, in the calendar's zone"
    )
    assert (grid_row(page, event("L2")), grid_row(page, event("N2"))) == ("09:00", "13:00")
    event("N2").click()
    when = page.locator('#session-panel [data-field="when"]')
    expect(when).to_have_text(
        "2027-03-16 09:00–11:00 America/New_York (EDT); 13:00–15:00 Europe/London on the calendar"
    )

    # The grid in New York's zone: N2 sits at 09:00, London's 09:00 four hours before it, and
    # each label still says the time where the session happens.
    zone = page.get_by_label("Calendar's time zone")
    expect(zone.locator("option")).to_have_text(
        [
            "Europe/London (the period's zone, London)",
            "America/New_York (New York)",
            "Asia/Tokyo (your browser's zone)",
        ]
    )
    zone.select_option("America/New_York")
    expect(event("V1")).to_contain_text("11:00–12:00 America/New_York (EDT) · virtual")
    assert (grid_row(page, event("L2")), grid_row(page, event("N2"))) == ("05:00", "09:00")
    expect(event("L2")).to_contain_text("09:00–11:00 Europe/London (GMT)")
    # The open panel follows: the grid's time is now the site's, said once.
    expect(when).to_have_text("2027-03-16 09:00–11:00 America/New_York (EDT)")
    event("L2").click()
    expect(when).to_have_text(
        "2027-03-16 09:00–11:00 Europe/London (GMT); 05:00–07:00 America/New_York on the calendar"
    )
    # The choice is kept for the period in this browser.
    page.reload()
    expect(calendar).to_have_attribute("data-loaded", "true")
    expect(zone).to_have_value("America/New_York")
    assert grid_row(page, event("L1")) == "04:00"

    # A drop reads the grid's zone: New York's 09:00 on Wednesday 10 March is 14:00 UTC (in
    # London's zone it would have been 09:00 UTC). Whether the move is allowed is not the point.
    with page.expect_request("**/move.json") as sent:
        drag(page, event("N1"), calendar.locator('.fc-timegrid-col[data-date="2027-03-10"]'))
    assert sent.value.post_data_json["start"] == "2027-03-10T14:00:00Z"
    expect(page.locator("#calendar-status")).not_to_have_text(re.compile("Moving"))
    assert [e for e in console_errors if "status of 422" not in e] == []


def grid_row(page, event) -> str:
    """The time of the week grid's half-hour row that ``event`` starts in ("09:00")."""
    top = event.bounding_box()["y"]
    lanes = page.locator("#calendar .fc-timegrid-slot-lane").evaluate_all(
        "lanes => lanes.map(lane => [lane.dataset.time, lane.getBoundingClientRect().top])"
    )
    # Both are measured from the top of the viewport.
    time, _ = min(lanes, key=lambda lane: abs(lane[1] - top))
    return time[:5]
