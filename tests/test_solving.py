"""Solving a period from its page: check, solve (in immediate mode here), refusals, cancel before
start, bad data, a lost worker and Retry. Real workers are tested in tests/test_jobs.py."""

from __future__ import annotations

import json
import threading
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import JobStatus, Role, ScheduleVersion, SolveJob
from scheduler.solving import operations
from scheduler.solving.tasks import solve_period
from scheduler.solving.util import displayed_bound
from tests.factories import create_cohort, create_learner, create_program, create_site, create_user
from tests.solve_worlds import (
    assert_read_then_built_section_by_section,
    record_building,
    small_period,
)


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


def jobs_of(period_id: int) -> list[SolveJob]:
    db.session.rollback()
    return list(db.session.scalars(select(SolveJob).where(SolveJob.period_id == period_id)))


def version_count(period_id: int) -> int:
    return db.session.scalar(
        select(func.count(ScheduleVersion.id)).where(ScheduleVersion.period_id == period_id)
    )


def test_solve_stores_a_draft_and_finishes_the_job(immediate, client, coordinator):
    with immediate.app_context():
        period_id = small_period().id
    response = client.post(f"/planning/{period_id}/solve")
    with immediate.app_context():
        (job,) = jobs_of(period_id)
        assert response.headers["Location"].endswith(f"/solve-jobs/{job.id}")
        assert job.status == JobStatus.FINISHED and job.error == ""
        assert job.task_id and job.started_at and job.finished_at
        draft = job.draft
        assert draft.status.value == "draft" and draft.origin.value == "solve"
        assert draft.total_cost == pytest.approx(job.best_cost)
        assert draft.greedy_cost is not None and draft.greedy_cost >= draft.total_cost
        assert 0 <= job.bound <= job.best_cost
        assert draft.sections and all(s.seats for s in draft.sections)
    status = client.get(f"/solve-jobs/{job.id}/status").get_json()
    assert status["status"] == "finished" and not status["active"]
    assert status["progress"] == 1.0 and status["best_cost"] == pytest.approx(job.best_cost)
    assert "draft version 1" in status["summary"]


def test_progress_page_polls_the_status_without_inline_script(immediate, client, coordinator):
    with immediate.app_context():
        period_id = small_period().id
    job_url = client.post(f"/planning/{period_id}/solve").headers["Location"]
    response = client.get(job_url)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-status-url="/solve-jobs/' in body and "solve-progress.js" in body
    assert "<script>" not in body  # the CSP allows no inline script
    with client.get("/static/solve-progress.js") as script:
        assert script.status_code == 200


def test_a_second_solve_is_refused_while_one_is_queued(app, client, coordinator):
    with app.app_context():
        period_id = small_period().id
    client.post(f"/planning/{period_id}/solve")
    response = client.post(f"/planning/{period_id}/solve", follow_redirects=True)
    assert "already queued" in response.get_data(as_text=True)
    with app.app_context():
        assert [job.status for job in jobs_of(period_id)] == [JobStatus.QUEUED]


def test_simultaneous_solve_clicks_queue_one_job(app, coordinator):
    with app.app_context():
        period_id = small_period().id
    clients = []
    for _ in range(6):
        client = app.test_client()
        client.post(
            "/login", data={"email": "coordinator@example.com", "password": "correct horse battery"}
        )
        clients.append(client)
    start = threading.Barrier(len(clients))
    statuses = []

    def click(client):
        start.wait()
        statuses.append(client.post(f"/planning/{period_id}/solve").headers["Location"])

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        (job,) = jobs_of(period_id)
    assert sum(location.endswith(f"/solve-jobs/{job.id}") for location in statuses) == 1


def test_cancel_before_start_cancels_and_the_worker_skips_it(app, client, coordinator):
    with app.app_context():
        period_id = small_period().id
    job_url = client.post(f"/planning/{period_id}/solve").headers["Location"]
    response = client.post(f"{job_url}/cancel", follow_redirects=True)
    assert "cancelled before it started" in response.get_data(as_text=True)
    with app.app_context():
        (job,) = jobs_of(period_id)
        solve_period(job.id)  # a worker reaching the queued task afterwards does nothing
        (job,) = jobs_of(period_id)
        assert job.status == JobStatus.CANCELLED and job.draft_id is None
        assert version_count(period_id) == 0


def test_bad_data_fails_the_job_naming_the_json_path(immediate, client, coordinator):
    with immediate.app_context():
        period = small_period()
        site = create_site()
        create_cohort(
            create_program(), site, learners=[create_learner(site)],
            hours_from=time(17), hours_to=time(9), earliest=period.start, deadline=period.end,
        )  # fmt: skip
        db.session.commit()
        period_id = period.id
    client.post(f"/planning/{period_id}/solve")
    with immediate.app_context():
        (job,) = jobs_of(period_id)
        assert job.status == JobStatus.FAILED
        assert "not a valid problem" in job.error and ".hours.to" in job.error
        assert version_count(period_id) == 0


def test_a_solver_error_fails_the_job_and_keeps_the_last_draft(
    immediate, client, coordinator, monkeypatch
):
    with immediate.app_context():
        period_id = small_period().id
    client.post(f"/planning/{period_id}/solve")

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr("solver.solve.solve", broken)
    client.post(f"/planning/{period_id}/solve")
    with immediate.app_context():
        first, second = sorted(jobs_of(period_id), key=lambda job: job.id)
        assert first.status == JobStatus.FINISHED
        assert second.status == JobStatus.FAILED and "out of memory" in second.error
        assert "last good schedule is unchanged" in second.error
        assert version_count(period_id) == 1


def test_a_job_whose_worker_stopped_fails_when_the_page_is_read_and_retry_queues(
    app, client, coordinator
):
    with app.app_context():
        period = small_period()
        stale = utcnow() - timedelta(seconds=120)
        job = SolveJob(
            period_id=period.id, time_limit_seconds=5, status=JobStatus.RUNNING,
            started_at=stale, heartbeat_at=stale,
        )  # fmt: skip
        db.session.add(job)
        db.session.commit()
        period_id, job_id = period.id, job.id
    body = client.get(f"/planning/{period_id}").get_data(as_text=True)
    assert "The worker stopped while solving" in body and "Retry" in body
    with app.app_context():
        assert db.session.get(SolveJob, job_id).status == JobStatus.FAILED
    response = client.post(f"/planning/{period_id}/solve")
    with app.app_context():
        retry = max(jobs_of(period_id), key=lambda job: job.id)
        assert retry.id != job_id and retry.status == JobStatus.QUEUED
        assert response.headers["Location"].endswith(f"/solve-jobs/{retry.id}")


def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(app, client, coordinator):
    with app.app_context():
        period = small_period()
        job = SolveJob(
            period_id=period.id, time_limit_seconds=5, status=JobStatus.RUNNING,
            started_at=utcnow(), heartbeat_at=utcnow(),
        )  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert client.get(f"/solve-jobs/{job_id}/status").get_json()["status"] == "running"


def test_check_lists_a_cohort_whose_program_needs_a_skill_nobody_has(app, client, coordinator):
    with app.app_context():
        period = small_period()
        site = create_site()
        program = create_program(skill="forklift")
        cohort = create_cohort(
            program, site, key="warehouse-a", learners=[create_learner(site) for _ in range(8)],
            earliest=period.start, deadline=period.end,
        )  # fmt: skip
        db.session.commit()
        period_id, cohort_id = period.id, cohort.id
    body = client.get(f"/planning/{period_id}/check").get_data(as_text=True)
    assert "warehouse-a" in body and "nobody has skill &#39;forklift&#39;" in body
    assert f'href="/cohorts/{cohort_id}"' in body and 'href="/facilitators"' in body
    assert "Nothing blocks a plan" not in body


def test_check_says_nothing_blocks_a_plan(app, client, coordinator):
    with app.app_context():
        period_id = small_period().id
    body = client.get(f"/planning/{period_id}/check").get_data(as_text=True)
    assert "Nothing blocks a plan" in body


def test_period_page_offers_check_and_solve_and_lists_jobs(immediate, client, coordinator):
    with immediate.app_context():
        period_id = small_period().id
    client.post(f"/planning/{period_id}/solve")
    body = client.get(f"/planning/{period_id}").get_data(as_text=True)
    assert f"/planning/{period_id}/check" in body and f"/planning/{period_id}/solve" in body
    assert 'id="solve-jobs"' in body and "Finished: draft version 1." in body


def test_the_bound_shown_is_the_solvers_unclamped():
    assert displayed_bound(900.0, 1200.0) == 900.0
    assert displayed_bound(1500.0, 1200.0) == 1500.0  # a bug would show, not hide as "gap 0 %"
    assert displayed_bound(None, 1200.0) is None


def test_the_job_page_says_what_the_bound_is_made_of(immediate, client, coordinator):
    with immediate.app_context():
        period_id = small_period().id
    client.post(f"/planning/{period_id}/solve")
    with immediate.app_context():
        (job,) = jobs_of(period_id)
        parts = json.loads(job.draft.schedule_json)["solver"]["bound_parts"]
        job_id = job.id
    body = client.get(f"/solve-jobs/{job_id}").get_data(as_text=True)
    assert 'id="bound-breakdown"' in body
    assert "available hours (a linear relaxation)" in body
    assert f"seats {parts['analytic_items']['seats']:,.2f}" in body


def test_queueing_is_refused_with_a_reason_when_the_queue_is_unreachable(app, monkeypatch):
    with app.app_context():
        period = small_period()
        monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
        with pytest.raises(
            operations.SolveRefused, match="Background jobs are paused: the queue cannot be reached"
        ):
            operations.queue_solve(period, None)
        (job,) = jobs_of(period.id)
        assert job.status == JobStatus.FAILED and "queue cannot be reached" in job.error


def test_the_heartbeat_runs_while_the_problem_is_built(immediate, client, coordinator, monkeypatch):
    """A large period takes seconds to build into a problem: the job's heartbeat must already be
    written meanwhile (else another process would take the job for lost), and on SQLite the
    build must not hold the write lock the heartbeat needs."""
    from scheduler.planning.mapping import period_problem
    from scheduler.solving.tasks import SolveJob as Job

    immediate.config["JOB_HEARTBEAT_INTERVAL"] = 0.05
    beats_seen: list[bool] = []

    def slow_build(period):
        with db.engine.connect() as connection:
            job_id, started = connection.execute(
                select(Job.id, Job.heartbeat_at).order_by(Job.id.desc()).limit(1)
            ).one()
            # Waits for the heartbeat thread's next write (bounded, in case it never comes).
            for _ in range(600):
                connection.rollback()  # a fresh snapshot each time
                beat = connection.scalar(select(Job.heartbeat_at).where(Job.id == job_id))
                if beat != started:
                    break
                threading.Event().wait(0.05)
            beats_seen.append(beat != started)
        return period_problem(period)

    monkeypatch.setattr("scheduler.solving.tasks.period_problem", slow_build)
    with immediate.app_context():
        period_id = small_period().id
    client.post(f"/planning/{period_id}/solve")
    assert beats_seen == [True]
    with immediate.app_context():
        (job,) = jobs_of(period_id)
        assert job.status == JobStatus.FINISHED, job.error


@pytest.mark.parametrize(
    "stage,done,total,summary",
    [
        ("reading", 0, 0, "Reading the planning data."),
        ("previous", 1200, 4000, "Building the first schedule: keeping what still fits of the "
                                 "plan it starts from (1,200 of 4,000 sections looked at)."),
        ("new", 3100, 12676, "Building the first schedule: 3,100 of 12,676 sections tried."),
        ("parts", None, None, "Solving in parts over the workers: the first schedule shows "
                              "once every part has one."),
    ],
)  # fmt: skip
def test_before_its_first_schedule_a_running_job_says_what_it_does_and_how_far(
    app, client, coordinator, stage, done, total, summary
):
    with app.app_context():
        job = SolveJob(
            period_id=small_period().id, time_limit_seconds=60, status=JobStatus.RUNNING,
            started_at=utcnow(), heartbeat_at=utcnow(),
            stage=stage, stage_done=done, stage_total=total,
        )  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert client.get(f"/solve-jobs/{job_id}/status").get_json()["summary"] == summary
    assert summary in client.get(f"/solve-jobs/{job_id}").get_data(as_text=True)
    with app.app_context():
        db.session.get(SolveJob, job_id).best_cost = 1234.0  # the first schedule is in
        db.session.commit()
    assert client.get(f"/solve-jobs/{job_id}/status").get_json()["summary"] == "Solving."


def test_a_solve_job_reads_the_period_then_builds_its_first_schedule_section_by_section(
    immediate, client, coordinator, monkeypatch
):
    from scheduler.solving.monitor import SolveMonitor

    told = record_building(monkeypatch, SolveMonitor)
    with immediate.app_context():
        period_id = small_period().id
    client.post(f"/planning/{period_id}/solve")
    with immediate.app_context():
        (job,) = jobs_of(period_id)
        assert job.status == JobStatus.FINISHED, job.error
    assert_read_then_built_section_by_section(told)
