"""A large period's solve split into parts over the job queue (issue 18): immediate mode, the
embedded worker's threads, a failing part, and the per-part rows of the job page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.jobs.worker import EmbeddedConsumer, start_embedded_worker
from scheduler.models import JobStatus, Role, ScheduleVersion, SolveJob, SolvePart, SolveSplit
from solver import check, parse_problem
from solver.decompose_guide import GUIDE_KEY
from solver.greedy import greedy
from tests.factories import create_user
from tests.solve_worlds import period_with, wait_for


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    auth.login("coordinator@example.com")


@pytest.fixture
def split_at_4(app):
    """Periods of more than 4 cohorts are solved in parts."""
    app.config["SOLVE_PART_COHORTS"] = 4
    return app


def solve(client, period_id: int) -> int:
    response = client.post(f"/planning/{period_id}/solve")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def parts_of(job_id: int) -> list[SolvePart]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(SolvePart).where(SolvePart.job_id == job_id).order_by(SolvePart.index)
        )
    )


def versions(period_id: int) -> int:
    return db.session.scalar(
        select(func.count(ScheduleVersion.id)).where(ScheduleVersion.period_id == period_id)
    )


def assert_valid_draft(job: SolveJob) -> dict:
    problem, errors = parse_problem(json.loads(job.draft.problem_json))
    assert errors == []
    schedule = json.loads(job.draft.schedule_json)
    assert check(problem, schedule) == []
    return schedule


def test_a_large_period_is_solved_in_parts_merged_checked_and_stored(
    app, split_at_4, client, coordinator
):
    app.config["JOBS_IMMEDIATE"] = True
    with app.app_context():
        period_id = period_with(cohorts=10, sites=2, facilitators=4, time_limit=30).id
    job_id = solve(client, period_id)
    with app.app_context():
        job = db.session.get(SolveJob, job_id)
        assert job.status == JobStatus.FINISHED, job.error
        found = parts_of(job_id)
        assert len(found) == 3 and [p.index for p in found] == [0, 1, 2]
        assert sum(p.cohorts for p in found) == 10
        assert (job.stage, job.stage_done, job.stage_total) == ("parts", None, None)
        assert all(p.status == JobStatus.FINISHED and p.best_cost is not None for p in found)
        # The time limit is wall-clock for the whole job: each part's own limit ends before it.
        job_end = job.started_at + timedelta(seconds=job.time_limit_seconds)
        for part in found:
            assert 0 < part.time_limit_seconds
            assert part.started_at + timedelta(seconds=part.time_limit_seconds) <= job_end
        schedule = assert_valid_draft(job)
        assert schedule["solver"]["strategy"] == "decomposed"
        assert job.best_cost == pytest.approx(sum(p.best_cost for p in found))
        assert job.draft.total_cost == pytest.approx(job.best_cost)
        # The whole period's greedy plan came first and guided the split: each part started
        # from its share of it, so their first plans add up to it.
        document = json.loads(db.session.get(SolveSplit, job_id).problem_json)
        whole = greedy(parse_problem(document)[0])["cost"]["total"]
        assert all(json.loads(p.problem_json).get(GUIDE_KEY) for p in found)
        assert sum(p.first_cost for p in found) == pytest.approx(whole)
        assert job.best_cost <= whole
        placed = {c["cohort"] for s in schedule["sections"] for c in s["cohorts"]}
        assert len(placed) >= 8  # the parts place nearly every cohort
        # One component split in three: its bound is computed on it unsplit, below the cost.
        (piece,) = schedule["solver"]["bound_parts"]["pieces"]
        assert piece["split"] and piece["parts"] == [0, 1, 2] and piece["cohorts"] == 10
        assert job.bound == schedule["lower_bound"] == piece["bound"]
        assert 0 < job.bound <= job.best_cost
        assert schedule["solver"]["gap"] == round((job.best_cost - job.bound) / job.best_cost, 6)
    page = client.get(f"/solve-jobs/{job_id}").get_data(as_text=True)
    assert "Part 1 of 3" in page and "Part 3 of 3" in page
    assert "each part&#39;s best bound added up" in page
    status = client.get(f"/solve-jobs/{job_id}/status").get_json()
    assert [p["label"] for p in status["parts"]] == ["Part 1 of 3", "Part 2 of 3", "Part 3 of 3"]
    assert all(p["status"] == "finished" for p in status["parts"])


def test_a_period_within_the_size_stays_on_the_single_solve(app, split_at_4, client, coordinator):
    app.config["JOBS_IMMEDIATE"] = True
    with app.app_context():
        period_id = period_with(cohorts=4, facilitators=2, time_limit=3).id
    job_id = solve(client, period_id)
    with app.app_context():
        job = db.session.get(SolveJob, job_id)
        assert job.status == JobStatus.FINISHED, job.error
        assert parts_of(job_id) == []
        assert json.loads(job.draft.schedule_json)["solver"].get("strategy") != "decomposed"
    assert client.get(f"/solve-jobs/{job_id}/status").get_json()["parts"] == []


def test_a_failed_part_fails_the_job_and_keeps_the_last_draft(
    app, split_at_4, client, coordinator, monkeypatch
):
    app.config["JOBS_IMMEDIATE"] = True
    with app.app_context():
        period_id = period_with(cohorts=10, sites=2, facilitators=4, time_limit=30).id
    first = solve(client, period_id)
    import solver.solve

    real, calls = solver.solve.solve, []

    def second_part_breaks(problem, **kwargs):
        calls.append(len(problem.cohorts))
        if len(calls) == 2:
            raise RuntimeError("worker out of memory")
        return real(problem, **kwargs)

    monkeypatch.setattr(solver.solve, "solve", second_part_breaks)
    job_id = solve(client, period_id)
    with app.app_context():
        assert db.session.get(SolveJob, first).status == JobStatus.FINISHED
        job = db.session.get(SolveJob, job_id)
        assert job.status == JobStatus.FAILED and job.draft_id is None
        assert "worker out of memory" in job.error and "last good schedule" in job.error
        statuses = [p.status for p in parts_of(job_id)]
        assert statuses[1] == JobStatus.FAILED
        assert JobStatus.FINISHED not in statuses[2:]  # no part ran after the job failed
        assert versions(period_id) == 1  # only the first solve's draft


def test_the_embedded_workers_threads_solve_the_parts_into_one_draft(
    app, split_at_4, client, coordinator
):
    consumer = start_embedded_worker(app)
    assert isinstance(consumer, EmbeddedConsumer)
    try:
        with app.app_context():
            period_id = period_with(cohorts=10, sites=2, facilitators=4, time_limit=30).id
        job_id = solve(client, period_id)
        with app.app_context():
            job = wait_for(job_id, lambda job: not job.status.active, timeout=90)
            assert job.status == JobStatus.FINISHED, job.error
            found = parts_of(job_id)
            assert len(found) == 3 and all(p.status == JobStatus.FINISHED for p in found)
            assert_valid_draft(job)
            assert versions(period_id) == 1
    finally:
        consumer.stop(graceful=True)


def _part_of(job_id: int, index: int) -> SolvePart:
    return parts_of(job_id)[index]


def test_cancel_of_a_job_solved_in_parts_stops_every_part_and_keeps_the_last_draft(
    app, client, coordinator
):
    # Two sub-parts of 12 cohorts (one per site); their plans never meet their bounds (the
    # cohorts may not be split), so each would run its whole share. One worker thread: the
    # second part is still queued while the first one runs.
    app.config["SOLVE_PART_COHORTS"] = 12
    consumer = start_embedded_worker(app, workers=1)
    assert isinstance(consumer, EmbeddedConsumer)
    try:
        with app.app_context():
            period = period_with(cohorts=24, sites=2, facilitators=4, time_limit=4,
                                 sizes=(11, 3), splittable=False)  # fmt: skip
            period_id = period.id
        first = solve(client, period_id)
        with app.app_context():
            assert wait_for(first, lambda job: not job.status.active).status == JobStatus.FINISHED
            assert versions(period_id) == 1
            db.session.get(SolveJob, first).period.time_limit_seconds = 600
            db.session.commit()
        job_id = solve(client, period_id)
        with app.app_context():
            wait_for(job_id, lambda job: parts_of(job_id) and _part_of(job_id, 0).best_cost)
            assert _part_of(job_id, 1).status == JobStatus.QUEUED
        response = client.post(f"/solve-jobs/{job_id}/cancel", follow_redirects=True)
        assert response.status_code == 200
        with app.app_context():
            job = wait_for(job_id, lambda job: not job.status.active, timeout=60)
            assert job.status == JobStatus.CANCELLED and job.cancel_requested
            assert job.draft_id is None and versions(period_id) == 1  # the last draft stays
            running, queued = parts_of(job_id)
            # The running part stopped and kept its best schedule; the queued one never started.
            assert running.status == JobStatus.FINISHED and running.schedule_json
            assert queued.status == JobStatus.CANCELLED and queued.started_at is None
            assert "cancelled before this part started" in queued.error
        summary = client.get(f"/solve-jobs/{job_id}/status").get_json()["summary"]
        assert summary.startswith("Cancelled at your request while solving in parts")
        assert "1 of 2 parts had no schedule yet" in summary
        assert "last good schedule is unchanged" in summary
        page = client.get(f"/solve-jobs/{job_id}").get_data(as_text=True)
        assert "Cancelled at your request" in page
    finally:
        consumer.stop(graceful=True)


def test_cancel_while_every_part_runs_merges_their_best_schedules_into_a_draft(
    app, client, coordinator
):
    app.config["SOLVE_PART_COHORTS"] = 12
    consumer = start_embedded_worker(app, workers=2)  # both parts run at once
    assert isinstance(consumer, EmbeddedConsumer)
    try:
        with app.app_context():
            period_id = period_with(cohorts=24, sites=2, facilitators=4, time_limit=600,
                                    sizes=(11, 3), splittable=False).id  # fmt: skip
        job_id = solve(client, period_id)
        with app.app_context():
            wait_for(job_id, lambda job: len(parts_of(job_id)) == 2
                     and all(p.best_cost is not None for p in parts_of(job_id)))  # fmt: skip
        client.post(f"/solve-jobs/{job_id}/cancel")
        with app.app_context():
            job = wait_for(job_id, lambda job: not job.status.active, timeout=60)
            assert job.status == JobStatus.FINISHED and job.cancel_requested
            assert all(p.status == JobStatus.FINISHED for p in parts_of(job_id))
            assert "stopped early" in job.draft.note and versions(period_id) == 1
            schedule = assert_valid_draft(job)
            assert job.best_cost == pytest.approx(sum(p.best_cost for p in parts_of(job_id)))
            assert 0 < schedule["lower_bound"] <= job.best_cost
        summary = client.get(f"/solve-jobs/{job_id}/status").get_json()["summary"]
        assert summary.startswith("Stopped early at your request")
    finally:
        consumer.stop(graceful=True)
