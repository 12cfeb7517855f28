"""The coordinator's facilitator pages: profiles, their accounts, skills and travel costs."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Facilitator, Program, Role, TravelCost, User
from tests.factories import PASSWORD, create_facilitator, create_site, create_user


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coord@example.com")
        db.session.commit()
    auth.login("coord@example.com")


@pytest.fixture
def sites(app) -> dict[str, int]:
    with app.app_context():
        ids = {
            "leeds": create_site(name="Leeds").id,
            "york": create_site(name="York").id,
            "hull": create_site(name="Hull").id,
        }
        db.session.commit()
    return ids


def valid_facilitator(sites, **changes) -> dict:
    return {
        "name": "Jo Smith",
        "email": "Jo.Smith@Example.com",
        "key": "fac-jsmith",
        "skills": "Point of Sale, security,SECURITY",
        "site_id": str(sites["leeds"]),
        "timezone": "Europe/London",
        "hourly_rate": "85.50",
        "session_fee": "20",
        "if_need_be_cost": "15",
        "max_minutes_per_day": "360",
        "buffer_minutes": "30",
        f"travel_{sites['york']}": "40",
        f"travel_{sites['hull']}": "",
    } | changes


def facilitators(app) -> list[Facilitator]:
    with app.app_context():
        # Load what the assertions read before the session closes.
        statement = (
            select(Facilitator)
            .options(
                selectinload(Facilitator.user),
                selectinload(Facilitator.skills),
                selectinload(Facilitator.travel_costs),
            )
            .order_by(Facilitator.key)
        )
        return list(db.session.scalars(statement))


def test_create_with_a_generated_password_shows_it_once(app, client, coordinator, sites):
    assert client.get("/facilitators/new").status_code == 200
    response = client.post("/facilitators/new", data=valid_facilitator(sites))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True))
    [facilitator] = facilitators(app)
    user = facilitator.user
    assert (user.email, user.name, user.role, user.timezone) == (
        "jo.smith@example.com",
        "Jo Smith",
        Role.FACILITATOR,
        "Europe/London",
    )
    assert user.check_password(password.group(1))
    assert facilitator.skill_names == ["point-of-sale", "security"]
    assert (facilitator.hourly_rate, facilitator.session_fee, facilitator.if_need_be_cost) == (
        85.5,
        20,
        15,
    )
    assert (facilitator.max_minutes_per_day, facilitator.buffer_minutes) == (360, 30)
    assert [(cost.site_id, cost.cost) for cost in facilitator.travel_costs] == [(sites["york"], 40)]
    assert password.group(1) not in client.get(f"/facilitators/{facilitator.id}").get_data(
        as_text=True
    )


def test_new_facilitator_can_sign_in_with_the_password_set_in_the_form(
    app, client, coordinator, sites
):
    data = valid_facilitator(sites, password="a long enough password")
    response = client.post("/facilitators/new", data=data)
    assert response.status_code == 302
    other = app.test_client()
    other.post("/login", data={"email": "jo.smith@example.com", "password": data["password"]})
    assert other.get("/").status_code == 200


def test_edit_changes_profile_account_skills_and_travel_costs(app, client, coordinator, sites):
    client.post("/facilitators/new", data=valid_facilitator(sites))
    facilitator_id = facilitators(app)[0].id
    page = client.get(f"/facilitators/{facilitator_id}/edit").get_data(as_text=True)
    assert 'value="point-of-sale, security"' in page and 'value="40.00"' in page
    response = client.post(
        f"/facilitators/{facilitator_id}/edit",
        data=valid_facilitator(
            sites,
            name="Jo Smith-Jones",
            skills="security, coaching",
            max_minutes_per_day="",
            timezone="Europe/Dublin",
            **{f"travel_{sites['york']}": "", f"travel_{sites['hull']}": "55"},
        ),
    )
    assert response.status_code == 302
    [facilitator] = facilitators(app)
    assert facilitator.user.name == "Jo Smith-Jones"
    assert facilitator.user.timezone == facilitator.timezone == "Europe/Dublin"
    assert facilitator.skill_names == ["coaching", "security"]
    assert facilitator.max_minutes_per_day is None
    assert [(cost.site_id, cost.cost) for cost in facilitator.travel_costs] == [(sites["hull"], 55)]
    with app.app_context():
        assert len(db.session.scalars(select(TravelCost)).all()) == 1


def test_a_personal_meeting_room_is_saved_shown_and_must_be_an_https_address(
    app, client, coordinator, sites
):
    client.post("/facilitators/new", data=valid_facilitator(sites))
    facilitator_id = facilitators(app)[0].id
    url = f"/facilitators/{facilitator_id}/edit"
    room = "https://meet.example.com/jo-smith"
    for bad in ("http://meet.example.com/jo", "javascript:alert(1)", "https:///x", "https://a b"):
        page = client.post(url, data=valid_facilitator(sites, meeting_url=bad)).get_data(
            as_text=True
        )
        assert "Enter the meeting room&#39;s full https:// address" in page, bad
        assert facilitators(app)[0].meeting_url == ""
    assert client.post(url, data=valid_facilitator(sites, meeting_url=room)).status_code == 302
    assert facilitators(app)[0].meeting_url == room
    assert room in client.get(f"/facilitators/{facilitator_id}").get_data(as_text=True)


def test_list_and_profile_pages_render(app, client, coordinator):
    with app.app_context():
        facilitator = create_facilitator(
            user=create_user(Role.FACILITATOR, name="Jo Smith"),
            site=create_site(name="Leeds"),
            skills=("security", "coaching"),
        )
        facilitator_id = facilitator.id
        db.session.commit()
    listing = client.get("/facilitators").get_data(as_text=True)
    assert "Jo Smith" in listing and "coaching, security" in listing and "Leeds" in listing
    profile = client.get(f"/facilitators/{facilitator_id}").get_data(as_text=True)
    assert "Jo Smith" in profile and "enabled" in profile


def test_disable_ends_sessions_and_enable_lets_them_back(app, client, coordinator):
    with app.app_context():
        user = create_user(Role.FACILITATOR, email="fac@example.com")
        facilitator_id = create_facilitator(user=user).id
        db.session.commit()
    facilitator_browser = app.test_client()
    facilitator_browser.post("/login", data={"email": "fac@example.com", "password": PASSWORD})
    assert facilitator_browser.get("/").status_code == 200

    assert client.post(f"/facilitators/{facilitator_id}/disable").status_code == 302
    assert facilitator_browser.get("/").status_code == 302
    facilitator_browser.post("/login", data={"email": "fac@example.com", "password": PASSWORD})
    assert facilitator_browser.get("/").status_code == 302
    assert "disabled" in client.get("/facilitators").get_data(as_text=True)

    assert client.post(f"/facilitators/{facilitator_id}/enable").status_code == 302
    facilitator_browser.post("/login", data={"email": "fac@example.com", "password": PASSWORD})
    assert facilitator_browser.get("/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "Name is required."),
        ({"email": "jo@"}, "Enter a valid e-mail address"),
        ({"key": ""}, "Facilitator id is required."),
        ({"timezone": "GMT+1"}, "not a known time zone"),
        ({"hourly_rate": ""}, "Hourly rate is required (0 if none)."),
        ({"hourly_rate": "-5"}, "Hourly rate must be at least 0."),
        ({"session_fee": "ten"}, "Session fee must be a number, such as 12.50."),
        ({"if_need_be_cost": "-0.01"}, "Cost of an if-need-be hour must be at least 0."),
        ({"max_minutes_per_day": "0"}, "must be from 1 to 1440"),
        ({"max_minutes_per_day": "1441"}, "must be from 1 to 1440"),
        ({"buffer_minutes": "241"}, "must be from 0 to 240 minutes"),
        ({"buffer_minutes": "half an hour"}, "must be a whole number of minutes"),
        ({"skills": "security, ???"}, "must contain letters or digits"),
        ({"password": "short"}, "The password must be 10 to 200 characters."),
        ({"site_id": "12345"}, "Not a valid choice"),
    ],
)
def test_invalid_facilitator_is_redisplayed_and_nothing_saved(
    app, client, coordinator, sites, changes, message
):
    response = client.post("/facilitators/new", data=valid_facilitator(sites, **changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert facilitators(app) == []
    with app.app_context():
        assert db.session.scalar(select(User).where(User.role == Role.FACILITATOR)) is None


def test_travel_costs_are_checked(app, client, coordinator, sites):
    negative = valid_facilitator(sites, **{f"travel_{sites['york']}": "-1"})
    response = client.post("/facilitators/new", data=negative)
    assert "Travel cost to York must be at least 0." in response.get_data(as_text=True)
    home = valid_facilitator(sites, **{f"travel_{sites['leeds']}": "10"})
    response = client.post("/facilitators/new", data=home)
    assert "Leave this blank: it is the facilitator&#39;s home site." in response.get_data(
        as_text=True
    )
    assert facilitators(app) == []


def test_email_of_any_account_is_a_field_error(app, client, coordinator, sites):
    response = client.post(
        "/facilitators/new", data=valid_facilitator(sites, email="COORD@example.com")
    )
    assert response.status_code == 200
    assert "coord@example.com is already used by another account." in response.get_data(
        as_text=True
    )
    assert facilitators(app) == []


def test_duplicate_facilitator_id_saves_neither_account_nor_profile(
    app, client, coordinator, sites
):
    with app.app_context():
        create_facilitator(key="fac-jsmith")
        db.session.commit()
    response = client.post("/facilitators/new", data=valid_facilitator(sites))
    assert response.status_code == 200
    assert "Facilitator id fac-jsmith is already used" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "jo.smith@example.com")) is None


def test_edit_to_another_accounts_email_is_a_field_error(app, client, coordinator, sites):
    with app.app_context():
        facilitator_id = create_facilitator(key="fac-jsmith").id
        create_user(Role.MANAGER, email="taken@example.com")
        db.session.commit()
    response = client.post(
        f"/facilitators/{facilitator_id}/edit",
        data=valid_facilitator(sites, email="taken@example.com"),
    )
    assert "taken@example.com is already used by another account." in response.get_data(
        as_text=True
    )
    assert facilitators(app)[0].user.email != "taken@example.com"


def facilitator_urls(facilitator_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/facilitators"),
        ("get", "/facilitators/new"),
        ("post", "/facilitators/new"),
        ("get", f"/facilitators/{facilitator_id}"),
        ("get", f"/facilitators/{facilitator_id}/edit"),
        ("post", f"/facilitators/{facilitator_id}/edit"),
        ("post", f"/facilitators/{facilitator_id}/disable"),
        ("post", f"/facilitators/{facilitator_id}/enable"),
    ]


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MANAGER])
def test_facilitator_pages_refuse_other_roles_even_for_ones_own_profile(app, client, auth, role):
    with app.app_context():
        user = create_user(role, email="someone@example.com")
        facilitator_id = create_facilitator(user=user).id
        db.session.commit()
    auth.login("someone@example.com")
    for method, url in facilitator_urls(facilitator_id):
        assert getattr(client, method)(url).status_code == 403, url
    assert facilitators(app)[0].user.is_enabled


def test_facilitator_pages_send_anonymous_users_to_login(app, client):
    with app.app_context():
        facilitator_id = create_facilitator().id
        db.session.commit()
    for method, url in facilitator_urls(facilitator_id):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_unknown_facilitator_is_404(client, coordinator):
    assert client.get("/facilitators/999").status_code == 404
    assert client.post("/facilitators/999/disable").status_code == 404


def test_program_skill_matches_a_facilitator_skill_typed_differently(
    app, client, coordinator, sites
):
    program = {
        "key": "pos-basics",
        "name": "POS basics",
        "mode": "in_person",
        "skill": "Point of Sale",
        "seats_min": "6",
        "seats_max": "12",
        "seat_cost": "0",
        "gap_min_days": "0",
        "gap_max_days": "7",
        "fixed_development_cost": "0",
        "sessions-0-title": "Tills",
        "sessions-0-duration_minutes": "120",
    }
    assert client.post("/programs/new", data=program).status_code == 302
    facilitator = valid_facilitator(sites, skills="point of sale", password="a-long-password")
    assert client.post("/facilitators/new", data=facilitator).status_code == 302
    with app.app_context():
        skill = db.session.scalar(select(Program.skill))
        [jo] = db.session.scalars(select(Facilitator)).all()
        assert skill == "point-of-sale"
        assert jo.skill_names == ["point-of-sale"]
