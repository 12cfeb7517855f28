"""Sites and rooms: the coordinator's pages, their validation and who may use them."""

from __future__ import annotations

from datetime import time
from html import unescape

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import (
    AvailabilityKind,
    AvailabilityRule,
    Cohort,
    Facilitator,
    Learner,
    Role,
    Room,
    Site,
    TravelCost,
)
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_room,
    create_site,
    create_user,
)


@pytest.fixture
def coordinator(app, auth):
    """Sign the test client in as a coordinator."""
    with app.app_context():
        user = create_user(Role.COORDINATOR)
        db.session.commit()
        email = user.email
    auth.login(email)


@pytest.fixture
def site_id(app) -> int:
    with app.app_context():
        site = create_site(key="leeds", name="Leeds store", timezone="Europe/London")
        db.session.commit()
        return site.id


def page(response) -> str:
    """The response's text with HTML entities decoded, to match messages as users read them."""
    return unescape(response.get_data(as_text=True))


def all_sites(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(s.key, s.name, s.timezone) for s in db.session.scalars(select(Site))]


def all_rooms(app) -> list[tuple[str, str, int, float]]:
    with app.app_context():
        rooms = db.session.scalars(select(Room).order_by(Room.key))
        return [(r.key, r.name, r.capacity, r.hourly_cost) for r in rooms]


# --- Pages -----------------------------------------------------------------------------


def test_sites_list_shows_each_site_with_its_number_of_rooms(app, client, coordinator):
    with app.app_context():
        leeds = create_site(name="Leeds store")
        create_room(leeds)
        create_room(leeds)
        create_site(name="Chicago office", timezone="America/Chicago")
        db.session.commit()
    text = page(client.get("/sites"))
    assert "Leeds store" in text and "Chicago office" in text
    assert "America/Chicago" in text
    leeds_row = text[text.index("Leeds store") :].split("</tr>")[0]
    assert '<td class="num">2</td>' in leeds_row


@pytest.mark.parametrize(
    "path",
    ["/sites", "/sites/new", "/sites/{site}", "/sites/{site}/edit", "/sites/{site}/delete"]
    + ["/sites/{site}/rooms/new", "/sites/{site}/rooms/{room}/edit"]
    + ["/sites/{site}/rooms/{room}/delete"],
)
def test_every_sites_page_renders_for_a_coordinator(app, client, coordinator, path):
    with app.app_context():
        room = create_room(create_site(), name="Training room 1")
        db.session.commit()
        url = path.format(site=room.site_id, room=room.id)
    response = client.get(url)
    assert response.status_code == 200


def test_site_page_lists_its_rooms(app, client, coordinator, site_id):
    with app.app_context():
        create_room(db.session.get(Site, site_id), name="Back office", capacity=8)
        db.session.commit()
    text = page(client.get(f"/sites/{site_id}"))
    assert "Back office" in text and "Europe/London" in text


def test_site_form_offers_the_known_time_zones(client, coordinator):
    text = page(client.get("/sites/new"))
    assert 'list="timezone-names"' in text
    assert '<option value="Asia/Kolkata">' in text


def test_room_page_links_to_its_availability_when_that_page_exists(
    app, client, coordinator, site_id
):
    if "availability.room" not in app.view_functions:
        app.add_url_rule(
            "/test-rooms/<int:room_id>/availability",
            endpoint="availability.room",
            view_func=lambda room_id: "",
        )
    with app.app_context():
        room = create_room(db.session.get(Site, site_id))
        db.session.commit()
        room_id = room.id
    with app.test_request_context():
        from flask import url_for

        link = url_for("availability.room", room_id=room_id)
    assert f'href="{link}"' in page(client.get(f"/sites/{site_id}"))


# --- Sites: create, edit, delete --------------------------------------------------------


def test_coordinator_adds_a_site(app, client, coordinator):
    response = client.post(
        "/sites/new", data={"key": "chi-1", "name": "Chicago office", "timezone": "America/Chicago"}
    )
    assert response.status_code == 302
    assert all_sites(app) == [("chi-1", "Chicago office", "America/Chicago")]
    assert "Site Chicago office added." in page(client.get(response.location))


def test_time_zone_in_any_case_is_saved_as_the_tz_database_spells_it(app, client, coordinator):
    response = client.post(
        "/sites/new", data={"key": "chi-1", "name": "Chicago office", "timezone": "america/CHICAGO"}
    )
    assert response.status_code == 302
    assert all_sites(app) == [("chi-1", "Chicago office", "America/Chicago")]


def test_coordinator_edits_a_site(app, client, coordinator, site_id):
    response = client.post(
        f"/sites/{site_id}/edit",
        data={"key": "leeds-2", "name": "Leeds White Rose", "timezone": "Europe/Dublin"},
    )
    assert response.status_code == 302
    assert all_sites(app) == [("leeds-2", "Leeds White Rose", "Europe/Dublin")]


def test_a_sites_street_address_is_saved_shown_and_may_be_empty(app, client, coordinator, site_id):
    address = "1 Briggate, Leeds LS1 6HD"
    data = {"key": "leeds", "name": "Leeds store", "timezone": "Europe/London"}
    response = client.post(f"/sites/{site_id}/edit", data=data | {"address": f"  {address} "})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Site, site_id).address == address
    assert address in page(client.get(f"/sites/{site_id}"))
    assert f'value="{address}"' in page(client.get(f"/sites/{site_id}/edit"))
    assert client.post(f"/sites/{site_id}/edit", data=data | {"address": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(Site, site_id).address == ""
    assert "Street address</dt><dd>not given" in page(client.get(f"/sites/{site_id}"))


def test_edit_form_shows_the_site_as_saved(client, coordinator, site_id):
    text = page(client.get(f"/sites/{site_id}/edit"))
    assert 'value="Leeds store"' in text and 'value="Europe/London"' in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Europe/Lodnon", "Time zone 'Europe/Lodnon' is not a known time zone."),
        ("timezone", "Europe/Lodnon", "Did you mean Europe/London?"),
        ("timezone", "Mars/Olympus", "Pick one from the list"),
        ("timezone", "", "Time zone is required."),
        ("name", "  ", "Name is required."),
        ("name", "x" * 201, "Name must be at most 200 characters."),
        ("key", "", "Key is required."),
        ("key", "leeds store", "Key may only contain letters, digits"),
        ("key", "-leeds", "must start with a letter or digit"),
        ("key", "k" * 65, "Key must be at most 64 characters."),
        ("address", "x" * 301, "Street address must be at most 300 characters."),
    ],
)
def test_bad_site_is_refused_with_the_fields_message_and_nothing_saved(
    app, client, coordinator, field, value, message
):
    data = {"key": "york", "name": "York store", "timezone": "Europe/London"} | {field: value}
    response = client.post("/sites/new", data=data)
    assert response.status_code == 200
    assert message in page(response)
    assert all_sites(app) == []


def test_bad_edit_changes_nothing(app, client, coordinator, site_id):
    response = client.post(
        f"/sites/{site_id}/edit", data={"key": "leeds", "name": "Leeds", "timezone": "Leeds"}
    )
    assert response.status_code == 200
    assert "is not a known time zone" in page(response)
    assert all_sites(app) == [("leeds", "Leeds store", "Europe/London")]


def test_site_key_already_used_is_a_field_error(app, client, coordinator, site_id):
    response = client.post(
        "/sites/new", data={"key": "leeds", "name": "Other", "timezone": "Europe/London"}
    )
    assert response.status_code == 200
    assert "Key 'leeds' is already used by Leeds store; choose another." in page(response)
    assert len(all_sites(app)) == 1


def test_editing_another_site_onto_a_used_key_is_a_field_error(app, client, coordinator, site_id):
    with app.app_context():
        york = create_site(key="york", name="York store")
        db.session.commit()
        york_id = york.id
    response = client.post(
        f"/sites/{york_id}/edit", data={"key": "leeds", "name": "York", "timezone": "Europe/London"}
    )
    assert "Key 'leeds' is already used by Leeds store" in page(response)
    assert sorted(all_sites(app))[1] == ("york", "York store", "Europe/London")


def test_keeping_its_own_key_is_not_a_clash(app, client, coordinator, site_id):
    response = client.post(
        f"/sites/{site_id}/edit", data={"key": "leeds", "name": "Leeds", "timezone": "UTC"}
    )
    assert response.status_code == 302


def test_key_clash_that_slips_past_the_check_is_still_a_field_error(
    app, client, coordinator, site_id, monkeypatch
):
    # Two coordinators saving the same key at once both pass the check; the index decides.
    monkeypatch.setattr("scheduler.sites.operations.ensure_key_free", lambda *a, **k: None)
    response = client.post(
        "/sites/new", data={"key": "leeds", "name": "Twin", "timezone": "Europe/London"}
    )
    assert response.status_code == 200
    assert "Key 'leeds' is already used; choose another." in page(response)
    assert len(all_sites(app)) == 1


def test_delete_asks_for_confirmation_and_says_what_happens(app, client, coordinator, site_id):
    with app.app_context():
        site = db.session.get(Site, site_id)
        create_room(site)
        create_learner(site)
        create_cohort(site=site)
        db.session.commit()
    response = client.get(f"/sites/{site_id}/delete")
    text = page(response)
    assert "Delete site Leeds store?" in text
    assert "1 room will be deleted, with its availability." in text
    assert "1 cohort will have no site" in text
    assert "1 learner will have no site." in text
    assert len(all_sites(app)) == 1  # a GET changes nothing


def test_deleting_a_site_deletes_its_rooms_and_leaves_the_rest_without_a_site(
    app, client, coordinator, site_id
):
    with app.app_context():
        site = db.session.get(Site, site_id)
        room = create_room(site)
        db.session.add(
            AvailabilityRule(
                room_id=room.id,
                kind=AvailabilityKind.WEEKLY,
                weekday=0,
                start_time=time(9, 0),
                end_time=time(17, 0),
            )
        )
        create_learner(site)
        create_cohort(site=site)
        facilitator = create_facilitator(site=site)
        facilitator.travel_costs = [TravelCost(site=site, cost=50)]
        db.session.commit()
    response = client.post(f"/sites/{site_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Site)).all() == []
        assert db.session.scalars(select(Room)).all() == []
        assert db.session.scalars(select(TravelCost)).all() == []
        assert db.session.scalars(select(AvailabilityRule)).all() == []
        assert [c.site_id for c in db.session.scalars(select(Cohort))] == [None]
        assert [learner.site_id for learner in db.session.scalars(select(Learner))] == [None]
        assert [f.site_id for f in db.session.scalars(select(Facilitator))] == [None]


# --- Rooms ----------------------------------------------------------------------------

ROOM = {"key": "leeds-r1", "name": "Training room 1", "capacity": "12", "hourly_cost": "35.50"}


def test_coordinator_adds_a_room_to_a_site(app, client, coordinator, site_id):
    response = client.post(f"/sites/{site_id}/rooms/new", data=ROOM)
    assert response.status_code == 302
    assert response.location.endswith(f"/sites/{site_id}")
    assert all_rooms(app) == [("leeds-r1", "Training room 1", 12, 35.5)]
    with app.app_context():
        assert db.session.scalars(select(Room)).one().site_id == site_id


def test_coordinator_edits_a_room(app, client, coordinator, site_id):
    with app.app_context():
        room = create_room(db.session.get(Site, site_id), key="r1")
        db.session.commit()
        room_id = room.id
    data = {"key": "r1b", "name": "Big room", "capacity": "30", "hourly_cost": "0"}
    response = client.post(f"/sites/{site_id}/rooms/{room_id}/edit", data=data)
    assert response.status_code == 302
    assert all_rooms(app) == [("r1b", "Big room", 30, 0.0)]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("capacity", "0", "Capacity must be at least 1."),
        ("capacity", "", "Capacity is required."),
        ("capacity", "ten", "Capacity must be a whole number."),
        ("capacity", "2.5", "Capacity must be a whole number."),
        ("capacity", "99999999999", "Capacity must be at most 10000."),
        ("hourly_cost", "-1", "Hourly cost must be at least 0."),
        ("hourly_cost", "abc", "Hourly cost must be a number, such as 12.50."),
        ("hourly_cost", "NaN", "Hourly cost must be a number, such as 12.50."),
        ("hourly_cost", "Infinity", "Hourly cost must be a number, such as 12.50."),
        ("hourly_cost", "1.005", "Hourly cost can have at most 2 decimal places."),
        ("hourly_cost", "1e12", "Hourly cost must be at most 99999999."),
        ("name", "", "Name is required."),
        ("name", "Thames\r\nroom", "Name must be on one line, without control characters"),
        ("name", "Thames\u2028room", "Name must be on one line"),
        ("key", "room 1", "Key may only contain letters, digits"),
    ],
)
def test_bad_room_is_refused_with_the_fields_message_and_nothing_saved(
    app, client, coordinator, site_id, field, value, message
):
    response = client.post(f"/sites/{site_id}/rooms/new", data=ROOM | {field: value})
    assert response.status_code == 200
    assert message in page(response)
    assert page(response).count('role="alert"') == 1  # one clear message, not two
    assert all_rooms(app) == []


def test_room_key_is_unique_across_sites(app, client, coordinator, site_id):
    with app.app_context():
        create_room(create_site(name="York store"), key="leeds-r1", name="York room")
        db.session.commit()
    response = client.post(f"/sites/{site_id}/rooms/new", data=ROOM)
    assert response.status_code == 200
    assert "Key 'leeds-r1' is already used by York room; choose another." in page(response)
    assert len(all_rooms(app)) == 1


def test_room_of_another_site_is_not_found_under_this_one(app, client, coordinator, site_id):
    with app.app_context():
        other_room = create_room(create_site())
        db.session.commit()
        room_id = other_room.id
    assert client.get(f"/sites/{site_id}/rooms/{room_id}/edit").status_code == 404
    assert client.post(f"/sites/{site_id}/rooms/{room_id}/delete").status_code == 404
    assert len(all_rooms(app)) == 1


def test_deleting_a_room_asks_first_then_deletes_it(app, client, coordinator, site_id):
    with app.app_context():
        room = create_room(db.session.get(Site, site_id), name="Back office")
        db.session.commit()
        room_id = room.id
    confirm = client.get(f"/sites/{site_id}/rooms/{room_id}/delete")
    assert "Delete room Back office at Leeds store?" in page(confirm)
    assert len(all_rooms(app)) == 1
    response = client.post(f"/sites/{site_id}/rooms/{room_id}/delete")
    assert response.status_code == 302
    assert all_rooms(app) == []
    assert len(all_sites(app)) == 1


def test_missing_site_or_room_is_404(client, coordinator, site_id):
    assert client.get("/sites/999999").status_code == 404
    assert client.get("/sites/999999/rooms/new").status_code == 404
    assert client.get(f"/sites/{site_id}/rooms/999999/edit").status_code == 404


# --- Who may use these pages ----------------------------------------------------------


def sites_urls(app, site_id: int, room_id: int) -> list[tuple[str, str]]:
    """Every (method, URL) of the sites area."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "sites":
            continue
        ids = {"site_id": site_id, "room_id": room_id, "closure_id": 1}  # no closure: 403 first
        url = rule.build(ids, append_unknown=False)[1]
        urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


@pytest.fixture
def room_ids(app, site_id) -> tuple[int, int]:
    with app.app_context():
        room = create_room(db.session.get(Site, site_id), key="leeds-r1", name="Room 1")
        db.session.commit()
        return site_id, room.id


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MANAGER])
def test_facilitators_and_managers_are_refused_every_sites_route(app, client, auth, role, room_ids):
    with app.app_context():
        user = create_user(role)
        db.session.commit()
        email = user.email
    auth.login(email)
    urls = sites_urls(app, *room_ids)
    assert len(urls) >= 12
    for method, url in urls:
        data = ROOM | {"timezone": "UTC"}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (method, url)
    assert all_sites(app) == [("leeds", "Leeds store", "Europe/London")]
    assert all_rooms(app) == [("leeds-r1", "Room 1", 20, 40.0)]


def test_anonymous_users_are_sent_to_login_from_every_sites_route(app, client, room_ids):
    for method, url in sites_urls(app, *room_ids):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.location.startswith("/login"), (method, url)
    assert len(all_sites(app)) == 1 and len(all_rooms(app)) == 1
