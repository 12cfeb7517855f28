"""What-if scenarios in a real browser: from the period page, create a scenario, move every
deadline and add a hypothetical facilitator, solve it on the embedded worker, compare it with the
current plan (table and charts), and promote it: the changes become real and its plan a draft.
And a long solve: its best cost, bound and gap appear live on the scenario's page, and Cancel
stops it with the best plan found kept as the scenario's result."""

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
from tests.solve_worlds import busy_period, small_period


def sign_in(page, server) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill("coordinator@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def serve(live_server, make_period):
    """A coordinator, the period ``make_period`` makes and the embedded worker (a fixture's
    body): yields the server and the period's and its site's names and the period's id."""
    with live_server.app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        period = make_period()
        site = db.session.scalar(select(Site))
        names = {"period": period.name, "site": site.name, "period_id": period.id}
        db.session.commit()
    consumer = start_embedded_worker(live_server.app)
    try:
        yield live_server, names
    finally:
        stop_embedded_worker(consumer)


@pytest.fixture
def world(live_server):
    yield from serve(live_server, lambda: small_period(time_limit=5))


@pytest.fixture
def busy_world(live_server):
    """A period the solver is still improving after many seconds (a 120 s limit: a loaded
    machine may take a while to show the first cost, and Cancel must come before the end)."""
    yield from serve(live_server, lambda: busy_period(time_limit=120))


def test_create_change_solve_compare_promote(world, browser):
    server, names = world
    page = browser.new_page()
    sign_in(page, server)
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
    # The page follows the solve and reloads once the worker has solved and checked it.
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


def test_a_scenario_solve_shows_its_cost_live_and_cancel_keeps_the_best_plan(busy_world, browser):
    server, names = busy_world
    page = browser.new_page()
    sign_in(page, server)
    page.goto(f"{server.url}/planning/{names['period_id']}/scenarios")
    page.get_by_label("Scenario name").fill("Busy month")
    page.get_by_role("button", name="Create scenario").click()
    page.get_by_role("button", name=re.compile(r"^Solve")).click()

    # Without reloading, the figures fill in as the worker improves the plan.
    progress = page.locator("#job-progress")
    expect(progress.locator('[data-field="status"]')).to_have_text("running", timeout=60_000)
    money = re.compile(r"^\d[\d,]*\.\d\d$")
    expect(progress.locator('[data-field="best_cost"]')).to_have_text(money, timeout=60_000)
    # (The bound and gap follow as soon as the bound is computed: tests/test_scenario_progress.py.)
    expect(progress.locator('[data-field="bound"]')).to_be_visible()
    expect(progress.locator('[data-field="gap"]')).to_be_visible()

    page.get_by_role("button", name="Cancel the solve").click()
    # The solver stops at its next beat; the page reloads with the result it kept.
    expect(page.locator("#scenario-status")).to_contain_text(
        "Cancelled at your request: the result is the best plan found by then.", timeout=30_000
    )
    expect(page.locator("#scenario-result")).to_contain_text("Training cost")
    expect(page.get_by_role("button", name=re.compile(r"^Solve"))).to_be_visible()
