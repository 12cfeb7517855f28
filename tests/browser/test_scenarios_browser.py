"""What-if scenarios in a real browser: from the period page, create a scenario, move every
deadline and add a hypothetical facilitator, solve it on the embedded worker, compare it with the
current plan (table and charts), and promote it: the changes become real and its plan a draft."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.jobs.worker import start_embedded_worker, stop_embedded_worker
from scheduler.models import Cohort, Facilitator, Role, ScheduleVersion, Site
from tests.factories import PASSWORD, create_user
from tests.solve_worlds import small_period


@pytest.fixture
def world(live_server):
    with live_server.app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        period = small_period(time_limit=5)
        site = db.session.scalar(select(Site))
        names = {"period": period.name, "site": site.name}
        db.session.commit()
    consumer = start_embedded_worker(live_server.app)
    try:
        yield live_server, names
    finally:
        stop_embedded_worker(consumer)


def test_create_change_solve_compare_promote(world, browser):
    server, names = world
    page = browser.new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill("coordinator@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("header nav").get_by_role("link", name="Planning").click()
    page.get_by_role("link", name=names["period"]).click()

    page.locator("#scenarios-link").get_by_role("link", name="Scenarios").click()
    page.get_by_label("Scenario name").fill("Sooner, with a hire")
    page.get_by_role("button", name="Create scenario").click()
    expect(page.locator("h1")).to_have_text("Scenario: Sooner, with a hire")

    page.get_by_role("link", name="Move a deadline").click()
    page.get_by_label("Cohort").select_option(label="Every cohort")
    page.get_by_label("Days (negative: earlier)").fill("0")
    page.get_by_role("button", name="Move deadline").click()
    # A field error, and nothing saved; then a valid value.
    expect(page.locator(".error")).to_contain_text("Move the deadline by at least one day.")
    page.get_by_label("Days (negative: earlier)").fill("-3")
    page.get_by_role("button", name="Move deadline").click()
    expect(page.locator("#changes")).to_contain_text("Move every deadline 3 days earlier")

    page.get_by_role("link", name="Add a facilitator").click()
    page.get_by_label("Name").fill("Jo Newhire")
    page.get_by_label("security").check()
    page.get_by_label("Home site").select_option(label=names["site"])
    page.get_by_label("Hourly rate").fill("55")
    page.get_by_label("From").fill("09:00")
    page.get_by_label("To").fill("17:00")
    page.get_by_role("button", name="Add facilitator").click()
    expect(page.locator("#changes li")).to_have_count(2)
    expect(page.locator("#changes")).to_contain_text("Jo Newhire")

    page.get_by_role("button", name=re.compile(r"^Solve")).click()
    # The page refreshes itself until the worker has solved and checked the scenario.
    expect(page.locator("#scenario-status")).to_contain_text("solved", timeout=180_000)
    expect(page.locator("#scenario-result")).to_contain_text("Learners trained by their deadline")

    page.get_by_role("link", name="Compare with the current plan").click()
    table = page.locator("#comparison")
    expect(table.locator("thead")).to_contain_text("Sooner, with a hire")
    expect(table).to_contain_text("Cost per trained learner")
    expect(page.locator("#scenario-money-chart")).to_have_attribute("data-rendered", "yes")
    expect(page.locator("#scenario-learners-chart")).to_have_attribute("data-rendered", "yes")

    page.go_back()
    page.get_by_role("link", name="Promote…").click()
    boxes = page.locator("input[name=confirmed]")
    expect(boxes).to_have_count(2)
    expect(page.locator("#promote-form")).to_contain_text("placeholder")
    boxes.nth(0).check()
    page.get_by_role("button", name="Promote: make these changes real").click()
    expect(page.locator(".error")).to_contain_text("not confirmed: 2")
    page.locator("input[name=confirmed]").nth(1).check()
    page.get_by_role("button", name="Promote: make these changes real").click()
    expect(page.locator("body")).to_contain_text("the scenario's plan is draft version 1")

    with server.app.app_context():
        assert {c.deadline for c in db.session.scalars(select(Cohort))} == {date(2027, 3, 23)}
        placeholder = db.session.scalar(
            select(Facilitator).where(Facilitator.key == "new-jo-newhire")
        )
        assert placeholder.user.name == "Jo Newhire (placeholder)"
        assert db.session.scalar(select(ScheduleVersion)).note == (
            "from scenario Sooner, with a hire"
        )
