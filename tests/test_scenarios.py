"""Scenarios through their pages: create, change (with field errors), solve on the job queue (in
immediate mode here), a failed solve keeping the previous result, and above all: nothing of the
real data changes until a scenario is promoted."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Role, ScenarioStatus
from solver import check, parse_problem
from tests.factories import create_user
from tests.scenario_world import HIRE, add, create, real_data, scenario
from tests.solve_worlds import small_period


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    auth.login("coordinator@example.com")


@pytest.fixture
def immediate(app):
    """Jobs run inside the request that queues them."""
    app.config["JOBS_IMMEDIATE"] = True
    return app


def test_a_scenario_never_changes_real_data_until_promoted(immediate, client, coordinator):
    with immediate.app_context():
        period = small_period()
        period_id = period.id
        from scheduler.models import Cohort, Facilitator, Program, Site

        site = db.session.scalar(select(Site))
        cohort = db.session.scalar(select(Cohort).order_by(Cohort.key))
        facilitator = db.session.scalar(select(Facilitator).order_by(Facilitator.key))
        program = db.session.scalar(select(Program))
        keys = {"site": site.key, "cohort": cohort.key, "fac": facilitator.key, "prog": program.key}
        before = real_data()
    scenario_id = create(client, period_id)
    steps = [
        ("add_facilitator", HIRE | {"site": keys["site"]}),
        ("remove_facilitator", {"facilitator": keys["fac"]}),
        ("move_deadline", {"cohort": "", "days": "7"}),
        ("close_site", {"site": keys["site"], "start": "2027-03-08", "end": "2027-03-09"}),
        ("make_virtual", {"program": keys["prog"]}),
        ("add_learners", {"cohort": keys["cohort"], "count": "2"}),
        ("seat_cost", {"program": keys["prog"], "amount": "15"}),
        ("travel_cost", {"percent": "120"}),
    ]
    for kind, data in steps:
        response = add(client, scenario_id, kind, data)
        assert response.status_code == 302, (kind, response.get_data(as_text=True)[:2000])
    assert client.post(f"/scenarios/{scenario_id}/solve").status_code == 302
    page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert 'Status: <strong data-field="status">solved</strong>' in page
    assert (
        client.get(f"/planning/{period_id}/scenarios/compare?ids={scenario_id}").status_code == 200
    )
    with immediate.app_context():
        found = scenario(scenario_id)
        assert [c["kind"] for c in found.changes] == [kind for kind, _ in steps]
        assert found.status == ScenarioStatus.SOLVED
        # The scenario's own data did change: a virtual program, a hire who teaches.
        solved = found.solved_problem
        assert solved["programs"][0]["mode"] == "virtual"
        assert real_data() == before


def test_solve_keeps_a_result_the_checker_accepts(immediate, client, coordinator):
    with immediate.app_context():
        period_id = small_period().id
    scenario_id = create(client, period_id)
    assert (
        add(client, scenario_id, "move_deadline", {"cohort": "", "days": "-5"}).status_code == 302
    )
    client.post(f"/scenarios/{scenario_id}/solve")
    with immediate.app_context():
        found = scenario(scenario_id)
        assert found.status == ScenarioStatus.SOLVED and found.error == ""
        problem, errors = parse_problem(found.solved_problem)
        assert errors == []
        assert check(problem, found.schedule) == []
        assert found.best_cost == pytest.approx(found.schedule["cost"]["total"])
        assert {c["deadline"] for c in found.solved_problem["cohorts"]} == {"2027-03-21"}
        ends = [s["end"] for sec in found.schedule["sections"] for s in sec["sessions"]]
        assert ends and max(ends) < "2027-03-22"
    status = client.get(f"/scenarios/{scenario_id}/status").get_json()
    wall = found.schedule["solver"]["wall_seconds"]
    bound = found.schedule["lower_bound"]
    assert status == {
        "status": "solved",
        "active": False,
        "summary": "Solved.",
        "error": "",
        "best_cost": found.best_cost,
        "bound": bound,
        "gap": pytest.approx((found.best_cost - bound) / found.best_cost, abs=1e-6),
        "result_cost": found.best_cost,
        "elapsed_seconds": round(wall, 1),
        "time_limit_seconds": 5,
        "progress": 1.0,
        "cancel_requested": False,
    }


def test_a_failed_solve_keeps_the_previous_result(immediate, client, coordinator, monkeypatch):
    with immediate.app_context():
        period_id = small_period().id
    scenario_id = create(client, period_id)
    client.post(f"/scenarios/{scenario_id}/solve")
    with immediate.app_context():
        first = scenario(scenario_id)
        kept = (first.schedule_json, first.solved_problem_json, first.best_cost)
        assert first.status == ScenarioStatus.SOLVED

    from scheduler.scenarios import tasks

    # The checker refuses the new schedule: the scenario fails, its previous result stays.
    monkeypatch.setattr(
        tasks, "check", lambda problem, schedule: [{"rule": "seats", "path": "x", "message": "no"}]
    )
    assert add(client, scenario_id, "travel_cost", {"percent": "50"}).status_code == 302
    client.post(f"/scenarios/{scenario_id}/solve")
    with immediate.app_context():
        failed = scenario(scenario_id)
        assert failed.status == ScenarioStatus.FAILED
        assert failed.error == "The checker refused the schedule: seats: no."
        assert (failed.schedule_json, failed.solved_problem_json, failed.best_cost) == kept

    # The solver crashes: the same.
    def crash(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr("solver.solve.solve", crash)
    client.post(f"/scenarios/{scenario_id}/solve")
    with immediate.app_context():
        failed = scenario(scenario_id)
        assert failed.status == ScenarioStatus.FAILED
        assert "RuntimeError: out of memory" in failed.error
        assert "previous result is unchanged" in failed.error
        assert (failed.schedule_json, failed.solved_problem_json, failed.best_cost) == kept
    page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert "RuntimeError: out of memory" in page and "The result below is the previous one." in page


def test_a_change_form_shows_field_errors_and_saves_nothing(app, client, coordinator):
    with app.app_context():
        period_id = small_period().id
    scenario_id = create(client, period_id)
    response = add(client, scenario_id, "move_deadline", {"cohort": "", "days": "0"})
    assert response.status_code == 200
    assert "Move the deadline by at least one day." in response.get_data(as_text=True)
    response = add(client, scenario_id, "add_facilitator", HIRE | {"skills": [], "end": "08:00"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tick at least one skill." in body and "The day must end after it starts." in body
    response = add(client, scenario_id, "add_learners", {"cohort": "no-such", "count": "x"})
    body = response.get_data(as_text=True)
    assert "Not a valid choice." in body and "Learners to add must be a whole number." in body
    assert client.get(f"/scenarios/{scenario_id}/changes/new?kind=nonsense").status_code == 404
    with app.app_context():
        assert scenario(scenario_id).changes == []


def test_changes_are_listed_in_words_and_removable(app, client, coordinator):
    with app.app_context():
        period_id = small_period().id
    scenario_id = create(client, period_id)
    add(client, scenario_id, "travel_cost", {"percent": "80"})
    add(client, scenario_id, "move_deadline", {"cohort": "", "days": "14"})
    page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert "Travel costs at 80% of today&#39;s" in page
    assert "Move every deadline 14 days later" in page
    response = client.post(f"/scenarios/{scenario_id}/changes/remove", data={"position": "0"})
    assert response.status_code == 302
    with app.app_context():
        assert scenario(scenario_id).changes == [
            {"kind": "move_deadline", "cohort": None, "days": 14}
        ]


def test_a_scenario_being_solved_cannot_be_changed_or_solved_twice(app, client, coordinator):
    with app.app_context():
        period_id = small_period().id
    scenario_id = create(client, period_id)
    with app.app_context():
        found = scenario(scenario_id)
        found.status = ScenarioStatus.RUNNING
        db.session.commit()
    add(client, scenario_id, "travel_cost", {"percent": "80"})
    client.post(f"/scenarios/{scenario_id}/solve")
    with app.app_context():
        found = scenario(scenario_id)
        assert found.changes == [] and found.status == ScenarioStatus.RUNNING
        assert found.task_id == ""


def test_a_scenario_copies_the_period_problem_at_creation(app, client, coordinator):
    from scheduler.models import PlanningPeriod
    from scheduler.planning.mapping import period_problem

    with app.app_context():
        period_id = small_period().id
        expected = json.loads(json.dumps(period_problem(db.session.get(PlanningPeriod, period_id))))
    scenario_id = create(client, period_id, name="Copy")
    with app.app_context():
        assert scenario(scenario_id).base == expected
        assert scenario(scenario_id).name == "Copy"


def test_a_solve_whose_worker_was_lost_fails_and_frees_the_scenario(app, client, coordinator):
    """Running: lost once its heartbeat stops for ``JOB_HEARTBEAT_TIMEOUT``; queued: once no
    worker took it by ``LOST_AFTER`` past the time limit."""
    from datetime import timedelta

    from scheduler.database import utcnow
    from scheduler.scenarios.operations import LOST_WORKER
    from scheduler.scenarios.util import LOST_AFTER

    app.config["JOB_HEARTBEAT_TIMEOUT"] = 30
    with app.app_context():
        period_id = small_period(time_limit=5).id
    scenario_id = create(client, period_id)
    with app.app_context():
        found = scenario(scenario_id)
        found.status = ScenarioStatus.RUNNING
        found.started_at = utcnow() - timedelta(minutes=9)
        found.heartbeat_at = utcnow() - timedelta(seconds=20)
        found.elapsed_seconds = 3.0
        db.session.commit()
    # Its last heartbeat is recent: running, and it says for how long.
    page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert (
        '<strong data-field="status">running</strong>' in page and "s of <span>5</span> s" in page
    )
    with app.app_context():
        found = scenario(scenario_id)
        found.heartbeat_at = utcnow() - timedelta(seconds=31)
        db.session.commit()
    status = client.get(f"/scenarios/{scenario_id}/status").get_json()
    assert status["status"] == "failed" and status["error"] == LOST_WORKER
    assert add(client, scenario_id, "travel_cost", {"percent": "90"}).status_code == 302
    with app.app_context():
        assert len(scenario(scenario_id).changes) == 1

    # Queued and never taken: failed only once its time limit and the margin have passed.
    client.post(f"/scenarios/{scenario_id}/solve")
    with app.app_context():
        found = scenario(scenario_id)
        assert found.status == ScenarioStatus.QUEUED
        found.queued_at = utcnow() - LOST_AFTER
        db.session.commit()
    assert client.get(f"/scenarios/{scenario_id}/status").get_json()["status"] == "queued"
    with app.app_context():
        found = scenario(scenario_id)
        found.queued_at = utcnow() - LOST_AFTER - timedelta(seconds=6)
        db.session.commit()
    status = client.get(f"/scenarios/{scenario_id}/status").get_json()
    assert status["status"] == "failed" and status["error"] == LOST_WORKER


def test_several_scenarios_solve_at_once_on_the_embedded_worker(app, client, coordinator):
    """Not immediate: the scenarios go on the SQLite queue and the worker's two threads take
    them, as ``cohort-scheduler serve`` does."""
    import time

    from scheduler.jobs.worker import start_embedded_worker

    with app.app_context():
        period_id = small_period(time_limit=3).id
    ids = [create(client, period_id, f"Option {n}") for n in (1, 2, 3)]
    add(client, ids[1], "move_deadline", {"cohort": "", "days": "-4"})
    add(client, ids[2], "travel_cost", {"percent": "200"})
    for scenario_id in ids:
        assert client.post(f"/scenarios/{scenario_id}/solve").status_code == 302
    with app.app_context():
        assert {scenario(i).status for i in ids} == {ScenarioStatus.QUEUED}
        assert all(scenario(i).task_id for i in ids)
    consumer = start_embedded_worker(app)
    try:
        with app.app_context():
            deadline = time.monotonic() + 120
            while any(scenario(i).status.active for i in ids):
                db.session.rollback()  # let the worker write (SQLite)
                assert time.monotonic() < deadline, [scenario(i).status for i in ids]
                time.sleep(0.2)
            for i in ids:
                found = scenario(i)
                assert found.status == ScenarioStatus.SOLVED, found.error
                assert check(parse_problem(found.solved_problem)[0], found.schedule) == []
            db.session.rollback()
    finally:
        consumer.stop(graceful=True)
