"""The coordinator's learner pages and a manager's view of their team."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from scheduler.extensions import db
from scheduler.models import CohortMember, Learner, Role
from tests.factories import create_cohort, create_learner, create_site, create_user


@pytest.fixture
def coordinator(app, auth):
    """A signed-in coordinator."""
    with app.app_context():
        create_user(Role.COORDINATOR, email="coord@example.com")
        db.session.commit()
    auth.login("coord@example.com")


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block: ``with count_queries(app) as n: ...``."""
    counter = {"n": 0}

    def before(*args):
        counter["n"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def valid_learner(**changes) -> dict:
    return {
        "key": "E1001",
        "name": "Ana Lima",
        "email": "Ana.Lima@Example.com",
        "team": "Store 12",
        "manager_id": "0",
        "timezone": "Europe/Lisbon",
        "site_id": "0",
    } | changes


def learners(app) -> list[Learner]:
    with app.app_context():
        return list(db.session.scalars(select(Learner).order_by(Learner.key)))


def test_list_is_paginated_and_searchable(app, client, coordinator):
    with app.app_context():
        site = create_site(name="Porto store")
        for n in range(55):
            create_learner(name=f"Learner {n:03}", team="Tills" if n == 7 else "Floor", site=site)
        db.session.commit()
    first = client.get("/learners")
    assert first.status_code == 200
    assert b"Page 1 of 2 (55 in all)" in first.data
    assert b"Learner 049" in first.data and b"Learner 050" not in first.data
    assert b"Learner 050" in client.get("/learners?page=2").data
    assert client.get("/learners?page=9").status_code == 404
    found = client.get("/learners?q=tills")
    assert b"Learner 007" in found.data and b"Learner 008" not in found.data


def test_list_search_treats_percent_literally(app, client, coordinator):
    with app.app_context():
        create_learner(name="Plain Name")
        db.session.commit()
    assert b"No learner matches" in client.get("/learners?q=%25").data


def test_list_runs_the_same_number_of_queries_for_many_learners(app, client, coordinator):
    with app.app_context():
        manager = create_user(Role.MANAGER)
        create_learner(manager=manager, site=create_site())
        db.session.commit()
    with count_queries(app) as few:
        client.get("/learners")
    with app.app_context():
        for _ in range(40):
            create_learner(manager=create_user(Role.MANAGER), site=create_site())
        db.session.commit()
    with count_queries(app) as many:
        client.get("/learners")
    assert many["n"] == few["n"]


def test_create_learner_saves_it_with_a_lower_case_email(app, client, coordinator):
    with app.app_context():
        manager_id = create_user(Role.MANAGER, name="Mia Manager").id
        site_id = create_site(name="Porto store").id
        db.session.commit()
    assert b"Mia Manager" in client.get("/learners/new").data
    response = client.post(
        "/learners/new", data=valid_learner(manager_id=manager_id, site_id=site_id)
    )
    assert response.status_code == 302
    [learner] = learners(app)
    assert (learner.key, learner.email, learner.team) == (
        "E1001",
        "ana.lima@example.com",
        "Store 12",
    )
    assert (learner.manager_id, learner.site_id, learner.timezone) == (
        manager_id,
        site_id,
        "Europe/Lisbon",
    )


def test_edit_learner_changes_it(app, client, coordinator):
    with app.app_context():
        learner_id = create_learner(key="E1001", manager=create_user(Role.MANAGER)).id
        db.session.commit()
    assert client.get(f"/learners/{learner_id}/edit").status_code == 200
    response = client.post(f"/learners/{learner_id}/edit", data=valid_learner(team="Tills"))
    assert response.status_code == 302
    [learner] = learners(app)
    assert learner.team == "Tills" and learner.manager_id is None


def test_delete_learner_removes_them_from_their_cohorts(app, client, coordinator):
    with app.app_context():
        learner = create_learner()
        create_cohort(learners=[learner])
        learner_id = learner.id
        db.session.commit()
    assert b"removes them from 1 cohort" in client.get(f"/learners/{learner_id}/edit").data
    assert client.post(f"/learners/{learner_id}/delete").status_code == 302
    assert learners(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(CohortMember.id))) == 0


def test_delete_is_not_possible_with_get(app, client, coordinator):
    with app.app_context():
        learner_id = create_learner().id
        db.session.commit()
    assert client.get(f"/learners/{learner_id}/delete").status_code == 405
    assert len(learners(app)) == 1


def test_unknown_learner_is_404(client, coordinator):
    assert client.get("/learners/999/edit").status_code == 404
    assert client.post("/learners/999/delete").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": " "}, "Enter the employee id (from HR)."),
        ({"name": ""}, "Name is required."),
        ({"name": "Ana\r\nLima"}, "Name must be on one line, without control characters"),
        ({"team": "Store\x0b12"}, "Team must be on one line"),
        ({"email": "ana@example.com\r\nBcc: x@example.com"}, "E-mail must be on one line"),
        ({"email": "not-an-address"}, "Enter a valid e-mail address"),
        ({"timezone": "Europe/Londn"}, "not a known time zone"),
        ({"timezone": "Europe/Londn"}, "Did you mean Europe/London?"),
        ({"key": "E 1001"}, "Employee id may not contain spaces or semicolons."),
        ({"timezone": ""}, "Time zone is required."),
        ({"key": "E" * 65}, "Employee id must be at most 64 characters."),
        ({"team": "T" * 121}, "Team must be at most 120 characters."),
        ({"manager_id": "9999"}, "Not a valid choice"),
    ],
)
def test_invalid_learner_is_redisplayed_and_not_saved(app, client, coordinator, changes, message):
    response = client.post("/learners/new", data=valid_learner(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert learners(app) == []


def test_duplicate_employee_id_is_a_field_error(app, client, coordinator):
    with app.app_context():
        create_learner(key="E1001")
        db.session.commit()
    response = client.post("/learners/new", data=valid_learner())
    assert response.status_code == 200
    assert "Employee id E1001 is already used by another learner." in response.get_data(
        as_text=True
    )
    assert len(learners(app)) == 1


def test_duplicate_email_is_a_field_error_whatever_its_case(app, client, coordinator):
    with app.app_context():
        create_learner(email="ana.lima@example.com")
        other_id = create_learner(key="E2").id
        db.session.commit()
    response = client.post(
        f"/learners/{other_id}/edit", data=valid_learner(key="E2", email="ANA.LIMA@example.com")
    )
    assert response.status_code == 200
    assert "ana.lima@example.com is already used by another learner." in response.get_data(
        as_text=True
    )
    assert {learner.key: learner.email for learner in learners(app)}["E2"] != "ana.lima@example.com"


def test_keeping_ones_own_key_and_email_is_not_a_clash(app, client, coordinator):
    with app.app_context():
        learner_id = create_learner(key="E1001", email="ana.lima@example.com").id
        db.session.commit()
    response = client.post(f"/learners/{learner_id}/edit", data=valid_learner(name="Ana L."))
    assert response.status_code == 302
    assert learners(app)[0].name == "Ana L."


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MANAGER])
def test_learner_pages_refuse_other_roles(app, client, auth, role):
    with app.app_context():
        create_user(role, email="someone@example.com")
        learner_id = create_learner().id
        db.session.commit()
    auth.login("someone@example.com")
    assert client.get("/learners").status_code == 403
    assert client.get("/learners/new").status_code == 403
    assert client.post("/learners/new", data=valid_learner()).status_code == 403
    assert client.get(f"/learners/{learner_id}/edit").status_code == 403
    assert client.post(f"/learners/{learner_id}/delete").status_code == 403
    assert len(learners(app)) == 1


def test_anonymous_users_are_sent_to_login(app, client):
    with app.app_context():
        learner_id = create_learner().id
        db.session.commit()
    for response in (
        client.get("/learners"),
        client.get("/learners/new"),
        client.get(f"/learners/{learner_id}/edit"),
        client.post(f"/learners/{learner_id}/delete"),
        client.get("/team"),
    ):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.fixture
def two_teams(app):
    """Manager X with a reporting manager R, and an unrelated manager Y, each with learners."""
    with app.app_context():
        x = create_user(Role.MANAGER, email="x@example.com")
        r = create_user(Role.MANAGER, email="r@example.com", manager=x)
        y = create_user(Role.MANAGER, email="y@example.com")
        ana = create_learner(name="Ana of X", manager=x)
        create_learner(name="Rui of R", manager=r)
        create_learner(name="Yara of Y", manager=y)
        create_cohort(learners=[ana], program=None, key="pos-north-1")
        db.session.commit()


def test_manager_sees_own_team_and_reports_teams_with_cohorts(client, auth, two_teams):
    auth.login("x@example.com")
    page = client.get("/team").get_data(as_text=True)
    assert "Ana of X" in page and "Rui of R" in page and "pos-north-1" in page
    assert "Yara of Y" not in page


def test_manager_never_sees_another_managers_team(client, auth, two_teams):
    auth.login("y@example.com")
    page = client.get("/team").get_data(as_text=True)
    assert "Yara of Y" in page
    assert "Ana of X" not in page and "Rui of R" not in page


def test_reporting_manager_does_not_see_their_own_managers_team(client, auth, two_teams):
    auth.login("r@example.com")
    page = client.get("/team").get_data(as_text=True)
    assert "Rui of R" in page and "Ana of X" not in page


def test_a_reporting_cycle_does_not_loop(app, client, auth):
    with app.app_context():
        a = create_user(Role.MANAGER, email="a@example.com")
        b = create_user(Role.MANAGER, email="b@example.com", manager=a)
        a.manager = b
        create_learner(name="Bo of B", manager=b)
        db.session.commit()
    auth.login("a@example.com")
    assert "Bo of B" in client.get("/team").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FACILITATOR])
def test_team_page_is_for_managers_only(app, client, auth, role):
    with app.app_context():
        create_user(role, email="someone@example.com")
        db.session.commit()
    auth.login("someone@example.com")
    assert client.get("/team").status_code == 403
