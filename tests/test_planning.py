"""The coordinator's planning periods: the list, the period form and the period's page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Learner, PlanningPeriod, Program, Role, WaitingLearner
from tests.factories import create_cohort, create_learner, create_program, create_user


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coord@example.com")
        db.session.commit()
    auth.login("coord@example.com")


@pytest.fixture
def programs(app):
    with app.app_context():
        ids = {"pos": create_program(name="Till basics").id, "sec": create_program(name="Sec").id}
        db.session.commit()
    return ids


def valid_period(**changes) -> dict:
    data = {
        "name": "Spring rollout",
        "start": "2027-03-15",
        "end": "2027-06-11",
        "timezone": "Europe/London",
        "time_limit_seconds": "30",
        "slot_minutes": "30",
        "change_cost": "50",
    }
    data.update(changes)
    return data


def test_a_period_is_saved_with_its_programs_and_shown(app, client, coordinator, programs):
    data = valid_period(program_ids=[str(programs["pos"])])
    response = client.post("/planning/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        period = db.session.scalar(select(PlanningPeriod))
        assert (period.name, period.start, period.end) == (
            "Spring rollout",
            date(2027, 3, 15),
            date(2027, 6, 11),
        )
        assert [p.name for p in period.programs] == ["Till basics"]
        assert period.time_limit_seconds == 30
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Spring rollout" in page
        and "Till basics" in page
        and "Published: nothing yet" in " ".join(page.split())
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end": "2027-03-01"}, "end", "cannot be before the first day"),
        ({"end": "2028-06-01"}, "end", "at most 366 days"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"time_limit_seconds": "2"}, "time_limit_seconds", "5"),
        ({"slot_minutes": "7"}, "slot_minutes", "Start times every"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_a_bad_period_is_shown_again_with_the_error_and_nothing_saved(
    app, client, coordinator, changes, field, message
):
    response = client.post("/planning/new", data=valid_period(**changes))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message.lower() in page.lower()
    assert 'value="Spring rollout"' in page or field == "name"  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(PlanningPeriod)) is None


def test_editing_a_period_changes_its_scope(app, client, coordinator, programs):
    with app.app_context():
        period = PlanningPeriod(
            name="Q1", start=date(2027, 1, 4), end=date(2027, 3, 26), timezone="Europe/London"
        )
        db.session.add(period)
        db.session.commit()
        period_id = period.id
    page = client.get(f"/planning/{period_id}/edit").get_data(as_text=True)
    assert 'value="Q1"' in page
    data = valid_period(name="Q1 again", program_ids=[str(programs["sec"])])
    assert client.post(f"/planning/{period_id}/edit", data=data).status_code == 302
    with app.app_context():
        period = db.session.get(PlanningPeriod, period_id)
        assert period.name == "Q1 again" and [p.name for p in period.programs] == ["Sec"]


def test_the_period_page_counts_learners_waiting_for_a_seat(app, client, coordinator, programs):
    with app.app_context():
        program = db.session.get(Program, programs["pos"])
        cohort = create_cohort(program)
        for _ in range(2):
            db.session.add(WaitingLearner(cohort=cohort, learner=create_learner()))
        period = PlanningPeriod(
            name="Q1", start=date(2027, 1, 4), end=date(2027, 3, 26), timezone="Europe/London"
        )
        db.session.add(period)
        db.session.commit()
        period_id = period.id
        assert db.session.scalar(select(Learner).limit(1)) is not None
    page = client.get(f"/planning/{period_id}").get_data(as_text=True)
    assert "Learners waiting for a seat: <strong>2</strong>" in page


def test_the_planning_list_links_each_period(app, client, coordinator):
    with app.app_context():
        db.session.add(
            PlanningPeriod(
                name="Q1", start=date(2027, 1, 4), end=date(2027, 3, 26), timezone="Europe/London"
            )
        )
        db.session.commit()
    page = client.get("/planning").get_data(as_text=True)
    assert "Q1" in page and "2027-01-04 – 2027-03-26" in page
