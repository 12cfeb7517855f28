"""The publish task: a queued job's draft → ``publish_draft`` → the published plan.

It runs in a worker (embedded in the web process, or ``flask worker``), inside an app context;
``flask plan publish`` runs the same ``run_publish_job`` in its own process. Whatever goes wrong
ends with the job failed and a reason, and the publish's one transaction rolled back: the last
published schedule, the outbox and the invite ledger are as they were.
"""

from __future__ import annotations

import logging

from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import PublishJob
from scheduler.planning.operations import publish_draft
from scheduler.planning.publishing import PublishRefused
from scheduler.publishing import operations

log = logging.getLogger(__name__)

queue.on_worker_start(operations.fail_lost_jobs)


@queue.task(operations.PUBLISH_TASK)
def publish_version(job_id: int) -> None:
    """Publish the draft of job ``job_id`` (a task delivered twice publishes once)."""
    run_publish_job(job_id)


def run_publish_job(job_id: int) -> PublishJob | None:
    """Run job ``job_id`` if it is still queued; return it as it ended (None: not run here)."""
    if not operations.start_job(job_id):
        return None
    try:
        job = db.session.get(PublishJob, job_id)
        before = operations.last_outbox_id()
        replaced = publish_draft(job.version, job.requested_by)
        operations.finish_job(job_id, operations.messages_since(before), replaced)
    except PublishRefused as refused:
        operations.fail_job(job_id, str(refused))
    except Exception as error:
        log.exception("Publish job %s failed", job_id)
        operations.fail_job(
            job_id,
            f"Publishing stopped with an error ({type(error).__name__}: {error}); nothing was "
            "published or sent: the last published schedule is unchanged.",
        )
    db.session.expire_all()
    return db.session.get(PublishJob, job_id)
