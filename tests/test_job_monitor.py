"""The watch over a running job (``scheduler.jobs.monitor``): the first schedule is written at
once, later reports at the next beat, and nothing after the monitor ends."""

from __future__ import annotations

import time

import pytest

from scheduler.extensions import db
from scheduler.models import SolveJob
from scheduler.solving.monitor import SolveMonitor
from tests.solve_worlds import small_period

LONG = 60.0  # a heartbeat interval no test waits for


@pytest.fixture
def job_id(app):
    with app.app_context():
        job = SolveJob(period_id=small_period().id, time_limit_seconds=5)
        db.session.add(job)
        db.session.commit()
        yield job.id


def best_cost(job_id: int) -> float | None:
    """The row's best cost, read in a transaction ended at once (on SQLite the app's transactions
    take the write lock, which the heartbeat needs)."""
    db.session.rollback()
    cost = db.session.get(SolveJob, job_id, populate_existing=True).best_cost
    db.session.rollback()
    return cost


def written(job_id: int, cost: float, within: float = 10.0) -> bool:
    """Whether the row shows ``cost`` within ``within`` seconds (far less than ``LONG``)."""
    until = time.monotonic() + within
    while time.monotonic() < until:
        if best_cost(job_id) == cost:
            return True
        time.sleep(0.02)
    return False


def test_the_first_schedule_is_written_at_once_not_at_the_next_beat(job_id):
    with SolveMonitor(db.engine, job_id, LONG) as monitor:
        assert written(job_id, None, within=1.0)  # the first beat: no cost yet
        monitor.progress(0.1, 1234.0, None)
        assert written(job_id, 1234.0)


def test_later_reports_wait_for_the_beat(job_id):
    with SolveMonitor(db.engine, job_id, LONG) as monitor:
        monitor.progress(0.1, 1234.0, None)
        assert written(job_id, 1234.0)
        monitor.progress(0.2, 1000.0, 900.0)  # kept for the next beat, a minute away
        time.sleep(0.5)
        assert best_cost(job_id) == 1234.0
        monitor.flush()
        assert best_cost(job_id) == 1000.0


def test_nothing_is_written_once_the_monitor_has_ended(job_id):
    with SolveMonitor(db.engine, job_id, LONG) as monitor:
        monitor.progress(0.1, 1234.0, None)
        assert written(job_id, 1234.0)
    row = db.session.get(SolveJob, job_id)
    row.best_cost = 99.0  # what the job's end writes
    db.session.commit()
    monitor.progress(0.3, 1.0, None)  # a late report from a solver thread
    time.sleep(0.5)
    assert best_cost(job_id) == 99.0
    assert not monitor._thread.is_alive()


def stage(job_id: int) -> tuple:
    db.session.rollback()
    job = db.session.get(SolveJob, job_id, populate_existing=True)
    found = job.stage, job.stage_done, job.stage_total
    db.session.rollback()  # read before: it expires the row, and a reload would hold the lock
    return found


def shown(job_id: int, expected: tuple, within: float = 10.0) -> bool:
    until = time.monotonic() + within
    while time.monotonic() < until:
        if stage(job_id) == expected:
            return True
        time.sleep(0.02)
    return False


def test_a_new_step_before_the_first_schedule_is_written_at_once_its_count_at_the_beat(job_id):
    with SolveMonitor(db.engine, job_id, LONG) as monitor:
        assert shown(job_id, (None, None, None), within=1.0)
        monitor.building("new", 0, 40)
        assert shown(job_id, ("new", 0, 40))
        monitor.building("new", 25, 40)  # the same step: kept for the next beat
        time.sleep(0.5)
        assert stage(job_id) == ("new", 0, 40)
        monitor.flush()
        assert stage(job_id) == ("new", 25, 40)
