"""A facilitator enters availability in a real browser and sees it in the preview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from scheduler.availability.util import WEEKDAYS, local_today
from scheduler.extensions import db
from scheduler.models import Role
from tests.factories import PASSWORD, create_facilitator, create_user


@pytest.mark.browser
def test_facilitator_enters_weekly_hours_and_leave_and_sees_them(live_server, browser, tmp_path):
    with live_server.app.app_context():
        user = create_user(Role.FACILITATOR, email="ana@example.com", name="Ana Duarte")
        create_facilitator(user=user, timezone="Europe/Paris")
        db.session.commit()
    today = local_today("Europe/Paris")
    tomorrow = today + timedelta(days=1)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    console_errors = []  # a blocked script or style (CSP) shows up here

    def on_console(message):
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            console_errors.append(message.text)

    page.on("console", on_console)

    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation").get_by_role("link", name="My availability").click()
    expect(page.get_by_role("heading", name="My availability")).to_be_visible()
    expect(page.locator(".zone-note")).to_have_text("Times are in Europe/Paris.")

    page.get_by_label(WEEKDAYS[today.weekday()], exact=True).fill("09:00-12:00, 13:00-17:00")
    page.get_by_label("Blocked periods (leave) row 1 from").fill(f"{tomorrow.isoformat()}T00:00")
    page.get_by_label("Blocked periods (leave) row 1 until").fill(
        f"{(tomorrow + timedelta(days=1)).isoformat()}T00:00"
    )
    page.get_by_label("Blocked periods (leave) row 1 note").fill("Dentist")
    blocked_rows = page.locator("fieldset", has_text="Blocked periods (leave)").locator(
        "tr[data-row]"
    )
    expect(blocked_rows).to_have_count(2)
    page.locator("fieldset", has_text="Blocked periods (leave)").get_by_role(
        "button", name="Add a row"
    ).click()  # the page script runs under the CSP
    expect(blocked_rows).to_have_count(3)
    page.get_by_role("button", name="Save availability").click()

    expect(page.get_by_role("status").first).to_have_text("Availability saved.")
    today_row = page.locator(f'tr[data-date="{today.isoformat()}"]')
    expect(today_row.locator(".range-available")).to_have_text(["09:00–12:00", "13:00–17:00"])
    tomorrow_row = page.locator(f'tr[data-date="{tomorrow.isoformat()}"]')
    expect(tomorrow_row.locator(".range-blocked")).to_have_text(["00:00–24:00 · Dentist"])
    expect(tomorrow_row.locator(".range-available")).to_have_count(0)
    expect(page.get_by_label("Blocked periods (leave) row 1 note")).to_have_value("Dentist")
    page.screenshot(path=str(tmp_path / "availability.png"), full_page=True)
    assert console_errors == []
