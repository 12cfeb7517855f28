"""A facilitator narrows her week in a real browser: the page names the published session the
change breaks before saving, Enter does not save it, and "Save anyway" does. A coordinator
deleting a room sees the sessions it holds before anything is deleted."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scheduler.availability.util import WEEKDAYS
from scheduler.extensions import db
from scheduler.models import AvailabilityRule, BrokenSession, Room
from tests.factories import PASSWORD
from tests.test_breaks import World


@pytest.mark.browser
def test_facilitator_sees_the_session_her_change_breaks_and_saves_anyway(live_server, browser):
    with live_server.app.app_context():
        World()
        db.session.commit()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/availability")
    page.get_by_label(WEEKDAYS[0], exact=True).fill("13:00-17:00")
    page.get_by_label(WEEKDAYS[2], exact=True).fill("09:00-17:00")
    page.get_by_role("button", name="Save availability").click()

    held = page.get_by_role("alert", name="Published sessions this change breaks")
    expect(held).to_contain_text("This change breaks 1 published session you teach")
    expect(held.locator("li")).to_have_count(1)
    expect(held.locator("li")).to_contain_text(
        re.compile(r"^Winter: Program \d+, section S1 session 1 \(Mon 07 Jan 2030 09:00 GMT\): ")
    )
    expect(held.locator("li")).to_contain_text("is not available Mon 7 Jan 09:00")
    expect(page.get_by_label(WEEKDAYS[0], exact=True)).to_have_value("13:00-17:00")
    # Enter in a field presses the ordinary Save: the change is shown again, not saved.
    page.get_by_label(WEEKDAYS[0], exact=True).press("Enter")
    expect(page.get_by_role("alert", name="Published sessions this change breaks")).to_be_visible()
    with live_server.app.app_context():
        assert db.session.scalars(select(AvailabilityRule)).all() == []

    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_role("status").first).to_have_text("Availability saved.")
    broken = page.get_by_role("region", name="Broken sessions")
    expect(broken).to_contain_text("Your sessions no longer possible")
    expect(broken).to_contain_text("Winter: section S1 session 1")
    with live_server.app.app_context():
        [row] = db.session.scalars(select(BrokenSession)).all()
        assert (row.section_key, row.position) == ("S1", 0)


@pytest.mark.browser
def test_coordinator_deleting_a_room_sees_the_sessions_it_holds_then_deletes_anyway(
    live_server, browser
):
    with live_server.app.app_context():
        world = World()
        db.session.commit()
        room_id, site_id = world.ids["room_1"], world.ids["site"]
        room_name = db.session.get(Room, room_id).name
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("coord@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/sites/{site_id}")
    page.get_by_role("row", name=room_name).get_by_role("link", name="Delete…").click()

    held = page.get_by_role("alert", name="Published sessions this change breaks")
    expect(held).to_contain_text("Nothing was deleted yet. This change breaks 2 published sessions")
    expect(held.locator("li")).to_have_count(2)
    expect(held.locator("li").first).to_contain_text(
        re.compile(r"^Winter: Program \d+, section S1 session 1 \(Mon 07 Jan 2030 09:00 GMT\), ")
    )
    expect(held.locator("li").first).to_contain_text(f"Room {room_name} no longer exists.")
    expect(page.get_by_role("button", name=f"Delete room {room_name}")).to_have_count(0)
    with live_server.app.app_context():
        assert db.session.get(Room, room_id) is not None

    page.get_by_role("button", name="Delete anyway").click()
    expect(page.get_by_role("status").first).to_have_text(f"Room {room_name} deleted.")
    with live_server.app.app_context():
        assert db.session.get(Room, room_id) is None
        rows = db.session.scalars(select(BrokenSession).order_by(BrokenSession.position)).all()
        assert [(row.section_key, row.position) for row in rows] == [("S1", 0), ("S1", 1)]
    page.goto(f"{live_server.url}/planning/{world.ids['period']}")
    expect(page.locator("#broken-sessions tbody tr")).to_have_count(2)
