"""The review calendar's events (JSON by visible range and filter), its colours, natural order of
sections, the light review page with its cached parts, and who may read them."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import PlanningPeriod, Role, ScheduleVersion, SessionPin
from scheduler.review.calendar import PALETTE
from tests.drafts import Planned, spring_organisation, store_draft, utc
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)


@pytest.fixture
def world(app) -> dict:
    """Spring (Europe/London) with Fire safety sections S1, S2, S10 and a Data basics section
    S3 whose one session is virtual; returns the ids the tests need."""
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        create_user(Role.FACILITATOR, email="fran@example.com")
        period, o = spring_organisation()
        data = create_program(name="Data basics", sessions=(60,))
        london = o["room_a"].site
        data_cohort = create_cohort(
            data, london, learners=[create_learner(london, name="Ivy Lee")], key="data-london"
        )
        fire, ana, ben = o["program"], o["ana"], o["ben"]
        sections = [
            Planned("S10", fire, [(o["first"], 3)], [(utc(2027, 3, 16, 9), ana, o["room_a"])]),
            Planned("S2", fire, [(o["second"], 1)], [(utc(2027, 3, 16, 9), ben, o["room_b"])]),
            Planned("S1", fire, [(o["first"], 3)], [(utc(2027, 3, 23, 9), ana, o["room_a"])]),
            Planned("S3", data, [(data_cohort, 1)], [(utc(2027, 3, 17, 13), ana, None)], 60),
        ]
        version = store_draft(period, sections)
        db.session.commit()
        return {
            "period": period.id,
            "version": version.id,
            "ana": ana.id,
            "ben": ben.id,
            "room_a": o["room_a"].id,
            "room_b": o["room_b"].id,
            "leeds": o["room_b"].site_id,
            "fire": fire.id,
            "data": data.id,
        }


@pytest.fixture
def coordinator(client, auth, world):
    auth.login("coordinator@example.com")
    return client


def events(client, world, query: str = "") -> list[dict]:
    response = client.get(f"/planning/versions/{world['version']}/events.json?{query}")
    assert response.status_code == 200
    return [e for e in response.get_json() if not e["extendedProps"].get("closed")]


def titles(found: list[dict]) -> list[str]:
    return [e["title"] for e in found]


WEEK_OF_15_MARCH = "start=2027-03-15T00:00:00Z&end=2027-03-22T00:00:00Z"


def test_events_are_only_those_of_the_visible_range(coordinator, world):
    week = events(coordinator, world, WEEK_OF_15_MARCH)
    assert titles(week) == [
        "Fire safety · S2 (1)",
        "Fire safety · S10 (1)",
        "Data basics · S3 (1)",
    ]
    next_week = events(coordinator, world, "start=2027-03-22&end=2027-03-29")
    assert titles(next_week) == ["Fire safety · S1 (1)"]
    assert events(coordinator, world, "start=2027-05-03&end=2027-05-10") == []


def test_range_edges_are_local_midnight_in_the_periods_zone(coordinator, world):
    # The day of 16 March holds the 09:00 sessions; the day before and after do not.
    assert len(events(coordinator, world, "start=2027-03-16&end=2027-03-17")) == 2
    assert events(coordinator, world, "start=2027-03-15&end=2027-03-16") == []


def test_without_a_range_every_session_comes(coordinator, world):
    assert len(events(coordinator, world)) == 4


def test_unreadable_range_and_filters_are_ignored_not_errors(coordinator, world):
    found = events(coordinator, world, "start=soon&end=2027-13-45&facilitator=x&program=1e3")
    assert len(found) == 4


def test_facilitator_filter_keeps_only_their_sessions(coordinator, world):
    found = events(coordinator, world, f"facilitator={world['ben']}")
    assert titles(found) == ["Fire safety · S2 (1)"]
    assert {e["extendedProps"]["facilitator"] for e in found} == {"Ben Okafor"}


def test_room_site_and_program_filters_combine_with_the_range(coordinator, world):
    assert titles(events(coordinator, world, f"room={world['room_a']}")) == [
        "Fire safety · S10 (1)",
        "Fire safety · S1 (1)",
    ]
    assert titles(events(coordinator, world, f"site={world['leeds']}")) == ["Fire safety · S2 (1)"]
    assert titles(events(coordinator, world, "site=virtual")) == ["Data basics · S3 (1)"]
    assert titles(events(coordinator, world, "room=none")) == ["Data basics · S3 (1)"]
    query = f"{WEEK_OF_15_MARCH}&program={world['fire']}&facilitator={world['ana']}"
    assert titles(events(coordinator, world, query)) == ["Fire safety · S10 (1)"]


def test_each_program_keeps_one_colour_in_every_range_and_filter(coordinator, world):
    def colours(query):
        return {
            e["extendedProps"]["program"]: (e["backgroundColor"], e["textColor"])
            for e in events(coordinator, world, query)
        }

    everything = colours("")
    assert everything["Fire safety"] != everything["Data basics"]
    assert set(everything.values()) <= set(PALETTE)
    assert colours(f"program={world['data']}") == {"Data basics": everything["Data basics"]}
    assert colours("start=2027-03-22&end=2027-03-29") == {"Fire safety": everything["Fire safety"]}
    # The legend on the page uses the same colours.
    page = coordinator.get(f"/planning/versions/{world['version']}").get_data(as_text=True)
    assert f'data-colour="{everything["Data basics"][0]}"' in page


def test_sessions_at_the_same_time_and_the_sections_table_sort_naturally(coordinator, world):
    same_time = events(coordinator, world, "start=2027-03-16&end=2027-03-17")
    assert [e["extendedProps"]["section"] for e in same_time] == ["S2", "S10"]
    page = coordinator.get(f"/planning/versions/{world['version']}").get_data(as_text=True)
    table = page[page.index('<table id="sections">') :]
    places = [table.index(f"<td>{key}</td>") for key in ("S1", "S2", "S3", "S10")]
    assert places == sorted(places)


def test_an_event_carries_what_the_side_panel_shows(app, coordinator, world):
    with app.app_context():
        db.session.add(
            SessionPin(
                period_id=world["period"],
                section_key="S10",
                position=0,
                start=utc(2027, 3, 16, 9),
                cohorts_json="[]",
                locked=True,
            )
        )
        db.session.commit()
    found = events(coordinator, world, f"{WEEK_OF_15_MARCH}&facilitator={world['ana']}")
    s10 = next(e for e in found if e["extendedProps"]["section"] == "S10")
    props = s10["extendedProps"]
    assert props["cohorts"] == ["fire-london (3)"]
    assert props["learners"] == 3
    assert "learnerNames" not in props  # fetched on a click, below
    assert (props["facilitator"], props["room"], props["site"]) == (
        "Ana Duarte",
        "Thames room",
        "London",
    )
    assert props["pinned"] == "locked"
    assert props["links"]["alternatives"] == f"/planning/sessions/{s10['id']}/move"
    assert props["links"]["pin"] == f"/planning/sessions/{s10['id']}/pin"
    names = coordinator.get(props["links"]["details"]).get_json()
    assert names == {"learnerNames": ["Léa Martin", "Mo Haddad", "Zoe Price"]}
    s3 = next(e for e in found if e["extendedProps"]["section"] == "S3")
    assert (s3["extendedProps"]["room"], s3["extendedProps"]["pinned"]) == ("Virtual", None)


def test_review_page_embeds_no_events_and_offers_every_filter(coordinator, world):
    page = coordinator.get(f"/planning/versions/{world['version']}").get_data(as_text=True)
    assert "Léa Martin" not in page  # names travel with the events, not in the page
    assert '"extendedProps"' not in page
    for name in ("facilitator", "room", "site", "program"):
        assert f'data-filter="{name}"' in page
    assert f'<option value="{world["leeds"]}">Leeds</option>' in page
    assert '<option value="virtual">Virtual (no room)</option>' in page
    assert f'<option value="{world["data"]}">Data basics</option>' in page


def test_review_page_parts_are_cached_and_rebuilt_when_the_version_changes(app, coordinator, world):
    url = f"/planning/versions/{world['version']}"
    assert "Fire safety" in coordinator.get(url).get_data(as_text=True)
    with app.app_context():
        version = db.session.get(ScheduleVersion, world["version"])
        next(s for s in version.sections if s.key == "S1").program.name = "Fire drill"
        db.session.commit()
    page = coordinator.get(url).get_data(as_text=True)
    assert "Fire drill" in page
    assert "Fire safety" not in page


def test_the_cached_page_carries_each_browser_its_own_csrf_token(app, client, auth, world):
    with app.app_context():
        create_user(Role.COORDINATOR, email="second@example.com")
        db.session.commit()
    url = f"/planning/versions/{world['version']}"

    def token_and_body(email):
        auth.login(email)
        page = client.get(url).get_data(as_text=True)
        auth.logout()
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
        return token, page[page.index("<h2>Cost</h2>") :]

    first_token, first_body = token_and_body("coordinator@example.com")
    second_token, second_body = token_and_body("second@example.com")
    assert first_body == second_body  # one cached body for both
    assert first_token not in first_body  # no token inside it
    assert f'data-period-id="{world["period"]}"' in first_body
    assert 'data-editable="true"' in first_body


@pytest.mark.parametrize(
    "path", ["", "/events.json", "/events.json?start=2027-03-15", "/sessions/1.json"]
)
def test_only_coordinators_read_the_review_page_and_its_events(client, auth, world, path):
    url = f"/planning/versions/{world['version']}{path}"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    auth.login("fran@example.com")
    assert client.get(url).status_code == 403


def test_events_of_an_unknown_version_are_not_found(coordinator, world):
    assert (
        coordinator.get("/planning/versions/999999/events.json?start=2027-03-15").status_code == 404
    )
    assert coordinator.get("/planning/versions/99999999999999/events.json").status_code == 404


def test_a_sessions_learners_are_read_only_through_its_own_version(app, coordinator, world):
    found = events(coordinator, world)
    session_id = found[0]["id"]
    assert coordinator.get(found[0]["extendedProps"]["links"]["details"]).status_code == 200
    with app.app_context():
        period = db.session.get(ScheduleVersion, world["version"]).period
        other = store_draft(period, [])
        db.session.commit()
        other_id = other.id
    # The same session id under another version's URL is not found.
    assert (
        coordinator.get(f"/planning/versions/{other_id}/sessions/{session_id}.json").status_code
        == 404
    )
    assert (
        coordinator.get(f"/planning/versions/{world['version']}/sessions/999999.json").status_code
        == 404
    )


def test_events_are_served_again_from_the_cache_until_a_pin_changes_them(app, coordinator, world):
    query = f"{WEEK_OF_15_MARCH}&facilitator={world['ana']}"
    first = events(coordinator, world, query)
    assert {e["extendedProps"]["pinned"] for e in first} == {None}
    assert events(coordinator, world, query) == first
    with app.app_context():
        db.session.add(
            SessionPin(
                period_id=world["period"],
                section_key="S3",
                position=0,
                start=utc(2027, 3, 17, 13),
                cohorts_json="[]",
            )
        )
        db.session.commit()
    pinned = {
        e["extendedProps"]["section"]: e["extendedProps"]["pinned"]
        for e in events(coordinator, world, query)
    }
    assert pinned == {"S10": None, "S3": "pinned"}


def test_sections_table_is_paged_in_natural_order(coordinator, world, monkeypatch):
    from scheduler.review import routes

    monkeypatch.setattr(routes, "SECTIONS_PER_PAGE", 2)
    url = f"/planning/versions/{world['version']}"
    first = coordinator.get(url).get_data(as_text=True)
    assert "4 sections, 8 learners seated. Sections 1–2:" in first
    assert "<td>S1</td>" in first and "<td>S2</td>" in first and "<td>S10</td>" not in first
    second = coordinator.get(f"{url}?sections=2").get_data(as_text=True)
    assert "Sections 3–4:" in second
    assert second.index("<td>S3</td>") < second.index("<td>S10</td>")
    assert "<td>S1</td>" not in second
    # A page past the end shows the last one, not an empty table.
    assert "<td>S10</td>" in coordinator.get(f"{url}?sections=9").get_data(as_text=True)


def test_learners_left_out_show_the_cohorts_missing_most_then_all_on_request(
    app, coordinator, world, monkeypatch
):
    from scheduler.review import routes

    monkeypatch.setattr(routes, "LEFT_OUT_SHOWN", 1)
    left_out = [
        {"cohort": "fire-leeds", "learners": 1, "reasons": ["too few to fill a section"]},
        {"cohort": "fire-london", "learners": 2, "reasons": ["no facilitator free"]},
    ]
    with app.app_context():
        period = db.session.get(ScheduleVersion, world["version"]).period
        version_id = store_draft(period, [], unscheduled=left_out).id
        db.session.commit()
    url = f"/planning/versions/{version_id}"
    page = coordinator.get(url).get_data(as_text=True)
    assert "3 learners of 2 cohorts; the 1 cohorts with the most are below" in page
    assert "no facilitator free" in page and "too few to fill a section" not in page
    every = coordinator.get(f"{url}?left_out=all").get_data(as_text=True)
    assert every.index("no facilitator free") < every.index("too few to fill a section")


def test_closed_days_follow_the_range_and_the_site_its_rooms_and_facilitators(
    app, coordinator, world
):
    from scheduler.models import Site

    with app.app_context():
        period = db.session.get(ScheduleVersion, world["version"]).period
        london = db.session.scalars(select(Site).where(Site.name == "London")).one()
        london.country, london.subdivision = "GB", "ENG"  # Good Friday is 26 March 2027
        version_id = store_draft(period, []).id
        db.session.commit()

    def closed(query):
        url = f"/planning/versions/{version_id}/events.json?{query}"
        found = coordinator.get(url).get_json()
        return [e["title"] for e in found if e["extendedProps"].get("closed")]

    assert closed("start=2027-03-22&end=2027-03-29") == ["Good Friday · London"]
    assert closed("start=2027-03-15&end=2027-03-22") == []
    assert closed(f"facilitator={world['ana']}") == [
        "Good Friday · London",
        "Easter Monday · London",
    ]
    assert closed(f"facilitator={world['ben']}") == []  # based in Leeds
    assert closed(f"room={world['room_b']}") == []
    assert closed(f"site={world['leeds']}") == []
    assert closed(f"room={world['room_a']}&program={world['data']}") == [
        "Good Friday · London",
        "Easter Monday · London",
    ]


# --- times in each site's zone -------------------------------------------------------------------


@pytest.fixture
def two_zones(app) -> dict:
    """The two-zone year's draft (``two_zone_year``) and its coordinator."""
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        version_id = two_zone_year()
        db.session.commit()
        return {"version": version_id}


def two_zone_year() -> int:
    """A year in Europe/London with a site in London and one in New York, each holding a 09:00
    session (local time) on days around both countries' clock changes: the US changes two
    weeks before the UK in March (14th, 28th in 2027) and a week after it in October (31 October,
    7 November), so the two sites are 5 hours apart, except 4 hours in the weeks between.
    Returns the draft's id (flushed, not committed)."""
    london = create_site(name="London", timezone="Europe/London")
    new_york = create_site(name="New York", timezone="America/New_York")
    program = create_program(name="Fire safety", sessions=(120,))
    online = create_program(name="Data basics", sessions=(60,))
    cohort = create_cohort(program, london, learners=[create_learner(london)], key="c")
    ana = create_facilitator(create_user(Role.FACILITATOR, name="Ana Duarte"), london)
    thames = create_room(london, name="Thames room")
    hudson = create_room(new_york, name="Hudson room")
    period = PlanningPeriod(
        name="Year", start=date(2027, 3, 1), end=date(2027, 11, 30), timezone="Europe/London"
    )
    db.session.add(period)
    db.session.flush()

    online_cohort = create_cohort(online, london, learners=[create_learner(london)], key="v")

    def one(key, start, room, programme=program, minutes=120):
        part = cohort if programme is program else online_cohort
        return Planned(key, programme, [(part, 1)], [(start, ana, room)], minutes)

    sections = [
        one("L1", utc(2027, 3, 9, 9), thames),  # 09:00 GMT
        one("N1", utc(2027, 3, 9, 14), hudson),  # 09:00 EST
        one("L2", utc(2027, 3, 16, 9), thames),  # 09:00 GMT
        one("N2", utc(2027, 3, 16, 13), hudson),  # 09:00 EDT
        one("N5", utc(2027, 3, 16, 1), hudson),  # 21:00 EDT on the 15th
        one("V1", utc(2027, 3, 16, 15), None, online, 60),  # virtual
        one("L3", utc(2027, 10, 26, 8), thames),  # 09:00 BST
        one("N3", utc(2027, 10, 26, 13), hudson),  # 09:00 EDT
        one("L4", utc(2027, 11, 2, 9), thames),  # 09:00 GMT
        one("N4", utc(2027, 11, 2, 13), hudson),  # 09:00 EDT
    ]
    return store_draft(period, sections).id


def by_section(client, world, query: str) -> dict[str, dict]:
    return {e["extendedProps"]["section"]: e for e in events(client, world, query)}


def hours_apart(earlier: dict, later: dict) -> float:
    start = datetime.fromisoformat(earlier["start"])
    return (datetime.fromisoformat(later["start"]) - start).total_seconds() / 3600


def test_each_session_shows_its_sites_time_with_the_zone_named_across_clock_changes(
    client, auth, two_zones
):
    auth.login("coordinator@example.com")
    found = by_section(client, two_zones, "")
    local = {key: event["extendedProps"]["local"] for key, event in found.items()}
    assert local["L1"]["time"] == "09:00–11:00 Europe/London (GMT)"
    assert (local["L1"]["short"], local["N1"]["short"]) == ("09:00 GMT", "09:00 EST")
    assert local["N1"]["time"] == "09:00–11:00 America/New_York (EST)"
    assert local["N2"]["time"] == "09:00–11:00 America/New_York (EDT)"
    assert local["L3"]["time"] == "09:00–11:00 Europe/London (BST)"
    assert local["N4"]["time"] == "09:00–11:00 America/New_York (EDT)"
    assert (local["N5"]["date"], local["N5"]["time"]) == (
        "2027-03-15",
        "21:00–23:00 America/New_York (EDT)",
    )
    assert {local[key]["zone"] for key in ("N1", "N2", "N3", "N4", "N5")} == {"America/New_York"}
    assert not any(local[key]["virtual"] for key in local if key != "V1")
    # The grid shows the period's zone: the same 09:00 at both sites is 5 hours apart, but 4 in
    # the weeks when only one country has changed its clocks.
    assert found["L1"]["start"] == "2027-03-09T09:00"
    assert found["N2"]["start"] == "2027-03-16T13:00"
    assert hours_apart(found["L1"], found["N1"]) == 5  # both on winter time
    assert hours_apart(found["L2"], found["N2"]) == 4  # New York on summer time, London not
    assert hours_apart(found["L3"], found["N3"]) == 5  # both on summer time
    assert hours_apart(found["L4"], found["N4"]) == 4  # London back on winter time, New York not


def test_the_grid_shows_the_chosen_zone_and_labels_stay_in_each_sites(client, auth, two_zones):
    auth.login("coordinator@example.com")
    found = by_section(client, two_zones, "zone=America/New_York")
    assert found["N2"]["start"] == "2027-03-16T09:00"
    assert found["L2"]["start"] == "2027-03-16T05:00"
    assert found["L4"]["start"] == "2027-11-02T05:00"
    assert found["L1"]["start"] == "2027-03-09T04:00"
    assert found["L2"]["extendedProps"]["local"]["time"] == "09:00–11:00 Europe/London (GMT)"
    assert found["N2"]["extendedProps"]["local"]["time"] == "09:00–11:00 America/New_York (EDT)"
    # A zone that is not one is the period's, not an error.
    assert by_section(client, two_zones, "zone=Mars/Olympus")["N2"]["start"] == "2027-03-16T13:00"


def test_a_virtual_session_reads_in_the_grids_zone_and_says_it_is_virtual(client, auth, two_zones):
    auth.login("coordinator@example.com")
    period_zone = by_section(client, two_zones, "")["V1"]["extendedProps"]["local"]
    assert period_zone == {
        "date": "2027-03-16",
        "time": "15:00–16:00 Europe/London (GMT)",
        "zone": "Europe/London",
        "short": "15:00 GMT",
        "virtual": True,
    }
    chosen = by_section(client, two_zones, "zone=America/New_York")["V1"]["extendedProps"]["local"]
    assert chosen["time"] == "11:00–12:00 America/New_York (EDT)"


def test_the_visible_range_is_read_in_the_grids_zone(client, auth, two_zones):
    auth.login("coordinator@example.com")
    day = "start=2027-03-16&end=2027-03-17"
    # 01:00 UTC on the 16th is the 16th in London but 21:00 on the 15th in New York.
    assert set(by_section(client, two_zones, day)) == {"N5", "L2", "N2", "V1"}
    assert set(by_section(client, two_zones, f"{day}&zone=America/New_York")) == {"L2", "N2", "V1"}


def test_the_page_offers_the_periods_zone_first_then_each_sites(client, auth, two_zones):
    auth.login("coordinator@example.com")
    page = client.get(f"/planning/versions/{two_zones['version']}").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', page)
    zones = [(value, selected, text) for value, selected, text in options if "/" in value]
    assert zones == [
        ("Europe/London", " selected", "Europe/London (the period&#39;s zone, London)"),
        ("America/New_York", "", "America/New_York (New York)"),
    ]
