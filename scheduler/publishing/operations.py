"""Writes of the publishing area: every state change of a publish job happens here.

A job goes queued → running → finished (the draft is published) or failed (nothing changed).
The publish itself is ``planning.operations.publish_draft``, the one code path of the review
page, the jobs and ``flask plan publish``; a job only records how it went. A job is taken by
one worker (a conditional UPDATE from queued), so a replayed task publishes nothing twice, and
``publish`` itself refuses a draft that is already published.
"""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.jobs import operations as jobs
from scheduler.models import (
    JobStatus,
    OutboxMessage,
    PublishJob,
    ScheduleVersion,
    User,
    VersionStatus,
)
from scheduler.planning.locking import lock_period
from scheduler.planning.publishing import PublishRefused, refusal
from scheduler.publishing import util

PUBLISH_TASK = "publishing.publish_version"
LOST_WORKER = (
    "The worker stopped while publishing; nothing was published or sent (a publish is all or "
    "nothing). Publish again from the draft."
)


def queue_publish(draft: ScheduleVersion, user: User | None) -> PublishJob:
    """Queue a publish of ``draft`` and commit; refused (``PublishRefused``, nothing queued)
    when it cannot be published or a publish of its period is already queued or running."""
    job_id = create_job(draft, user)
    refused = PublishRefused(
        f"{jobs.PAUSED}. Nothing was published; try again in a few minutes, or tell your "
        "administrator."
    )
    jobs.enqueue(PublishJob, PUBLISH_TASK, job_id, fail_job, refused)
    return db.session.get(PublishJob, job_id)


def create_job(draft: ScheduleVersion, user: User | None) -> int:
    """Record a queued publish of ``draft`` and commit; return its id (see ``queue_publish``)."""
    period = draft.period
    # Two clicks take turns on the period's row (PostgreSQL; SQLite serialises writers), so
    # the second one sees the first one's job.
    lock_period(period.id)
    _fail_lost()
    reason = refusal(draft)
    if reason is not None:
        db.session.rollback()
        raise PublishRefused(reason)
    active = util.active_job(period)
    if active is not None:
        db.session.rollback()
        raise PublishRefused(
            f"Version {active.version.number} of {period.name} is already being published "
            f"(job {active.id}): wait for it to finish."
        )
    job = PublishJob(
        period_id=period.id, version_id=draft.id, requested_by_id=user.id if user else None
    )
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    # The worker must find the job's row: commit before queueing (in immediate mode the task
    # runs inside ``enqueue``, in its own session).
    db.session.commit()
    return job_id


def fail_lost_jobs() -> None:
    """Settle running jobs whose worker stopped (see ``util.lost_jobs``) and commit."""
    if util.lost_jobs():
        _fail_lost()
        db.session.commit()


def _fail_lost() -> None:
    """A lost job whose draft got published (the worker stopped between the publish's commit and
    the job's) finished; any other failed: its publish transaction never committed."""
    for job in util.lost_jobs():
        version = job.version
        if version.status != VersionStatus.DRAFT and version.published_at is not None:
            job.status, job.error = JobStatus.FINISHED, ""
        else:
            job.status, job.error = JobStatus.FAILED, LOST_WORKER
        job.finished_at = utcnow()


# --- the worker's side --------------------------------------------------------------------------


def start_job(job_id: int) -> bool:
    """Mark a queued job running and commit; False when another worker took it (a replayed
    task) or it already ended."""
    return jobs.start(PublishJob, job_id, started_at=utcnow())


def fail_job(job_id: int, reason: str) -> None:
    """Mark an unfinished job failed with ``reason`` and commit (the publish rolled back)."""
    jobs.fail(PublishJob, job_id, reason, finished_at=utcnow())


def finish_job(job_id: int, messages: int, replaced: ScheduleVersion | None) -> None:
    """Mark a job finished, with what its publish queued, and commit."""
    jobs.set_values(
        PublishJob,
        job_id,
        status=JobStatus.FINISHED,
        finished_at=utcnow(),
        messages=messages,
        replaced_number=replaced.number if replaced is not None else None,
        error="",
    )


def last_outbox_id() -> int:
    """The newest outbox message's id: messages above it were queued since."""
    return db.session.scalar(select(func.max(OutboxMessage.id))) or 0


def messages_since(outbox_id: int) -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.id > outbox_id)
    )
