"""A coordinator asks "how many facilitators do I need?" in a real browser: fills one row of the
pool, runs the plan and reads the answer, its cost and its sensitivity table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scheduler.models import Role
from tests.factories import PASSWORD, create_user
from tests.test_capacity_pages import make_period


@pytest.mark.browser
def test_coordinator_plans_capacity_and_reads_the_answer(live_server, browser):
    app = live_server.app
    # The plan runs inside the request that queues it; the sensitivity re-solves are short.
    app.config.update(
        JOBS_IMMEDIATE=True, CAPACITY_SENSITIVITY_SECONDS=1.0, CAPACITY_SENSITIVITY_FACILITATORS=1
    )
    with app.app_context():
        create_user(Role.COORDINATOR, email="lead@example.com")
        period_id = make_period()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("lead@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/planning/{period_id}")
    page.get_by_role("link", name="Capacity planning").click()

    page.locator('select[name="rows-0-skill"]').select_option("security")
    page.locator('select[name="rows-0-site"]').select_option(label="Manchester")
    page.locator('input[name="rows-0-count"]').fill("2")
    page.locator('input[name="rows-0-weekly_hours"]').fill("40")
    page.locator('input[name="rows-0-hourly_rate"]').fill("50")
    page.locator('input[name="rows-0-weekly_cost"]').fill("500")
    page.locator('input[name="rows-0-onboarding_cost"]').fill("1000")
    page.get_by_label("Time limit (seconds)").fill("10")
    page.get_by_role("button", name="Plan capacity").click()

    expect(page.locator("#headline")).to_contain_text("1 hire: 1 × security at Manchester")
    hire = page.locator("#hires tbody tr")
    expect(hire).to_have_count(1)
    expect(hire.locator("td").nth(2)).to_have_text("Manchester")
    expect(hire.locator("td").nth(6)).to_have_text("1,000.00")
    expect(page.locator('[data-cost="unscheduled"]')).to_have_text("0.00")
    expect(page.locator("#plan-summary")).to_contain_text("8 learners placed")
    rows = page.locator("#sensitivity tbody tr")
    expect(rows.first).to_contain_text("every deadline one week later")
    expect(rows).to_have_count(4)  # two deadline rows, without / one more like the busiest
