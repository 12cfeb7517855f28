"""Deleting or disabling what published sessions need: the confirmation lists the sessions it
breaks, in words; only "Delete anyway" / "Disable anyway" goes through, recording them as broken
and telling the coordinators. And a site's public holidays changing makes drafts stale.

The world is ``tests.test_breaks.World``: a plan published for January 2030 (London). Section S1
(cohort A, Ana) meets Mon 7 and Wed 9 Jan at 09:00 in room 1; S2 (cohort B, Ben) at 13:00 in
room 2.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    Facilitator,
    OutboxMessage,
    PlanningPeriod,
    Program,
    Room,
    ScheduleVersion,
    Site,
)
from scheduler.planning.publishing import PublishRefused, publish
from tests.factories import create_cohort, create_room
from tests.schedule_factories import store_schedule
from tests.test_breaks import World, broken, mails, period_version


@pytest.fixture
def world(app):
    with app.app_context():
        built = World()
        db.session.commit()
        return built.ids


def held_sessions(page: str) -> list[str]:
    """The sessions a held change lists, as the coordinator reads them."""
    held = page.split('aria-label="Published sessions this change breaks"')[1].split("</ul>")[0]
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", held, re.S)]


def names(app, world) -> dict[str, str]:
    with app.app_context():
        ana = db.session.get(Facilitator, world["ana"])
        return {
            "program": db.session.get(Program, world["program"]).name,
            "room": db.session.get(Room, world["room_1"]).name,
            "site": db.session.get(Site, world["site"]).name,
            "ana": ana.name,
        }


def cancellations(app) -> Counter:
    """How many calendar cancellations were queued for each address."""
    with app.app_context():
        query = select(OutboxMessage.recipient).where(
            OutboxMessage.content.contains("METHOD:CANCEL")
        )
        return Counter(db.session.scalars(query))


def learners_of(app, cohort_key: str) -> list[str]:
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.key == cohort_key))
        return sorted(member.learner.email for member in cohort.members)


# --- cohorts ---------------------------------------------------------------------------------


def test_deleting_a_cohort_lists_its_published_sessions_and_deletes_only_anyway(
    app, client, auth, world
):
    named = names(app, world)
    auth.login("coord@example.com")
    response = client.post(f"/cohorts/{world['a']}/delete")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was deleted yet. This change breaks 2 published sessions:" in page
    assert held_sessions(page) == [
        f"Winter: {named['program']}, section S1 session 1 (Mon 07 Jan 2030 09:00 GMT), "
        f"taught by {named['ana']}: Cohort A no longer exists.",
        f"Winter: {named['program']}, section S1 session 2 (Wed 09 Jan 2030 09:00 GMT), "
        f"taught by {named['ana']}: Cohort A no longer exists.",
    ]
    assert ">Delete anyway</button>" in page
    with app.app_context():
        assert db.session.get(Cohort, world["a"]) is not None
    assert broken(app) == [] and mails(app) == [] and cancellations(app) == {}
    assert period_version(app, world["period"]) == world["version"]

    learners = learners_of(app, "A")
    response = client.post(f"/cohorts/{world['a']}/delete", data={"save_anyway": "1"})
    assert response.status_code == 302
    # Its three learners' calendars lose both sessions at once; Ana still teaches them until
    # the repair is published.
    assert cancellations(app) == {email: 2 for email in learners}
    with app.app_context():
        assert db.session.get(Cohort, world["a"]) is None
    assert broken(app) == [("S1", 0, "Cohort A deleted"), ("S1", 1, "Cohort A deleted")]
    [mail] = mails(app)
    assert mail.subject == "Winter: 2 published sessions broken"
    assert "Cohort A no longer exists." in mail.content
    assert period_version(app, world["period"]) == world["version"] + 1


def test_deleting_a_cohort_outside_every_published_plan_is_done_at_once(app, client, auth, world):
    with app.app_context():
        program, site = (
            db.session.get(Program, world["program"]),
            db.session.get(Site, world["site"]),
        )
        spare = create_cohort(program, site, [], key="SPARE").id
        db.session.commit()
    auth.login("coord@example.com")
    assert client.post(f"/cohorts/{spare}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, spare) is None
    assert broken(app) == []


# --- rooms, sites and programs ---------------------------------------------------------------


def test_the_room_deletion_page_lists_the_sessions_held_in_the_room(app, client, auth, world):
    named = names(app, world)
    auth.login("coord@example.com")
    url = f"/sites/{world['site']}/rooms/{world['room_1']}/delete"
    page = client.get(url).get_data(as_text=True)
    assert held_sessions(page) == [
        f"Winter: {named['program']}, section S1 session 1 (Mon 07 Jan 2030 09:00 GMT), "
        f"taught by {named['ana']}: Room {named['room']} no longer exists.",
        f"Winter: {named['program']}, section S1 session 2 (Wed 09 Jan 2030 09:00 GMT), "
        f"taught by {named['ana']}: Room {named['room']} no longer exists.",
    ]
    with app.app_context():  # looking deleted nothing
        assert db.session.get(Room, world["room_1"]) is not None
    # The plain Delete (an old page, a second tab) is held too: the list is shown again.
    held = client.post(url)
    assert held.status_code == 200 and len(held_sessions(held.get_data(as_text=True))) == 2
    assert broken(app) == []
    assert client.post(url, data={"save_anyway": "1"}).status_code == 302
    change = f"Room {named['room']} ({named['site']}) deleted"
    assert broken(app) == [("S1", 0, change), ("S1", 1, change)]
    assert [m.subject for m in mails(app)] == ["Winter: 2 published sessions broken"]


def test_a_room_no_published_session_uses_is_deleted_with_the_plain_button(
    app, client, auth, world
):
    with app.app_context():
        spare = create_room(db.session.get(Site, world["site"])).id
        db.session.commit()
    auth.login("coord@example.com")
    url = f"/sites/{world['site']}/rooms/{spare}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "Delete anyway" not in page and "This change breaks" not in page
    assert client.post(url).status_code == 302
    with app.app_context():
        assert db.session.get(Room, spare) is None
    assert broken(app) == []


def test_deleting_a_site_lists_every_session_at_it(app, client, auth, world):
    named = names(app, world)
    auth.login("coord@example.com")
    url = f"/sites/{world['site']}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "This change breaks 4 published sessions:" in page
    sessions = held_sessions(page)
    assert [s.split(" (")[0] for s in sessions] == [
        f"Winter: {named['program']}, section S1 session 1",
        f"Winter: {named['program']}, section S1 session 2",
        f"Winter: {named['program']}, section S2 session 1",
        f"Winter: {named['program']}, section S2 session 2",
    ]
    # Its rooms are gone, and its in-person cohorts have no site left.
    assert all(f"Room {named['room']} no longer exists." in s for s in sessions[:2])
    assert all("Cohort A: a cohort of in-person program" in s for s in sessions[:2])
    assert all("needs a site." in s for s in sessions)
    assert client.post(url, data={"save_anyway": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Site, world["site"]) is None
    assert [row[:2] for row in broken(app)] == [("S1", 0), ("S1", 1), ("S2", 0), ("S2", 1)]
    assert {row[2] for row in broken(app)} == {f"Site {named['site']} deleted"}


def test_deleting_a_program_lists_the_sessions_of_its_cohorts(app, client, auth, world):
    named = names(app, world)
    auth.login("coord@example.com")
    url = f"/programs/{world['program']}/delete"
    page = client.get(url).get_data(as_text=True)
    sessions = held_sessions(page)
    assert len(sessions) == 4
    assert all(f"Program {named['program']} no longer exists." in s for s in sessions)
    assert client.post(url).status_code == 200  # held: nothing deleted
    with app.app_context():
        assert db.session.get(Program, world["program"]) is not None
    assert cancellations(app) == {}
    learners = learners_of(app, "A") + learners_of(app, "B")
    assert client.post(url, data={"save_anyway": "1"}).status_code == 302
    # Its sections are gone from the published plan: everyone invited gets a cancellation.
    teachers = ["ana@example.com", "ben@example.com"]
    assert cancellations(app) == {email: 2 for email in learners + teachers}
    with app.app_context():
        assert db.session.get(Program, world["program"]) is None
        assert db.session.get(Cohort, world["a"]) is None  # its cohorts went with it
    assert len(broken(app)) == 4
    assert [m.subject for m in mails(app)] == ["Winter: 4 published sessions broken"]


# --- facilitators ----------------------------------------------------------------------------


def test_disabling_a_facilitator_who_teaches_lists_their_sessions_and_disables_only_anyway(
    app, client, auth, world
):
    named = names(app, world)
    auth.login("coord@example.com")
    url = f"/facilitators/{world['ana']}/disable"
    response = client.post(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    gone = f"{named['ana']} can no longer teach (their account is disabled or removed)."
    assert held_sessions(page) == [
        f"Winter: {named['program']}, section S1 session 1 (Mon 07 Jan 2030 09:00 GMT), "
        f"taught by {named['ana']}: {gone}",
        f"Winter: {named['program']}, section S1 session 2 (Wed 09 Jan 2030 09:00 GMT), "
        f"taught by {named['ana']}: {gone}",
    ]
    assert ">Disable anyway</button>" in page
    with app.app_context():
        assert db.session.get(Facilitator, world["ana"]).user.is_enabled
    assert broken(app) == []

    assert client.post(url, data={"save_anyway": "1"}).status_code == 302
    with app.app_context():
        assert not db.session.get(Facilitator, world["ana"]).user.is_enabled
    change = f"Facilitator {named['ana']} disabled"
    assert broken(app) == [("S1", 0, change), ("S1", 1, change)]
    # The coordinator's page of the facilitator says which of their sessions broke.
    page = client.get(f"/facilitators/{world['ana']}").get_data(as_text=True)
    assert "Sessions no longer possible" in page
    assert "Winter: section S1 session 1 (Mon 07 Jan 2030 09:00 GMT)" in page
    # Enabling again breaks nothing and is done at once.
    assert client.post(f"/facilitators/{world['ana']}/enable").status_code == 302
    with app.app_context():
        assert db.session.get(Facilitator, world["ana"]).user.is_enabled


# --- a site's public holidays ----------------------------------------------------------------


def site_form(app, world, **changes) -> dict:
    with app.app_context():
        site = db.session.get(Site, world["site"])
        data = {
            "key": site.key,
            "name": site.name,
            "timezone": site.timezone,
            "country": site.country,
            "subdivision": site.subdivision,
            "address": site.address or "",
        }
    return data | changes


def test_a_sites_holidays_changing_makes_stale_the_drafts_of_periods_whose_holidays_change(
    app, client, auth, world
):
    """The period runs 7 January to 28 February 2030: France and Great Britain have no public
    holiday in it, the United States have two (Martin Luther King Day, Presidents' Day)."""
    auth.login("coord@example.com")
    url = f"/sites/{world['site']}/edit"
    assert client.post(url, data=site_form(app, world, country="GB")).status_code == 302
    assert period_version(app, world["period"]) == world["version"]  # no holiday in the period
    with app.app_context():
        period = db.session.get(PlanningPeriod, world["period"])
        draft_id = store_schedule(period, []).id
        db.session.commit()
    assert client.post(url, data=site_form(app, world, country="FR")).status_code == 302
    assert period_version(app, world["period"]) == world["version"]  # still none
    assert client.post(url, data=site_form(app, world, country="US")).status_code == 302
    assert period_version(app, world["period"]) == world["version"] + 1
    with app.app_context():
        draft = db.session.get(ScheduleVersion, draft_id)
        try:
            publish(draft, None)
            refused = False
        except PublishRefused:
            refused = True
        db.session.rollback()
    assert refused
    assert broken(app) == []  # no published session falls on those holidays


def test_a_sites_time_zone_changing_makes_every_periods_drafts_stale(app, client, auth, world):
    auth.login("coord@example.com")
    url = f"/sites/{world['site']}/edit"
    data = site_form(app, world, timezone="Europe/Dublin", country="IE")
    assert client.post(url, data=data).status_code == 302
    assert period_version(app, world["period"]) == world["version"] + 1
