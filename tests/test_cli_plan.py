"""``flask plan solve|publish|status`` and ``flask mail send``: the pages' operations from cron,
with the documented exit codes (0 done, 1 failed or refused, 2 unknown period or version)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.jobs.worker import start_embedded_worker
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message
from scheduler.models import (
    AuditEntry,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    PlanningPeriod,
    Role,
    ScheduleVersion,
    SolveJob,
    VersionStatus,
)
from scheduler.planning.versions import published_version
from scheduler.solving.operations import queue_solve
from tests.drafts import Costs, first_plan, spring_organisation, store_draft
from tests.factories import create_user
from tests.solve_worlds import small_period
from tests.test_jobs import WorkerProcess

REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


def versions_of(period_id: int) -> list[tuple[int, str, float]]:
    db.session.rollback()
    rows = db.session.execute(
        select(ScheduleVersion.number, ScheduleVersion.status, ScheduleVersion.total_cost)
        .where(ScheduleVersion.period_id == period_id)
        .order_by(ScheduleVersion.number)
    )
    return [(number, status.value, cost) for number, status, cost in rows]


def printed_cost(output: str) -> float:
    found = re.search(r"cost ([\d,]+\.\d\d)", output)
    assert found, output
    return float(found.group(1).replace(",", ""))


# --- plan solve ----------------------------------------------------------------------------------


def test_solve_without_redis_runs_in_this_process_and_prints_the_draft_and_its_cost(app, runner):
    with app.app_context():
        period_id = small_period(time_limit=30).id
        create_user(Role.COORDINATOR, email="casey@example.com", name="Casey")
        db.session.commit()
    result = runner.invoke(
        args=[
            "plan",
            "solve",
            "--period",
            "March",
            "--time-limit",
            "3",
            "--by",
            "casey@example.com",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Draft version 1 of March: cost " in result.stdout
    assert "Not placed: nobody." in result.stdout
    with app.app_context():
        assert versions_of(period_id) == [(1, "draft", pytest.approx(printed_cost(result.stdout)))]
        (job,) = db.session.scalars(select(SolveJob))
        assert job.status == JobStatus.FINISHED
        assert job.time_limit_seconds == 3  # --time-limit, not the period's 30
        assert job.requested_by.name == "Casey"


def test_solve_prints_who_could_not_be_placed_on_one_line(app, runner, monkeypatch):
    from solver import solve as solver_solve

    real, left_out = solver_solve.solve, []

    def leaving_out_two_learners(problem, **options):
        schedule = real(problem, **options)
        left_out.append(next(iter(problem.cohorts)))  # a cohort's key
        schedule["unscheduled"] = [{"cohort": left_out[0], "learners": 2, "reasons": []}]
        return schedule

    monkeypatch.setattr("solver.solve.solve", leaving_out_two_learners)
    with app.app_context():
        small_period(time_limit=3)
    result = runner.invoke(args=["plan", "solve", "--period", "March"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == f"Not placed: 2 learners ({left_out[0]}: 2)."


def test_solve_waits_for_the_serve_worker_when_it_takes_the_job(app, runner):
    with app.app_context():
        period_id = small_period(time_limit=3).id
    consumer = start_embedded_worker(app)  # a `cohort-scheduler serve` on this machine
    try:
        result = runner.invoke(args=["plan", "solve", "--period", "March"])
    finally:
        consumer.stop(graceful=True)
    assert result.exit_code == 0, result.output
    with app.app_context():
        # Whichever of the two ran it, the job ran once: one job, one draft.
        assert [n for n, _, _ in versions_of(period_id)] == [1]
        assert db.session.scalar(select(func.count(SolveJob.id))) == 1


@pytest.fixture
def redis_url():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); set SCHEDULER_TEST_REDIS_URL")
    finally:
        client.close()
    return REDIS_URL


def test_solve_with_redis_waits_for_a_worker_elsewhere(app, runner, redis_url, tmp_path):
    app.config.update(REDIS_URL=redis_url, JOBS_QUEUE_NAME=f"test-{uuid.uuid4().hex}")
    with app.app_context():
        period_id = small_period(time_limit=3).id
    worker = WorkerProcess(app, tmp_path).start()
    try:
        result = runner.invoke(args=["plan", "solve", "--period", "March"])
        assert result.exit_code == 0, result.output + Path(worker.log).read_text()
        with app.app_context():
            assert versions_of(period_id) == [
                (1, "draft", pytest.approx(printed_cost(result.stdout)))
            ]
    finally:
        worker.stop()
        with app.app_context():
            huey = queue.huey(app)
            huey.flush()
            huey.storage.pool.disconnect()


def test_an_infeasible_solve_exits_1_with_the_reason_and_stores_no_draft(app, runner, monkeypatch):
    def infeasible(problem, **options):
        return {"status": "infeasible", "errors": [{"message": "pins S1 and S2 collide"}]}

    monkeypatch.setattr("solver.solve.solve", infeasible)
    with app.app_context():
        period_id = small_period(time_limit=3).id
    result = runner.invoke(args=["plan", "solve", "--period", "March"])
    assert result.exit_code == 1
    assert "failed" in result.output and "pins S1 and S2 collide" in result.output
    with app.app_context():
        assert versions_of(period_id) == []


def test_a_solve_while_another_is_queued_is_refused_with_exit_1(app, runner):
    with app.app_context():
        period = small_period()
        queue_solve(period, None)  # queued; no worker takes from the test's SQLite queue
    result = runner.invoke(args=["plan", "solve", "--period", "March"])
    assert result.exit_code == 1
    assert "already queued" in result.output


def test_ctrl_c_during_an_in_process_solve_fails_its_job_and_exits_130(app, runner, monkeypatch):
    def interrupted(job_id):
        from scheduler.solving.operations import start_job

        start_job(job_id)
        raise KeyboardInterrupt

    monkeypatch.setattr("scheduler.solving.tasks.solve_period", interrupted)
    with app.app_context():
        small_period()
    result = runner.invoke(args=["plan", "solve", "--period", "March"])
    assert result.exit_code == 130
    assert "Interrupted. The solve was stopped" in result.output
    with app.app_context():
        (job,) = db.session.scalars(select(SolveJob))
        assert job.status == JobStatus.FAILED and "command line" in job.error


def test_ctrl_c_while_waiting_for_a_worker_cancels_the_queued_job(app, runner, monkeypatch):
    # Workers elsewhere (as with Redis), and none of them takes the job.
    monkeypatch.setattr(type(queue), "is_embedded", lambda self, app: False)

    def interrupted(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr("scheduler.planning.commands.sleep", interrupted)
    with app.app_context():
        small_period()
    result = runner.invoke(args=["plan", "solve", "--period", "March"])
    assert result.exit_code == 130
    assert "Waiting for a worker to start it." in result.output
    assert "The solve was cancelled before it started." in result.output
    with app.app_context():
        (job,) = db.session.scalars(select(SolveJob))
        assert job.status == JobStatus.CANCELLED


# --- plan publish --------------------------------------------------------------------------------


@pytest.fixture
def spring(app) -> dict:
    """The review tests' organisation (two cohorts, two facilitators) with draft 1 committed."""
    with app.app_context():
        create_user(Role.COORDINATOR, email="casey@example.com", name="Casey")
        period, found = spring_organisation()
        draft = store_draft(period, first_plan(found), costs=Costs(total=1234.5))
        db.session.commit()
        objects = {name: (type(value), value.id) for name, value in found.items()}
        return {"period": period.id, "draft": draft.id, "objects": objects}


def spring_objects(spring: dict) -> dict:
    """The organisation's cohorts, facilitators and rooms in the current session."""
    return {name: db.session.get(kind, id_) for name, (kind, id_) in spring["objects"].items()}


def outbox() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage.recipient).order_by(OutboxMessage.id)))


def test_publish_latest_draft_publishes_it_and_queues_its_invitations(app, runner, spring):
    with app.app_context():
        period = db.session.get(PlanningPeriod, spring["period"])
        newest = store_draft(period, first_plan(spring_objects(spring)), costs=Costs(total=999.0))
        db.session.commit()
        newest_id = newest.id
    result = runner.invoke(
        args=[
            "plan",
            "publish",
            "--period",
            "Spring",
            "--latest-draft",
            "--by",
            "casey@example.com",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Published version 2 of Spring." in result.stdout
    with app.app_context():
        period = db.session.get(PlanningPeriod, spring["period"])
        assert published_version(period).id == newest_id
        assert versions_of(period.id) == [(1, "draft", 1234.5), (2, "published", 999.0)]
        recipients = outbox()
        assert len(recipients) >= 3  # two facilitators and the learners
        assert f"Invitations queued: {len(recipients)} messages." in result.stdout
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.action, entry.user_name) == ("publish", "Casey")
    # As after the page's Publish: a worker is asked to send them now.
    assert [task.name for task in queue.huey(app).pending()] == ["calendars.send_mail"]


def test_publish_by_number_refuses_a_draft_made_before_the_plan_changed(app, runner, spring):
    with app.app_context():
        period = db.session.get(PlanningPeriod, spring["period"])
        period.version += 1  # a pin or a move since the draft was made
        db.session.commit()
    result = runner.invoke(args=["plan", "publish", "--period", "Spring", "--version", "1"])
    assert result.exit_code == 1
    assert "Someone published or changed this plan" in result.output
    with app.app_context():
        assert versions_of(spring["period"]) == [(1, "draft", 1234.5)]
        assert outbox() == []


def test_publishing_the_published_version_again_is_refused_with_exit_1(app, runner, spring):
    assert (
        runner.invoke(args=["plan", "publish", "--period", "Spring", "--version", "1"]).exit_code
        == 0
    )
    result = runner.invoke(args=["plan", "publish", "--period", "Spring", "--version", "1"])
    assert result.exit_code == 1
    assert "Version 1 is already published" in result.output


def test_publish_of_an_unknown_version_or_without_a_draft_exits_2(app, runner, spring):
    result = runner.invoke(args=["plan", "publish", "--period", "Spring", "--version", "7"])
    assert result.exit_code == 2
    assert "Spring has no version 7; its drafts: 1." in result.output
    runner.invoke(args=["plan", "publish", "--period", "Spring", "--latest-draft"])
    result = runner.invoke(args=["plan", "publish", "--period", "Spring", "--latest-draft"])
    assert result.exit_code == 2
    assert "Spring has no draft to publish" in result.output


@pytest.mark.parametrize("choice", [[], ["--version", "1", "--latest-draft"]])
def test_publish_needs_exactly_one_of_version_and_latest_draft(app, runner, spring, choice):
    result = runner.invoke(args=["plan", "publish", "--period", "Spring", *choice])
    assert result.exit_code == 2
    assert "Give either --version N or --latest-draft" in result.output
    with app.app_context():
        assert versions_of(spring["period"]) == [(1, "draft", 1234.5)]


def test_an_unknown_coordinator_in_by_exits_2_and_publishes_nothing(app, runner, spring):
    result = runner.invoke(
        args=["plan", "publish", "--period", "Spring", "--latest-draft", "--by", "nobody@x.org"]
    )
    assert result.exit_code == 2
    assert "No enabled coordinator has the e-mail 'nobody@x.org'" in result.output
    with app.app_context():
        assert versions_of(spring["period"]) == [(1, "draft", 1234.5)]


# --- plan status ---------------------------------------------------------------------------------


def test_status_shows_published_version_latest_draft_and_the_queued_solve(app, runner, spring):
    runner.invoke(args=["plan", "publish", "--period", "Spring", "--version", "1"])
    with app.app_context():
        period = db.session.get(PlanningPeriod, spring["period"])
        unscheduled = [{"cohort": "fire-leeds", "learners": 1, "reasons": []}]
        store_draft(period, [], costs=Costs(total=999.0), unscheduled=unscheduled)
        db.session.commit()
        job_id = queue_solve(period, None).id
    result = runner.invoke(args=["plan", "status", "--period", "Spring"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Spring (2027-03-15 to 2027-04-30, Europe/London)"
    assert lines[1].startswith(
        "Published:    version 1, cost 1,234.50, 4 sessions, 0 learners not placed; published "
    )
    assert lines[1].endswith(("GMT", "BST"))  # the period's zone, named
    # Draft 2 was stored after the publish: it answers the plan as it is now.
    assert lines[2] == "Latest draft: version 2, cost 999.00, 0 sessions, 1 learner not placed"
    assert lines[3] == f"Solve:        queued (job {job_id}, 0 s of 60 s)"


def test_status_says_a_draft_is_out_of_date_once_the_plan_moved_on(app, runner, spring):
    with app.app_context():
        db.session.get(PlanningPeriod, spring["period"]).version += 1
        db.session.commit()
    result = runner.invoke(args=["plan", "status", "--period", "Spring"])
    assert result.exit_code == 0, result.output
    assert "Published:    none" in result.stdout
    assert (
        "version 1, cost 1,234.50, 4 sessions, 0 learners not placed; out of date" in result.stdout
    )
    assert "Solve:        none queued or running; never solved" in result.stdout


# --- which period ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["status"], ["solve"], ["publish", "--latest-draft"]])
def test_an_unknown_period_exits_2_naming_the_known_ones(app, runner, spring, command):
    with app.app_context():
        db.session.add(PlanningPeriod(name="Autumn", **_dates()))
        db.session.commit()
    result = runner.invoke(args=["plan", command[0], "--period", "Sprnig", *command[1:]])
    assert result.exit_code == 2
    assert "No planning period named 'Sprnig'. Known periods: 'Autumn', 'Spring'." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(SolveJob.id))) == 0
        assert versions_of(spring["period"]) == [(1, "draft", 1234.5)]


def _dates() -> dict:
    from datetime import date

    return {"start": date(2027, 9, 1), "end": date(2027, 9, 30), "timezone": "UTC"}


def test_a_name_differing_only_in_case_finds_the_period(app, runner, spring):
    result = runner.invoke(args=["plan", "status", "--period", "  spring "])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Spring (")


def test_an_ambiguous_name_exits_2_listing_the_ids_and_the_id_then_works(app, runner, spring):
    with app.app_context():
        other = PlanningPeriod(name="Spring", **_dates())
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    result = runner.invoke(args=["plan", "status", "--period", "Spring"])
    assert result.exit_code == 2
    assert "2 periods are named 'Spring'" in result.output
    assert f"{spring['period']}: Spring (2027-03-15 to 2027-04-30)" in result.output
    assert f"{other_id}: Spring (2027-09-01 to 2027-09-30)" in result.output
    result = runner.invoke(args=["plan", "status", "--period", str(other_id)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Spring (2027-09-01 to 2027-09-30, UTC)")


# --- mail send -----------------------------------------------------------------------------------


def queue_mail(app, count: int) -> None:
    with app.app_context():
        for n in range(count):
            queue_message(compose(f"person{n}@example.com", f"Invitation {n}", "Hello."))
        db.session.commit()


def test_mail_send_drains_the_outbox_into_eml_files_without_smtp(app, runner):
    assert not app.config["SMTP_HOST"]
    queue_mail(app, 3)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "sent 3, failed 0"
    assert len(list(Path(app.config["OUTBOX_PATH"]).glob("*.eml"))) == 3
    with app.app_context():
        pending = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        assert db.session.scalar(pending) == 0
    assert runner.invoke(args=["mail", "send"]).stdout.strip() == "sent 0, failed 0"


def test_mail_send_exits_1_when_messages_fail_and_keeps_them_for_a_retry(app, runner):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    queue_mail(app, 2)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 1
    assert "sent 0, failed 2" in result.stdout
    assert "2 messages could not be sent" in result.output
    with app.app_context():
        statuses = db.session.scalars(select(OutboxMessage.status)).all()
        assert statuses == [OutboxStatus.PENDING, OutboxStatus.PENDING]


def test_published_draft_status_is_published_after_cli_publish(app, runner, spring):
    runner.invoke(args=["plan", "publish", "--period", "Spring", "--latest-draft"])
    with app.app_context():
        version = db.session.get(ScheduleVersion, spring["draft"])
        assert version.status == VersionStatus.PUBLISHED and version.published_by_id is None
