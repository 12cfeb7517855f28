"""Writes of the solving area: every state change of a solve job happens here.

A job goes queued → running → finished (a draft stored) or failed (no draft), or queued →
cancelled. The web process and the worker race on some of these steps (a cancel click as the
worker picks the job up; two clicks on Solve), so each transition is a conditional UPDATE or
runs under the period's row lock: whichever side commits first wins and the other sees it.
"""

from __future__ import annotations

import json

from sqlalchemy import select, update

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.jobs import operations as jobs
from scheduler.models import JobStatus, PlanningPeriod, SolveJob, User, VersionOrigin
from scheduler.planning.versions import store_version
from scheduler.solving import util
from scheduler.stamps import stamp_tables

SOLVE_TASK = "solve_period"
LOST_WORKER = (
    "The worker stopped while solving; the last good schedule is unchanged. Retry to solve again."
)


class SolveRefused(Exception):
    """A solve that cannot be queued; the message says why, in the coordinator's words."""


def queue_solve(
    period: PlanningPeriod,
    user: User | None,
    time_limit: int | None = None,
    task: str = SOLVE_TASK,
    previous: dict | None = None,
) -> SolveJob:
    """Queue a solve of ``period`` and commit; refused while another one is queued or running.

    ``time_limit`` (seconds) overrides the period's own for this job only (the command line's
    ``--time-limit``); ``task`` names the kind of solve (a repair is one: ``scheduler.breaks``);
    ``previous`` is a schedule to re-plan from instead of the published one (a promoted
    scenario's plan, ``scheduler.scenarios``)."""
    # The period's row lock makes two simultaneous clicks take turns, so the second one sees the
    # first one's job (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).
    db.session.execute(
        select(PlanningPeriod.id).where(PlanningPeriod.id == period.id).with_for_update()
    )
    db.session.execute(_fail_lost(util.heartbeat_cutoff()))
    active = util.active_job(period)
    if active is not None:
        raise SolveRefused(
            f"A solve of {period.name} is already {active.status.value} (job {active.id}): "
            "wait for it to finish, or cancel it first."
        )
    job = SolveJob(
        period_id=period.id,
        requested_by_id=user.id if user else None,
        time_limit_seconds=time_limit or period.time_limit_seconds,
        previous_json=json.dumps(previous, sort_keys=True) if previous is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    job_id = job.id  # read before the commit expires it: a reload would open a new transaction
    # The worker must find the job's row: commit before queueing (in immediate mode the task
    # runs inside ``enqueue``, in its own session, and would wait for this one's write lock).
    db.session.commit()
    refused = SolveRefused(
        f"{jobs.PAUSED}. Nothing was queued; try again in a few minutes, or tell your "
        "administrator."
    )
    jobs.enqueue(SolveJob, task, job_id, fail_job, refused)
    return db.session.get(SolveJob, job_id)


def cancel(job: SolveJob) -> str:
    """Cancel ``job`` and commit: at once if it has not started, else at the solver's next check
    (it then stores the best schedule found so far). Returns what happened, as a message."""
    db.session.refresh(job, with_for_update=True)
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.CANCELLED
        job.cancel_requested = True
        job.finished_at = utcnow()
        db.session.commit()
        return "The solve was cancelled before it started."
    if job.status == JobStatus.RUNNING:
        job.cancel_requested = True
        db.session.commit()
        return "Stopping the solver: the best schedule found so far will be kept as a draft."
    db.session.rollback()
    return "This solve had already ended."


def fail_lost_jobs() -> bool:
    """Fail running jobs whose worker stopped (no heartbeat for ``JOB_HEARTBEAT_TIMEOUT``).

    Called when a page or a job's status is read and when a worker starts. The read comes first
    so that pages polled every second write nothing in the usual case; the update then runs in
    its own short transaction, and the caller's transaction is ended so that its next reads
    see the change (SQLite keeps a read transaction's snapshot). Returns whether any was failed.
    """
    if not util.any_lost_job():
        return False
    with db.engine.begin() as connection:
        connection.execute(_fail_lost(util.heartbeat_cutoff()))
        stamp_tables(connection, [SolveJob.__tablename__])
    db.session.commit()
    return True


def _fail_lost(cutoff):
    return (
        update(SolveJob)
        .where(util.lost_condition(cutoff))
        .values(status=JobStatus.FAILED, error=LOST_WORKER, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# --- the worker's side --------------------------------------------------------------------------


def start_job(job_id: int) -> bool:
    """Mark a queued job running and commit; False when it was cancelled (or taken) meanwhile."""
    now = utcnow()
    return jobs.start(SolveJob, job_id, started_at=now, heartbeat_at=now)


def fail_job(job_id: int, reason: str) -> None:
    """Mark an unfinished job failed with ``reason`` and commit (its period is left as it was)."""
    jobs.fail(SolveJob, job_id, reason, finished_at=utcnow())


def finish_job(
    job_id: int,
    problem: dict,
    schedule: dict,
    *,
    period_version: int,
    greedy_cost: float | None,
    cancelled: bool,
) -> SolveJob:
    """Store the schedule as a draft of the job's period, mark the job finished and commit."""
    job = db.session.get(SolveJob, job_id, with_for_update=True)
    info = schedule.get("solver", {})
    note = "stopped early at the coordinator's request" if cancelled else ""
    draft = store_version(
        job.period,
        problem,
        schedule,
        origin=VersionOrigin.SOLVE,
        created_by=job.requested_by,
        greedy_cost=greedy_cost,
        note=note,
    )
    # The draft answers the data as it was when the problem was built; a pin or publish during
    # the solve must make publishing it refuse, so it records that version, not today's.
    draft.period_version = period_version
    best = schedule["cost"]["total"]
    job.status = JobStatus.FINISHED
    job.draft_id = draft.id
    job.finished_at = utcnow()
    job.elapsed_seconds = info.get("wall_seconds", job.elapsed_seconds)
    job.best_cost = best
    job.bound = util.displayed_bound(schedule.get("lower_bound"), best)
    job.error = ""
    db.session.commit()
    return job
