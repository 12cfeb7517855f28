"""The coordinator's cohort pages: the cohort form, blocked periods and members."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Cohort, CohortBlock, Learner, ProgramMode, Role
from tests.factories import create_cohort, create_learner, create_program, create_site, create_user


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coord@example.com")
        db.session.commit()
    auth.login("coord@example.com")


@pytest.fixture
def catalogue(app):
    """An in-person program, a virtual program and a site, by id."""
    with app.app_context():
        ids = {
            "in_person": create_program(name="Till basics", mode=ProgramMode.IN_PERSON).id,
            "virtual": create_program(name="Security champions", mode=ProgramMode.VIRTUAL).id,
            "site": create_site(name="Leeds store", timezone="Europe/London").id,
        }
        db.session.commit()
    return ids


def valid_cohort(catalogue, **changes) -> dict:
    return {
        "key": "pos-leeds-1",
        "program_id": str(catalogue["in_person"]),
        "site_id": str(catalogue["site"]),
        "timezone": "Europe/London",
        "hours_days": ["mon", "wed"],
        "hours_from": "08:30",
        "hours_to": "12:00",
        "earliest": "2027-01-04",
        "deadline": "2027-03-31",
        "mergeable": "y",
        "unscheduled_cost": "2500.50",
        "headcount": "",
        "conflict_groups": "Store Managers, Peak-Trading,store managers",
    } | changes


def cohorts(app) -> list[Cohort]:
    with app.app_context():
        return list(db.session.scalars(select(Cohort).order_by(Cohort.key)))


def test_create_cohort_saves_every_field(app, client, coordinator, catalogue):
    assert client.get("/cohorts/new").status_code == 200
    response = client.post("/cohorts/new", data=valid_cohort(catalogue))
    assert response.status_code == 302
    [cohort] = cohorts(app)
    assert (cohort.program_id, cohort.site_id) == (catalogue["in_person"], catalogue["site"])
    assert (cohort.hours_days, cohort.hours_from, cohort.hours_to) == (
        "mon,wed",
        time(8, 30),
        time(12, 0),
    )
    assert (cohort.earliest, cohort.deadline) == (date(2027, 1, 4), date(2027, 3, 31))
    assert (cohort.mergeable, cohort.splittable) == (True, False)
    assert cohort.unscheduled_cost == 2500.5 and cohort.headcount is None
    assert cohort.conflict_groups == "store-managers,peak-trading"


def test_virtual_cohort_needs_no_site(app, client, coordinator, catalogue):
    data = valid_cohort(catalogue, program_id=str(catalogue["virtual"]), site_id="0")
    assert client.post("/cohorts/new", data=data).status_code == 302
    assert cohorts(app)[0].site_id is None


def test_edit_cohort_shows_and_changes_it(app, client, coordinator, catalogue):
    client.post("/cohorts/new", data=valid_cohort(catalogue))
    cohort_id = cohorts(app)[0].id
    page = client.get(f"/cohorts/{cohort_id}/edit").get_data(as_text=True)
    assert 'value="store-managers, peak-trading"' in page
    assert 'checked id="hours_days-2"' in page or 'id="hours_days-2" checked' in page
    response = client.post(
        f"/cohorts/{cohort_id}/edit", data=valid_cohort(catalogue, headcount="40")
    )
    assert response.status_code == 302
    assert cohorts(app)[0].headcount == 40


def test_list_shows_program_site_size_and_deadline(app, client, coordinator):
    with app.app_context():
        learners = [create_learner() for _ in range(3)]
        create_cohort(
            key="pos-leeds-1",
            program=create_program(name="Till basics"),
            site=create_site(name="Leeds store"),
            learners=learners,
            deadline=date(2027, 3, 31),
        )
        create_cohort(key="sec-all", headcount=120)
        db.session.commit()
    page = client.get("/cohorts").get_data(as_text=True)
    assert "Till basics" in page and "Leeds store" in page and "2027-03-31" in page
    assert '<td class="num">3</td>' in page
    assert "120 <small" in page and "(0 named)" in page


def test_show_page_renders(app, client, coordinator):
    with app.app_context():
        cohort_id = create_cohort(key="pos-leeds-1").id
        db.session.commit()
    assert b"Cohort pos-leeds-1" in client.get(f"/cohorts/{cohort_id}").data


def test_delete_cohort_keeps_its_learners(app, client, coordinator):
    with app.app_context():
        cohort_id = create_cohort(learners=[create_learner()]).id
        db.session.commit()
    assert client.post(f"/cohorts/{cohort_id}/delete").status_code == 302
    assert cohorts(app) == []
    with app.app_context():
        assert len(db.session.scalars(select(Learner)).all()) == 1


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"site_id": "0"}, "Choose a site: this program is taught in person."),
        ({"hours_days": []}, "Tick at least one attendance day."),
        ({"hours_to": "08:30"}, "Attendance must end after it starts."),
        ({"hours_to": "25:00"}, "Not a valid time value."),
        ({"deadline": "2027-01-03"}, "The deadline cannot be before the earliest start."),
        ({"timezone": "Leeds"}, "not a known time zone"),
        ({"unscheduled_cost": "-1"}, "Cost of leaving a learner untrained must be at least 0."),
        ({"unscheduled_cost": "NaN"}, "must be a number, such as 12.50."),
        ({"unscheduled_cost": "lots"}, "must be a number, such as 12.50."),
        ({"headcount": "0"}, "Headcount must be from 1 to"),
        ({"conflict_groups": "ok, !!!"}, "must contain letters or digits"),
        ({"key": ""}, "Cohort id is required."),
        ({"hours_days": ["mon", "funday"]}, "not a valid choice"),
    ],
)
def test_invalid_cohort_is_redisplayed_and_not_saved(
    app, client, coordinator, catalogue, changes, field_message
):
    response = client.post("/cohorts/new", data=valid_cohort(catalogue, **changes))
    assert response.status_code == 200
    assert field_message in response.get_data(as_text=True)
    assert cohorts(app) == []


def test_duplicate_cohort_id_is_a_field_error(app, client, coordinator, catalogue):
    with app.app_context():
        create_cohort(key="pos-leeds-1")
        db.session.commit()
    response = client.post("/cohorts/new", data=valid_cohort(catalogue))
    assert response.status_code == 200
    assert "Cohort id pos-leeds-1 is already used by another cohort." in response.get_data(
        as_text=True
    )
    assert len(cohorts(app)) == 1


def blocks(app) -> list[CohortBlock]:
    with app.app_context():
        return list(db.session.scalars(select(CohortBlock).order_by(CohortBlock.start)))


@pytest.fixture
def new_york_cohort(app) -> int:
    with app.app_context():
        cohort_id = create_cohort(key="ny-1", timezone="America/New_York").id
        db.session.commit()
    return cohort_id


def test_blocked_period_is_entered_locally_and_stored_in_utc(
    app, client, coordinator, new_york_cohort
):
    response = client.post(
        f"/cohorts/{new_york_cohort}/blocks",
        data={"start": "2027-07-01T09:00", "end": "2027-07-02T17:30", "reason": "Stocktake"},
    )
    assert response.status_code == 302
    [block] = blocks(app)
    assert block.start == datetime(2027, 7, 1, 13, 0, tzinfo=UTC)  # EDT is UTC-4
    assert block.end == datetime(2027, 7, 2, 21, 30, tzinfo=UTC)
    page = client.get(f"/cohorts/{new_york_cohort}").get_data(as_text=True)
    assert "2027-07-01 09:00" in page and "America/New_York" in page and "Stocktake" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "2027-07-02T09:00", "end": "2027-07-01T09:00"}, "must end after it starts"),
        ({"start": "2027-07-02T09:00", "end": "2027-07-02T09:00"}, "must end after it starts"),
        ({"start": "", "end": "2027-07-01T09:00"}, "Enter when the blocked period starts."),
        ({"start": "2027-03-14T02:30", "end": "2027-03-14T05:00"}, "does not exist in"),
        ({"start": "yesterday", "end": "2027-07-01T09:00"}, "Not a valid datetime value."),
    ],
)
def test_invalid_blocked_period_is_refused(
    app, client, coordinator, new_york_cohort, data, message
):
    response = client.post(f"/cohorts/{new_york_cohort}/blocks", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert blocks(app) == []


def test_blocked_period_can_be_removed_only_through_its_own_cohort(
    app, client, coordinator, new_york_cohort
):
    with app.app_context():
        other_id = create_cohort().id
        db.session.commit()
    client.post(
        f"/cohorts/{new_york_cohort}/blocks",
        data={"start": "2027-07-01T09:00", "end": "2027-07-02T17:30"},
    )
    block_id = blocks(app)[0].id
    assert client.post(f"/cohorts/{other_id}/blocks/{block_id}/delete").status_code == 404
    assert len(blocks(app)) == 1
    response = client.post(f"/cohorts/{new_york_cohort}/blocks/{block_id}/delete")
    assert response.status_code == 302
    assert blocks(app) == []


def member_keys(app, cohort_id: int) -> list[str]:
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        return sorted(member.learner.key for member in cohort.members)


@pytest.fixture
def staffed(app) -> dict:
    """A cohort with one member, and two learners outside it."""
    with app.app_context():
        inside = create_learner(key="E1", name="Ana Inside")
        ids = {
            "cohort": create_cohort(learners=[inside]).id,
            "E1": inside.id,
            "E2": create_learner(key="E2", name="Bea Outside", team="Tills").id,
            "E3": create_learner(key="E3", name="Cy Outside", team="Floor").id,
        }
        db.session.commit()
    return ids


def test_members_page_searches_only_learners_outside_the_cohort(client, coordinator, staffed):
    page = client.get(f"/cohorts/{staffed['cohort']}/members?q=outside").get_data(as_text=True)
    assert "Bea Outside" in page and "Cy Outside" in page
    page = client.get(f"/cohorts/{staffed['cohort']}/members?q=ana").get_data(as_text=True)
    assert "No learner outside this cohort matches" in page


def test_add_chosen_learners(app, client, coordinator, staffed):
    response = client.post(
        f"/cohorts/{staffed['cohort']}/members/add",
        data={"learner_ids": [staffed["E2"], staffed["E3"]]},
    )
    assert response.status_code == 302
    assert member_keys(app, staffed["cohort"]) == ["E1", "E2", "E3"]


def test_adding_an_unknown_learner_saves_nothing(app, client, coordinator, staffed):
    response = client.post(
        f"/cohorts/{staffed['cohort']}/members/add",
        data={"learner_ids": [staffed["E2"], 99999]},
        follow_redirects=True,
    )
    assert "No learner has the id 99999." in response.get_data(as_text=True)
    assert member_keys(app, staffed["cohort"]) == ["E1"]


@pytest.mark.parametrize("bad", ["99999999999999999999", "\u00b2", "9" * 5000])
def test_adding_an_id_no_page_sends_is_refused(app, client, coordinator, staffed, bad):
    """Issue 15: "²" passed ``str.isdigit`` and failed int(); a huge id overflowed SQLite."""
    response = client.post(
        f"/cohorts/{staffed['cohort']}/members/add",
        data={"learner_ids": [staffed["E2"], bad]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "is not a valid id" in response.get_data(as_text=True)
    assert member_keys(app, staffed["cohort"]) == ["E1"]


def test_paste_employee_ids_adds_them_and_ignores_members(app, client, coordinator, staffed):
    response = client.post(
        f"/cohorts/{staffed['cohort']}/members/paste",
        data={"employee_ids": "E1\nE2, E3;E2"},
        follow_redirects=True,
    )
    assert "2 learners added" in response.get_data(as_text=True)
    assert member_keys(app, staffed["cohort"]) == ["E1", "E2", "E3"]


def test_pasted_unknown_ids_are_named_and_nothing_is_saved(app, client, coordinator, staffed):
    response = client.post(
        f"/cohorts/{staffed['cohort']}/members/paste",
        data={"employee_ids": "E2\nX404\nE3\nX405"},
    )
    assert response.status_code == 200
    assert "Unknown employee ids: X404, X405. Nothing was added." in response.get_data(as_text=True)
    assert member_keys(app, staffed["cohort"]) == ["E1"]


def test_remove_members(app, client, coordinator, staffed):
    response = client.post(
        f"/cohorts/{staffed['cohort']}/members/remove", data={"learner_ids": [staffed["E1"]]}
    )
    assert response.status_code == 302
    assert member_keys(app, staffed["cohort"]) == []
    with app.app_context():
        assert db.session.get(Learner, staffed["E1"]) is not None


def test_ticking_nothing_changes_nothing(app, client, coordinator, staffed):
    response = client.post(
        f"/cohorts/{staffed['cohort']}/members/remove", data={}, follow_redirects=True
    )
    assert "Tick at least one learner." in response.get_data(as_text=True)
    assert member_keys(app, staffed["cohort"]) == ["E1"]


def cohort_urls(cohort_id: int, block_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/cohorts"),
        ("get", "/cohorts/new"),
        ("post", "/cohorts/new"),
        ("get", f"/cohorts/{cohort_id}"),
        ("get", f"/cohorts/{cohort_id}/edit"),
        ("post", f"/cohorts/{cohort_id}/edit"),
        ("post", f"/cohorts/{cohort_id}/delete"),
        ("post", f"/cohorts/{cohort_id}/blocks"),
        ("post", f"/cohorts/{cohort_id}/blocks/{block_id}/delete"),
        ("get", f"/cohorts/{cohort_id}/members"),
        ("post", f"/cohorts/{cohort_id}/members/add"),
        ("post", f"/cohorts/{cohort_id}/members/paste"),
        ("post", f"/cohorts/{cohort_id}/members/remove"),
    ]


@pytest.fixture
def cohort_with_block(app) -> tuple[int, int]:
    with app.app_context():
        cohort = create_cohort(learners=[create_learner()])
        cohort.blocks.append(
            CohortBlock(
                start=datetime(2027, 7, 1, tzinfo=UTC), end=datetime(2027, 7, 2, tzinfo=UTC)
            )
        )
        db.session.commit()
        return cohort.id, cohort.blocks[0].id


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MANAGER])
def test_cohort_pages_refuse_other_roles(app, client, auth, role, cohort_with_block):
    with app.app_context():
        create_user(role, email="someone@example.com")
        db.session.commit()
    auth.login("someone@example.com")
    for method, url in cohort_urls(*cohort_with_block):
        assert getattr(client, method)(url).status_code == 403, url
    assert len(cohorts(app)) == 1 and len(blocks(app)) == 1


def test_cohort_pages_send_anonymous_users_to_login(app, client, cohort_with_block):
    for method, url in cohort_urls(*cohort_with_block):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert len(cohorts(app)) == 1
