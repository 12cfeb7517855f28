"""A scenario's solve as it runs: live best cost, bound and gap on its page and status, and Cancel
(before a worker takes it, while it runs with a plan found, and before any plan), with the same
monitor as a period's solve."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from scheduler.extensions import db
from scheduler.jobs.progress import gap
from scheduler.jobs.worker import start_embedded_worker
from scheduler.models import Role, Scenario, ScenarioStatus
from scheduler.scenarios.tasks import solve_scenario
from solver import check, parse_problem
from tests.factories import create_user
from tests.scenario_world import add, create, scenario
from tests.solve_worlds import (
    assert_read_then_built_section_by_section,
    busy_period,
    record_building,
    small_period,
)


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    auth.login("coordinator@example.com")


def wait_for_scenario(scenario_id: int, until, timeout: float = 60.0) -> Scenario:
    """The scenario once ``until(scenario)`` holds, read afresh (``scenario`` ends the
    transaction first, so that the worker can write on SQLite)."""
    deadline = time.monotonic() + timeout
    while True:
        found = scenario(scenario_id)
        if until(found):
            return found
        status = found.status
        db.session.rollback()
        assert time.monotonic() < deadline, f"scenario {scenario_id} is still {status}"
        time.sleep(0.1)


def solve_queued(app, scenario_id: int) -> None:
    """Run the queued solve task here, as a worker would (no worker runs in these tests)."""
    with app.app_context():
        solve_scenario(scenario_id)


def solved_once(app, client, period_id: int) -> tuple[int, tuple]:
    """A scenario solved once, and its result as stored."""
    scenario_id = create(client, period_id)
    client.post(f"/scenarios/{scenario_id}/solve")
    solve_queued(app, scenario_id)
    with app.app_context():
        found = scenario(scenario_id)
        assert found.status == ScenarioStatus.SOLVED
        return scenario_id, (found.schedule_json, found.solved_problem_json, found.best_cost)


def result_of(scenario_id: int) -> tuple:
    found = scenario(scenario_id)
    return found.schedule_json, found.solved_problem_json, found.best_cost


def test_the_gap_is_the_share_of_the_cost_above_the_bound():
    assert gap(200.0, 150.0) == 0.25
    assert gap(200.0, None) is None and gap(None, 10.0) is None
    assert gap(0.0, 0.0) == 0.0


def test_cancel_before_a_worker_takes_it_keeps_the_last_result(app, client, coordinator):
    with app.app_context():
        period_id = small_period().id
    scenario_id, kept = solved_once(app, client, period_id)
    # Changed, then queued: no worker runs here, so the solve waits on the queue.
    add(client, scenario_id, "travel_cost", {"percent": "50"})
    client.post(f"/scenarios/{scenario_id}/solve")
    with app.app_context():
        assert scenario(scenario_id).status == ScenarioStatus.QUEUED
    page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert 'id="cancel-form"' in page and 'id="solve-scenario"' not in page
    response = client.post(f"/scenarios/{scenario_id}/cancel", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The solve was cancelled before it started" in page
    assert '<strong data-field="status">cancelled</strong>' in page
    assert "Cancelled at your request before a plan was found" in page
    assert "The result below is the previous one." in page
    with app.app_context():
        found = scenario(scenario_id)
        assert found.status == ScenarioStatus.CANCELLED and found.cancel_requested
        assert result_of(scenario_id) == kept
    # The queued task, when a worker takes it later, finds nothing to do.
    from scheduler.scenarios.operations import start_solve

    with app.app_context():
        assert start_solve(scenario_id) is False
        assert scenario(scenario_id).status == ScenarioStatus.CANCELLED
    # Cancelled is not solved: it can be changed and solved again, and is not promotable.
    assert 'id="promote-link"' not in page
    assert add(client, scenario_id, "travel_cost", {"percent": "70"}).status_code == 302
    with app.app_context():
        assert scenario(scenario_id).status == ScenarioStatus.NEW


def test_a_running_solve_shows_its_live_cost_and_bound_and_cancel_keeps_its_best_plan(
    app, client, coordinator
):
    with app.app_context():
        period_id = busy_period(time_limit=60).id
    scenario_id = create(client, period_id, "Busy")
    client.post(f"/scenarios/{scenario_id}/solve")
    consumer = start_embedded_worker(app)
    try:
        with app.app_context():
            running = wait_for_scenario(
                scenario_id,
                lambda s: s.progress_cost is not None and s.progress_bound is not None,
                timeout=60,
            )
            assert running.status == ScenarioStatus.RUNNING and running.heartbeat_at is not None
            assert running.best_cost is None  # no result yet: the live cost is kept apart
            db.session.rollback()
        status = client.get(f"/scenarios/{scenario_id}/status").get_json()
        assert status["active"] and status["status"] == "running"
        assert status["best_cost"] is not None and status["bound"] is not None
        assert 0 <= status["bound"] <= status["best_cost"]
        assert status["gap"] == pytest.approx(gap(status["best_cost"], status["bound"]))
        page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
        assert f'data-status-url="/scenarios/{scenario_id}/status"' in page
        assert 'data-field="best_cost"' in page and 'data-field="gap"' in page
        assert "Cancel the solve" in page and "the best plan found so far is kept" in page

        response = client.post(f"/scenarios/{scenario_id}/cancel", follow_redirects=True)
        assert "the best plan found so far will be kept" in response.get_data(as_text=True)
        with app.app_context():
            found = wait_for_scenario(scenario_id, lambda s: not s.status.active, timeout=20)
            assert found.status == ScenarioStatus.SOLVED, found.error
            assert found.cancel_requested
            assert found.elapsed_seconds < 30  # stopped, not run to its 60 s limit
            problem, errors = parse_problem(found.solved_problem)
            assert errors == [] and check(problem, found.schedule) == []
            assert found.best_cost == pytest.approx(found.schedule["cost"]["total"])
            assert found.progress_cost == pytest.approx(found.best_cost)
            db.session.rollback()
    finally:
        consumer.stop(graceful=True)
    page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert "Cancelled at your request: the result is the best plan found by then." in page
    assert 'id="scenario-result"' in page and 'id="promote-link"' in page


def test_a_cancel_before_any_plan_is_found_keeps_the_last_good_result(
    app, client, coordinator, monkeypatch
):
    with app.app_context():
        period_id = small_period().id
    scenario_id, kept = solved_once(app, client, period_id)
    add(client, scenario_id, "travel_cost", {"percent": "50"})
    app.config["JOB_HEARTBEAT_INTERVAL"] = 0.05
    stopped = []

    def solver_with_nothing_yet(problem, *, stop_event, **kwargs):
        """The coordinator clicks Cancel (another process's write) before the solver reports
        any plan; the solver then stops at its stop event, with nothing found."""
        with db.engine.begin() as connection:
            connection.execute(
                update(Scenario).where(Scenario.id == scenario_id).values(cancel_requested=True)
            )
        stopped.append(stop_event.wait(10))
        return {"status": "feasible", "sections": [], "cost": {"total": 0.0}}

    monkeypatch.setattr("solver.solve.solve", solver_with_nothing_yet)
    client.post(f"/scenarios/{scenario_id}/solve")
    solve_queued(app, scenario_id)
    assert stopped == [True]  # the monitor passed the click to the solver
    with app.app_context():
        found = scenario(scenario_id)
        assert found.status == ScenarioStatus.CANCELLED and found.error == ""
        assert result_of(scenario_id) == kept
    page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert "Cancelled at your request before a plan was found" in page
    assert "The result below is the previous one." in page


def test_cancel_after_the_solve_ended_changes_nothing(app, client, coordinator):
    with app.app_context():
        period_id = small_period().id
    scenario_id, kept = solved_once(app, client, period_id)
    response = client.post(f"/scenarios/{scenario_id}/cancel", follow_redirects=True)
    assert "This solve had already ended." in response.get_data(as_text=True)
    with app.app_context():
        found = scenario(scenario_id)
        assert found.status == ScenarioStatus.SOLVED and not found.cancel_requested
        assert result_of(scenario_id) == kept


def test_cancel_without_the_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        create_user(Role.COORDINATOR, email="c@example.com")
        period_id = small_period().id
        from scheduler.models import PlanningPeriod
        from scheduler.scenarios.operations import create_scenario

        found = create_scenario(db.session.get(PlanningPeriod, period_id), "What if", None)
        found.status = ScenarioStatus.RUNNING
        db.session.commit()
        scenario_id = found.id
    client.post("/login", data={"email": "c@example.com", "password": "correct horse battery"})
    response = client.post(f"/scenarios/{scenario_id}/cancel")
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.get_data(as_text=True)
    with csrf_app.app_context():
        found = scenario(scenario_id)
        assert found.status == ScenarioStatus.RUNNING and not found.cancel_requested


def test_before_its_first_plan_a_scenario_solve_says_what_it_does_and_how_far(
    app, client, coordinator, monkeypatch
):
    """The same steps as a period's solve (``SolveJob.stage``), written by the scenario's
    monitor and cleared when a new solve is queued."""
    from scheduler.scenarios.tasks import ScenarioMonitor

    told = record_building(monkeypatch, ScenarioMonitor)
    with app.app_context():
        period_id = small_period().id
    scenario_id, _ = solved_once(app, client, period_id)
    assert_read_then_built_section_by_section(told)

    with app.app_context():  # as its monitor writes it while the first plan is built
        db.session.execute(
            update(Scenario).where(Scenario.id == scenario_id).values(
                status=ScenarioStatus.RUNNING, progress_cost=None, cancel_requested=False,
                stage="new", stage_done=3100, stage_total=12676,
            )
        )  # fmt: skip
        db.session.commit()
    summary = "Building the first schedule: 3,100 of 12,676 sections tried."
    assert client.get(f"/scenarios/{scenario_id}/status").get_json()["summary"] == summary
    assert summary in client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    with app.app_context():
        db.session.execute(
            update(Scenario).where(Scenario.id == scenario_id).values(progress_cost=1234.0)
        )
        db.session.commit()
    assert client.get(f"/scenarios/{scenario_id}/status").get_json()["summary"] == "Solving."

    with app.app_context():  # a new solve starts with no step of the last one
        db.session.execute(
            update(Scenario).where(Scenario.id == scenario_id).values(status=ScenarioStatus.SOLVED)
        )
        db.session.commit()
    add(client, scenario_id, "travel_cost", {"percent": "50"})
    client.post(f"/scenarios/{scenario_id}/solve")
    with app.app_context():
        queued = scenario(scenario_id)
        assert queued.status == ScenarioStatus.QUEUED
        assert (queued.stage, queued.stage_done, queued.stage_total) == (None, None, None)
