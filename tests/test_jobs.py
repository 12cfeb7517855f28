"""Real workers: the consumer embedded in the web process (SQLite queue), ``flask worker`` on
Redis, a Cancel that keeps the best schedule, and a worker killed mid-solve."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.jobs.worker import EmbeddedConsumer, start_embedded_worker
from scheduler.models import JobStatus, PlanningPeriod, Role, ScheduleVersion
from scheduler.solving.operations import LOST_WORKER
from tests.factories import create_user
from tests.solve_worlds import busy_period, small_period, wait_for

PROJECT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    auth.login("coordinator@example.com")


@pytest.fixture
def embedded_worker(app):
    """The worker ``cohort-scheduler serve`` runs: threads of this process, the SQLite queue."""
    consumer = start_embedded_worker(app)
    assert isinstance(consumer, EmbeddedConsumer)
    yield consumer
    consumer.stop(graceful=True)  # its threads end before the app's engine is disposed


@pytest.fixture
def redis_url():
    """A reachable Redis (CI always has one), else the test is skipped."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); set SCHEDULER_TEST_REDIS_URL")
    finally:
        client.close()
    return REDIS_URL


class WorkerProcess:
    """``flask --app scheduler worker`` in a subprocess, configured like the test app."""

    def __init__(self, app, tmp_path: Path) -> None:
        instance = tmp_path / "worker-instance"
        instance.mkdir(exist_ok=True)
        settings = {
            key: app.config[key]
            for key in (
                "SQLALCHEMY_DATABASE_URI",
                "JOBS_SQLITE_PATH",
                "REDIS_URL",
                "JOBS_QUEUE_NAME",
            )
        }
        settings["SECRET_KEY"] = "test"
        lines = [f"{key} = {value!r}" for key, value in settings.items()]
        (instance / "config.py").write_text("\n".join(lines) + "\n")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEDULER_")}
        self.env["SCHEDULER_INSTANCE_PATH"] = str(instance)
        self.log = instance / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "scheduler", "worker"],
                cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker_process(app, tmp_path):
    workers = []

    def start() -> WorkerProcess:
        workers.append(WorkerProcess(app, tmp_path).start())
        return workers[-1]

    yield start
    for worker in workers:
        worker.stop()


def solve_from_the_page(client, period_id: int) -> int:
    response = client.post(f"/planning/{period_id}/solve")
    assert "/solve-jobs/" in response.headers["Location"], response.headers["Location"]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def page(client, period_id: int) -> str:
    return client.get(f"/planning/{period_id}").get_data(as_text=True)


def drafts(period_id: int) -> list[tuple[int, float]]:
    db.session.rollback()
    rows = db.session.execute(
        select(ScheduleVersion.number, ScheduleVersion.total_cost)
        .where(ScheduleVersion.period_id == period_id)
        .order_by(ScheduleVersion.number)
    )
    return [tuple(row) for row in rows]


LOAD_ENGINE = """
import json, sys
from scheduler import create_app
from scheduler.jobs import queue
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "test",
                  "JOBS_SQLITE_PATH": sys.argv[2]})
web = "ortools" in sys.modules
queue.worker_starting(app)
print(json.dumps([web, "ortools.sat.python.cp_model" in sys.modules]))
"""


def test_a_worker_loads_the_engine_as_it_starts_and_the_web_app_does_not(database_url, tmp_path):
    """OR-Tools takes 0.4 s to load: a worker loads it before taking a job, so that the first
    job's first schedule does not wait for it; the web process never loads it."""
    run = subprocess.run(
        [sys.executable, "-c", LOAD_ENGINE, database_url, str(tmp_path / "jobs.sqlite3")],
        capture_output=True,
        text=True,
        check=True,
    )
    web, worker = json.loads(run.stdout.splitlines()[-1])
    assert (web, worker) == (False, True)


def test_an_idle_embedded_worker_starts_a_queued_job_without_waiting_for_its_next_poll(app):
    """Polling every 10 minutes: a job queued in this process still starts at once, because the
    queue wakes the idle worker. (Without the wake-up the job would wait for the poll, and the
    generous timeout below would run out.)"""
    import threading

    app.config["JOBS_POLL_SECONDS"] = 600
    huey = queue.huey(app)
    idle, ran = threading.Event(), threading.Event()
    dequeue = huey.dequeue

    def watched_dequeue():
        task = dequeue()
        if task is None:
            idle.set()  # the worker found nothing and is about to sleep
        return task

    huey.dequeue = watched_dequeue
    probe = huey.task(name="tests.wake_probe")(ran.set)
    consumer = EmbeddedConsumer(
        huey, workers=1, worker_type="thread", periodic=False, initial_delay=600, max_delay=600
    )
    consumer.start()
    try:
        assert idle.wait(timeout=60), "the worker never looked at the queue"
        probe()
        assert ran.wait(timeout=60), "the queued job waited for the worker's next poll"
    finally:
        consumer.stop(graceful=True)


def test_embedded_worker_solves_a_period_into_a_draft(app, client, coordinator, embedded_worker):
    with app.app_context():
        period_id = small_period(time_limit=3).id
    job_id = solve_from_the_page(client, period_id)
    with app.app_context():
        job = wait_for(job_id, lambda job: not job.status.active, timeout=30)
        assert job.status == JobStatus.FINISHED, job.error
        assert job.draft.number == 1 and job.draft.greedy_cost is not None
        assert job.heartbeat_at is not None and 0 <= job.bound <= job.best_cost
    status = client.get(f"/solve-jobs/{job_id}/status").get_json()
    assert status["status"] == "finished" and status["best_cost"] == pytest.approx(job.best_cost)


def test_flask_worker_on_redis_solves_a_period_into_a_draft(
    app, client, coordinator, redis_url, worker_process
):
    # A queue of its own, so that parallel test runs on one Redis never take each other's tasks.
    app.config.update(REDIS_URL=redis_url, JOBS_QUEUE_NAME=f"test-{uuid.uuid4().hex}")
    assert start_embedded_worker(app) is None  # with Redis, `serve` leaves solving to workers
    worker_process()
    with app.app_context():
        period_id = small_period(time_limit=3).id
    try:
        job_id = solve_from_the_page(client, period_id)
        with app.app_context():
            job = wait_for(job_id, lambda job: not job.status.active, timeout=60)
            assert job.status == JobStatus.FINISHED, job.error
            assert drafts(period_id) == [(1, pytest.approx(job.best_cost))]
    finally:
        with app.app_context():
            huey = queue.huey(app)
            huey.flush()
            huey.storage.pool.disconnect()


def test_cancel_stops_the_solver_and_keeps_the_best_schedule(
    app, client, coordinator, embedded_worker
):
    with app.app_context():
        period_id = busy_period(time_limit=60).id
    job_id = solve_from_the_page(client, period_id)
    with app.app_context():
        wait_for(job_id, lambda job: job.best_cost is not None, timeout=30)
    response = client.post(f"/solve-jobs/{job_id}/cancel", follow_redirects=True)
    assert "best schedule found so far will be kept" in response.get_data(as_text=True)
    with app.app_context():
        job = wait_for(job_id, lambda job: not job.status.active, timeout=15)
        assert job.status == JobStatus.FINISHED and job.cancel_requested
        assert job.elapsed_seconds < 30  # stopped, not run to its 60 s limit
        assert job.draft is not None and "stopped early" in job.draft.note
        assert job.draft.total_cost == pytest.approx(job.best_cost)
    summary = client.get(f"/solve-jobs/{job_id}/status").get_json()["summary"]
    assert summary.startswith("Stopped early at your request")


def test_a_killed_worker_fails_its_job_keeps_the_last_draft_and_retry_works(
    app, client, coordinator, worker_process
):
    app.config["JOB_HEARTBEAT_TIMEOUT"] = 3
    with app.app_context():
        period_id = busy_period(time_limit=2).id
    worker = worker_process()
    first = solve_from_the_page(client, period_id)
    with app.app_context():
        assert wait_for(first, lambda job: not job.status.active).status == JobStatus.FINISHED
        before = drafts(period_id)
        db.session.get(PlanningPeriod, period_id).time_limit_seconds = 120
        db.session.commit()

    crashed = solve_from_the_page(client, period_id)
    with app.app_context():
        wait_for(crashed, lambda job: job.best_cost is not None and job.elapsed_seconds > 1)
    worker.kill()
    # Until its heartbeat is stale the job still looks running; reading the page then fails it.
    deadline = time.monotonic() + 20
    while "The worker stopped while solving" not in page(client, period_id):
        assert time.monotonic() < deadline, "the lost job was not failed"
        time.sleep(0.5)
    with app.app_context():
        job = wait_for(crashed, lambda job: True)
        assert job.error == LOST_WORKER and job.draft_id is None
        assert drafts(period_id) == before
        db.session.get(PlanningPeriod, period_id).time_limit_seconds = 2
        db.session.commit()

    worker_process()
    retry = solve_from_the_page(client, period_id)
    with app.app_context():
        assert wait_for(retry, lambda job: not job.status.active).status == JobStatus.FINISHED
        assert [number for number, _ in drafts(period_id)] == [1, 2]


def test_workers_send_the_outbox_every_minute_and_reminders_every_quarter_hour(app):
    from datetime import datetime

    huey = queue.huey(app)
    due = {
        minute: {task.name for task in huey.read_periodic(datetime(2027, 3, 1, 9, minute))}
        for minute in (1, 15)
    }
    # Learning records go to the LRS every minute too (a no-op without XAPI_ENDPOINT).
    assert due[1] == {"calendars.send_mail", "learning_records.send"}
    # Follow-up nudges (scheduler/followups/tasks.py) go out every quarter hour too, and the
    # replies mailbox is read every IMAP_POLL_MINUTES (5; a no-op without IMAP_HOST).
    assert due[15] == {
        "calendars.send_mail",
        "calendars.queue_reminders",
        "followups.send_nudges",
        "calendars.read_replies",
        "learning_records.send",
    }
