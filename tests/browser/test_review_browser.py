"""A coordinator reviews a draft in a real browser: the FullCalendar calendar (served from
node_modules, under the CSP) shows the sessions by week and by month, and filters them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scheduler.extensions import db
from scheduler.models import Role
from scheduler.vendor import vendor_ready
from tests.drafts import first_plan, spring_organisation, store_draft
from tests.factories import PASSWORD, create_user


@pytest.mark.browser
def test_coordinator_sees_the_drafts_sessions_by_week_and_month_and_by_facilitator(
    live_server, browser, tmp_path
):
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

    calendar = page.locator("#calendar")
    expect(calendar).to_have_attribute("data-loaded", "true")
    # The week of 15 March: S1 on Tuesday (Ana), S2 on Wednesday (Ben), at 09:00 London time.
    events = calendar.locator(".fc-event")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Fire safety · S1 (1)")
    expect(events.first).to_contain_text("Ana Duarte · Thames room")
    expect(events.first).to_contain_text("09:00")

    page.get_by_role("button", name="Month").click()
    expect(calendar.locator(".fc-dayGridMonth-view")).to_be_visible()
    expect(events).to_have_count(4)  # 16, 17, 24 and 30 March

    page.get_by_label("Show").select_option(label="Ben Okafor")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Ben Okafor · Aire room")
    page.get_by_label("Show").select_option(label="Thames room (London)")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Ana Duarte")

    page.get_by_role("button", name="Week").click()
    expect(calendar.locator(".fc-timeGridWeek-view")).to_be_visible()
    page.get_by_label("Show").select_option(label="Every session")
    expect(events).to_have_count(2)
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    assert console_errors == []
