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


def read(job_id: int, *columns: str) -> tuple:
    """Columns of the job's row, read in a transaction ended at once (on SQLite the app's
    transactions take the write lock, which the heartbeat needs); read before the rollback,
    which expires the row (a reload would hold the lock)."""
    db.session.rollback()
    job = db.session.get(SolveJob, job_id, populate_existing=True)
    found = tuple(getattr(job, c) for c in columns)
    db.session.rollback()
    return found


def best_cost(job_id: int) -> float | None:
    return read(job_id, "best_cost")[0]


def stage(job_id: int) -> tuple:
    return read(job_id, "stage", "stage_done", "stage_total")


def shows(job_id: int, expected, of=best_cost, within: float = 10.0) -> bool:
    """Whether ``of(job_id)`` is ``expected`` within ``within`` seconds (far less than
    ``LONG``)."""
    until = time.monotonic() + within
    while time.monotonic() < until:
        if of(job_id) == expected:
            return True
        time.sleep(0.02)
    return False


def test_the_first_schedule_is_written_at_once_not_at_the_next_beat(job_id):
    with SolveMonitor(db.engine, job_id, LONG) as monitor:
        assert shows(job_id, None, within=1.0)  # the first beat: no cost yet
        monitor.progress(0.1, 1234.0, None)
        assert shows(job_id, 1234.0)


def test_later_reports_wait_for_the_beat(job_id):
    with SolveMonitor(db.engine, job_id, LONG) as monitor:
        monitor.progress(0.1, 1234.0, None)
        assert shows(job_id, 1234.0)
        monitor.progress(0.2, 1000.0, 900.0)  # kept for the next beat, a minute away
        time.sleep(0.5)
        assert best_cost(job_id) == 1234.0
        monitor.flush()
        assert best_cost(job_id) == 1000.0


def test_nothing_is_written_once_the_monitor_has_ended(job_id):
    with SolveMonitor(db.engine, job_id, LONG) as monitor:
        monitor.progress(0.1, 1234.0, None)
        assert shows(job_id, 1234.0)
    row = db.session.get(SolveJob, job_id)
    row.best_cost = 99.0  # what the job's end writes
    db.session.commit()
    monitor.progress(0.3, 1.0, None)  # a late report from a solver thread
    time.sleep(0.5)
    assert best_cost(job_id) == 99.0
    assert not monitor._thread.is_alive()


def test_a_new_step_before_the_first_schedule_is_written_at_once_its_count_at_the_beat(job_id):
    with SolveMonitor(db.engine, job_id, LONG) as monitor:
        assert shows(job_id, (None, None, None), stage, within=1.0)
        monitor.building("new", 0, 40)
        assert shows(job_id, ("new", 0, 40), stage)
        monitor.building("new", 25, 40)  # the same step: kept for the next beat
        time.sleep(0.5)
        assert stage(job_id) == ("new", 0, 40)
        monitor.flush()
        assert stage(job_id) == ("new", 25, 40)
