"""The review calendar shades a site's public holidays (background events) in a real browser,
and its facilitator filter keeps them with that site's sessions only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scheduler.extensions import db
from scheduler.models import Role
from scheduler.vendor import vendor_ready
from tests.drafts import first_plan, spring_organisation, store_draft
from tests.factories import PASSWORD, create_user


@pytest.mark.browser
def test_the_review_calendar_shades_good_friday_at_the_london_site(live_server, browser):
    with live_server.app.app_context(), live_server.app.test_request_context():
        if not vendor_ready("fullcalendar/index.global.min.js"):
            pytest.fail("FullCalendar is not installed: run scripts/install-assets (npm ci)")
        create_user(Role.COORDINATOR, email="cora@example.com", name="Cora Lind")
        period, found = spring_organisation()
        london = found["first"].site
        london.country, london.subdivision = "GB", "ENG"  # Good Friday is 26 March 2027
        version = store_draft(period, first_plan(found))
        db.session.commit()
        london_name = london.name
        url = f"{live_server.url}/planning/versions/{version.id}"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    console_errors = []
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.location["url"].endswith("/favicon.ico")
            and console_errors.append(m.text)
        ),
    )
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("cora@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(url)

    calendar = page.locator("#calendar")
    expect(calendar).to_have_attribute("data-loaded", "true")
    # The week of 15 March: S1 on Tuesday, S2 on Wednesday (sessions only, not holidays).
    expect(calendar).to_have_attribute("data-shown", "2")
    closed = calendar.locator(".fc-bg-event.closed-day")
    expect(closed).to_have_count(0)  # the week of 15 March has no holiday
    expect(calendar.locator(".fc-event:not(.fc-bg-event)").first).to_contain_text("09:00")

    page.locator(".fc-next-button").click()  # the week of 22 March
    expect(closed).to_have_count(1)
    expect(closed.first).to_contain_text("Good Friday")
    expect(closed.first).to_have_attribute("title", f"Good Friday · {london_name}")

    page.get_by_label("Facilitator").select_option(label="Ben Okafor")  # at home in Leeds
    expect(closed).to_have_count(0)
    page.get_by_label("Facilitator").select_option(label="Ana Duarte")  # at home in London
    expect(closed).to_have_count(1)
    assert console_errors == []
