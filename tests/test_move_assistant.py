"""The move assistant: a session's checked alternatives, the confirmation that makes one, and
the JSON endpoint the review calendar's drag-and-drop posts to."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import PlanningPeriod, Role, ScheduleVersion
from scheduler.planning.versions import problem_of, schedule_of
from solver import check, parse_problem
from tests.factories import create_user
from tests.test_adjustments import Plan, counts, login, session_of, utc


@pytest.fixture
def plan(app):
    with app.app_context():
        yield Plan()


def test_alternatives_page_lists_checked_placements_by_name_in_local_time(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)  # Wednesday 3 March 09:00 with Ana in Thames
    login(client)
    body = client.get(f"/planning/sessions/{session.id}/alternatives").get_data(as_text=True)
    assert "Alternatives for Security basics section S1 session 2" in body
    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>.*?<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", body, re.S
    )
    assert rows, body
    # Ana teaches Mondays, Wednesdays and Thursdays only: no alternative with her on a Tuesday.
    for start, _end, facilitator, _room in rows:
        assert not (start.startswith("Tue") and facilitator == plan.ana.name)
        assert start.endswith("GMT")
    facilitators = {facilitator for _, _, facilitator, _ in rows}
    assert plan.ana.name in facilitators and "ana" not in facilitators  # names, never keys
    assert f'href="/planning/sessions/{session.id}/alternatives/confirm?start=' in body


def test_alternatives_as_json_for_the_calendars_side_panel(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    answer = client.get(f"/planning/sessions/{session.id}/alternatives.json").get_json()
    assert answer["session"] == session.id and answer["timezone"] == "Europe/London"
    listed = answer["alternatives"]
    assert listed
    assert [a["cost_change"] for a in listed] == sorted(a["cost_change"] for a in listed)
    first = listed[0]
    assert set(first) == {
        "start", "end", "facilitator", "facilitator_name", "room", "room_name", "changes",
        "cost_change", "people",
    }  # fmt: skip
    names = {plan.ana.key: plan.ana.name, plan.ben.key: plan.ben.name}
    assert all(names[a["facilitator"]] == a["facilitator_name"] for a in listed)


def test_confirmation_shows_the_change_and_makes_the_move(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    url = f"/planning/sessions/{session.id}/alternatives/confirm?start=2027-03-04T10:00&facilitator=ana&room=r1"
    body = client.get(url).get_data(as_text=True)
    assert "Wed 03 Mar 2027 09:00 GMT" in body and "Thu 04 Mar 2027 10:00 GMT" in body
    assert "Cost change +0.00 · 4 people get an updated calendar" in body  # 3 learners and Ana
    token = re.search(r'name="period_version" type="hidden" value="(\d+)"', body).group(1)
    response = client.post(
        f"/planning/sessions/{session.id}/move",
        data={"start": "2027-03-04T10:00", "facilitator": "ana", "room": "r1",
              "period_version": token},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    draft = db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.number == 2))
    assert session_of(draft, "S1", 1).start == utc(2027, 3, 4, 10)


def test_confirmation_of_an_impossible_move_says_why_and_offers_no_button(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    url = f"/planning/sessions/{session.id}/alternatives/confirm?start=2027-03-03T13:00&facilitator=ana&room=r2"
    body = client.get(url).get_data(as_text=True)
    assert "This move is not possible" in body
    assert (
        "Room Fleet is taken by Security basics section S2, session 2, Wed 3 Mar 13:00–15:00 (Europe/London)."
        in body
    )
    assert "Make this move" not in body


def post_json(client, session_id: int, payload):
    return client.post(f"/planning/sessions/{session_id}/move.json", json=payload)


def test_drag_and_drop_accepted_makes_a_draft_and_answers_with_it(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    response = post_json(
        client, session.id, {"start": "2027-03-04T10:00", "period_version": plan.period.version}
    )
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["accepted"] is True
    assert answer["version"]["number"] == 2
    assert answer["session"]["start"] == "2027-03-04T10:00:00+00:00"
    assert (answer["session"]["facilitator"], answer["session"]["room"]) == ("ana", "r1")
    db.session.expire_all()
    draft = db.session.get(ScheduleVersion, answer["version"]["id"])
    parsed, errors = parse_problem(problem_of(draft))
    assert errors == [] and check(parsed, schedule_of(draft)) == []
    assert answer["period_version"] == db.session.get(PlanningPeriod, plan.period.id).version


def test_drag_and_drop_refused_explains_in_words_and_saves_nothing(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 0)
    before = counts()
    login(client)
    response = post_json(
        client,
        session.id,
        {"start": "2027-03-01T13:00", "room": "r2", "period_version": plan.period.version},
    )
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["accepted"] is False
    assert (
        "Room Fleet is taken by Security basics section S2, session 1, "
        "Mon 1 Mar 13:00–16:00 (Europe/London)."
    ) in answer["reasons"]
    assert counts() == before


def test_drag_and_drop_from_a_stale_calendar_is_refused_with_the_current_version(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    stale = plan.period.version
    plan.period.version += 1
    db.session.commit()
    login(client)
    response = post_json(client, session.id, {"start": "2027-03-04T10:00", "period_version": stale})
    assert response.status_code == 409
    assert response.get_json()["period_version"] == stale + 1
    assert counts() == (1, 0)


@pytest.mark.parametrize(
    "payload",
    [None, {"start": "2027-03-04T10:00"}, {"start": "soon", "period_version": 1},
     {"start": "2027-03-04T10:00", "period_version": 1, "room": 5}],
)  # fmt: skip
def test_drag_and_drop_with_bad_input_is_a_400_in_words(app, client, plan, payload):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    response = post_json(client, session.id, payload)
    assert response.status_code == 400
    assert response.get_json()["accepted"] is False
    assert counts() == (1, 0)


def test_a_facilitator_cannot_reach_the_assistant_or_the_endpoint(app, client, plan):
    version = plan.draft()
    session = session_of(version, "S1", 1)
    create_user(Role.FACILITATOR, email="fac@example.com")
    db.session.commit()
    client.post("/login", data={"email": "fac@example.com", "password": "correct horse battery"})
    assert client.get(f"/planning/sessions/{session.id}/alternatives").status_code == 403
    assert client.get(f"/planning/sessions/{session.id}/alternatives.json").status_code == 403
    response = post_json(client, session.id, {"start": "2027-03-04T10:00", "period_version": 1})
    assert response.status_code == 403
    assert counts() == (1, 0)


def test_the_endpoint_needs_the_csrf_token(csrf_app):
    with csrf_app.app_context():
        plan = Plan()
        version = plan.draft()
        session_id = session_of(version, "S1", 1).id
        period_version = plan.period.version
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"email": "coordinator@example.com", "password": "correct horse battery",
              "csrf_token": token},
    )  # fmt: skip
    payload = {"start": "2027-03-04T10:00", "period_version": period_version}
    url = f"/planning/sessions/{session_id}/move.json"
    assert client.post(url, json=payload).status_code == 400
    answered = client.post(url, json=payload, headers={"X-CSRFToken": token})
    assert answered.status_code == 200 and answered.get_json()["accepted"] is True


@pytest.fixture
def dst_plan(app):
    """Sessions around the UK's spring clock change (Sunday 28 March 2027, 01:00 GMT)."""
    with app.app_context():
        yield Plan(first_monday=(2027, 3, 22))


def test_drag_and_drop_reads_the_start_in_the_periods_zone_across_the_clock_change(
    app, client, dst_plan
):
    version = dst_plan.draft()
    session = session_of(version, "S1", 1)  # Wednesday 24 March, GMT
    login(client)
    # Monday 29 March 10:00 BST is 09:00 UTC.
    payload = {"start": "2027-03-29T10:00", "period_version": dst_plan.period.version}
    answer = post_json(client, session.id, payload).get_json()
    assert answer["accepted"] is True
    assert answer["session"]["start"] == "2027-03-29T09:00:00+00:00"


def test_drag_and_drop_to_a_time_the_clocks_skip_is_refused_in_words(app, client, dst_plan):
    version = dst_plan.draft()
    session = session_of(version, "S1", 1)
    login(client)
    payload = {"start": "2027-03-28T01:30", "period_version": dst_plan.period.version}
    response = post_json(client, session.id, payload)
    assert response.status_code == 422
    assert response.get_json()["reasons"] == [
        "2027-03-28 01:30 does not exist in Europe/London: the clocks change then."
    ]
    assert counts() == (1, 0)
