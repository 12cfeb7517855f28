"""A coordinator moves a session with the move assistant in a real browser: opens a section's
alternatives from the sessions page, picks one, sees what changes, confirms, and lands on the
new draft with the session moved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.test_adjustments import COORDINATOR, Plan


@pytest.mark.browser
def test_coordinator_picks_an_alternative_sees_the_change_and_confirms(live_server, browser):
    with live_server.app.app_context():
        plan = Plan()
        version = plan.draft()
        url = f"{live_server.url}/planning/versions/{version.id}/sessions"
        ana = plan.ana.name
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(url)

    # Section S1, session 2 (Wednesday 3 March 09:00 with Ana in Thames): its alternatives.
    page.locator("table.sessions").first.locator("tbody tr").nth(1).get_by_role(
        "link", name="Alternatives"
    ).click()
    expect(page.locator("h1")).to_have_text("Alternatives for Security basics section S1 session 2")
    rows = page.locator("table.alternatives tbody tr")
    expect(rows.first).to_be_visible()
    # The best-ranked alternative that changes the time (others may change only the room).
    first = rows.filter(has=page.locator("td", has_text="time")).first
    chosen_start = first.locator("td").first.inner_text()
    first.get_by_role("link", name="Choose").click()

    expect(page.locator("h1")).to_have_text("Move Security basics section S1 session 2?")
    diff = page.locator("table.diff")
    expect(diff).to_contain_text("Wed 03 Mar 2027 09:00 GMT")  # now
    expect(diff).to_contain_text(chosen_start)  # after the move
    expect(page.locator("#move-summary")).to_contain_text("people get an updated calendar")
    page.get_by_role("button", name="Make this move").click()

    expect(page.locator("body")).to_contain_text(
        "Session moved: draft version 2 made and the session pinned."
    )
    expect(page.locator("h1")).to_contain_text("Sessions of version 2")
    moved = page.locator("table.sessions").first.locator("tbody tr").nth(1)
    expect(moved).to_contain_text(chosen_start)
    expect(moved).not_to_contain_text("Wed 03 Mar 2027 09:00")
    expect(moved).to_contain_text(ana)
    expect(moved).to_contain_text("pinned")
