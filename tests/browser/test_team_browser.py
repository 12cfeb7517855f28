"""A manager signs in and sees the team's training hours as a bar chart (Chart.js, served from
node_modules under the CSP) drawn on the page; the coordinator's cost model chart draws too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scheduler.vendor import vendor_ready
from tests.factories import PASSWORD
from tests.report_world import make_report_world

# True when some pixel of the canvas is not transparent: Chart.js really drew on it.
CANVAS_DRAWN = """(id) => {
  const canvas = document.getElementById(id);
  const { width, height } = canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }
  return false;
}"""


def _sign_in(page, url: str, email: str) -> list[str]:
    errors: list[str] = []  # a script blocked by the CSP shows up here

    def on_console(message):
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(message.text)

    page.on("console", on_console)
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return errors


@pytest.mark.browser
def test_manager_sees_the_chart_of_team_training_hours(live_server, browser):
    with live_server.app.app_context(), live_server.app.test_request_context():
        if not vendor_ready("chart.js/dist/chart.umd.js"):
            pytest.fail("Chart.js is not installed: run scripts/install-assets (npm ci)")
        make_report_world()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = _sign_in(page, live_server.url, "grace@example.com")
    page.get_by_role("navigation").get_by_role("link", name="Team training").click()
    page.goto(f"{live_server.url}/team/training?start=2027-01-11")
    chart = page.locator("#team-chart")
    expect(chart).to_have_attribute("data-rendered", "yes")
    assert page.evaluate(CANVAS_DRAWN, "team-chart")
    expect(page.locator("#team-total-hours")).to_have_text("10.5")
    expect(page.locator("#team-table")).not_to_contain_text("Paul Roy")
    assert errors == []


@pytest.mark.browser
def test_coordinator_sees_the_cost_model_chart(live_server, browser):
    with live_server.app.app_context(), live_server.app.test_request_context():
        make_report_world()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = _sign_in(page, live_server.url, "coordinator@example.com")
    page.goto(f"{live_server.url}/reports/cost-model")
    expect(page.locator("#cost-model-chart")).to_have_attribute("data-rendered", "yes")
    assert page.evaluate(CANVAS_DRAWN, "cost-model-chart")
    assert errors == []
