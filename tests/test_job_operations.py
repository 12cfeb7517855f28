"""The steps every job's row shares (``scheduler.jobs.operations``), on two kinds of job with
different status enums: a period's solve job and a scenario."""

from __future__ import annotations

import pytest

from scheduler.extensions import db
from scheduler.jobs import operations as jobs
from scheduler.models import JobStatus, PlanningPeriod, Scenario, ScenarioStatus, SolveJob
from scheduler.scenarios.operations import create_scenario
from tests.solve_worlds import small_period


class Refused(Exception):
    pass


@pytest.fixture
def rows(app):
    with app.app_context():
        period = small_period()
        job = SolveJob(period_id=period.id, time_limit_seconds=5)
        db.session.add(job)
        db.session.commit()
        scenario = create_scenario(db.session.get(PlanningPeriod, period.id), "What if", None)
        scenario.status = ScenarioStatus.QUEUED
        db.session.commit()
        yield job.id, scenario.id


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id, populate_existing=True)


def test_a_job_is_started_once_and_only_from_queued(rows):
    job_id, scenario_id = rows
    assert jobs.start(SolveJob, job_id) is True
    assert jobs.start(SolveJob, job_id) is False  # a replayed task: already taken
    assert fresh(SolveJob, job_id).status == JobStatus.RUNNING
    assert jobs.start(Scenario, scenario_id) is True
    assert fresh(Scenario, scenario_id).status == ScenarioStatus.RUNNING


def test_failing_leaves_an_ended_job_as_it_ended(rows):
    job_id, scenario_id = rows
    jobs.fail(Scenario, scenario_id, "x" * 3000)
    failed = fresh(Scenario, scenario_id)
    assert failed.status == ScenarioStatus.FAILED and failed.error == "x" * jobs.MAX_ERROR
    jobs.set_values(SolveJob, job_id, status=JobStatus.FINISHED)
    jobs.fail(SolveJob, job_id, "too late")
    finished = fresh(SolveJob, job_id)
    assert finished.status == JobStatus.FINISHED and finished.error == ""


def test_an_unreachable_queue_fails_the_job_and_raises_the_areas_refusal(app, rows, monkeypatch):
    job_id, scenario_id = rows
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    refusal = Refused("Nothing was queued.")

    def fail_scenario(row_id: int, reason: str) -> None:
        jobs.fail(Scenario, row_id, reason)

    with pytest.raises(Refused) as raised:
        jobs.enqueue(Scenario, "solve_scenario", scenario_id, fail_scenario, refusal)
    assert raised.value is refusal
    failed = fresh(Scenario, scenario_id)
    assert failed.status == ScenarioStatus.FAILED and failed.task_id == ""
    assert failed.error.startswith(f"{jobs.PAUSED} (")
