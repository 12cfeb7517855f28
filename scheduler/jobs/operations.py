"""Writes every job's row shares: a period's solve, a publish, a capacity plan, a scenario's solve.

A job's row (a model with ``id``, ``status``, ``error`` and ``task_id``, its status an enum with
``QUEUED``, ``RUNNING`` and ``FAILED``) is queued, taken by a worker, and ends. The web process and
the workers race on some of these steps (a Cancel click as the worker takes the job, a task
replayed after a worker restart), so each step is a conditional UPDATE on the status, committed
at once: whichever side commits first wins, and the other sees that it lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import update

from scheduler.extensions import db
from scheduler.jobs.queue import queue

log = logging.getLogger(__name__)

PAUSED = "Background jobs are paused: the queue cannot be reached"
MAX_ERROR = 2000


def statuses(model: type) -> type:
    """The status enum of a job's table (``JobStatus``, ``ScenarioStatus``)."""
    return model.__table__.c.status.type.enum_class


def move(model: type, job_id: int, current: Iterable, **values) -> bool:
    """Write ``values`` to job ``job_id`` if its status is one of ``current``, and commit;
    whether it was (the step was taken)."""
    result = db.session.execute(
        update(model)
        .where(model.id == job_id, model.status.in_(tuple(current)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def start(model: type, job_id: int, **values) -> bool:
    """A worker takes a queued job: mark it running (with ``values``) and commit; False when it
    is not queued any more (cancelled, taken by another worker, or ended)."""
    status = statuses(model)
    return move(model, job_id, [status.QUEUED], status=status.RUNNING, **values)


def fail(model: type, job_id: int, reason: str, **values) -> None:
    """An unfinished job fails with ``reason`` (and ``values``), committed; whatever the job
    stored before (the last good schedule, a scenario's result) is left as it was. The session
    is rolled back first: the failure may have left it in the middle of a transaction."""
    db.session.rollback()
    status = statuses(model)
    move(
        model,
        job_id,
        [status.QUEUED, status.RUNNING],
        status=status.FAILED,
        error=reason[:MAX_ERROR],
        **values,
    )


def set_values(model: type, job_id: int, **values) -> None:
    """Write ``values`` to job ``job_id`` whatever its status, and commit."""
    db.session.execute(
        update(model)
        .where(model.id == job_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def enqueue(
    model: type,
    task: str,
    job_id: int,
    fail_job: Callable[[int, str], None],
    refused: Exception,
) -> None:
    """Queue ``task`` for the committed job ``job_id`` and record its task id (committed).

    A queue that cannot be reached (Redis down) must not leave the job queued forever: it is
    failed by ``fail_job`` saying so, and ``refused`` (the area's refusal, in the coordinator's
    words) is raised."""
    try:
        task_id = queue.enqueue(task, job_id)
    except Exception as error:
        log.exception("Could not queue %s %s", model.__tablename__, job_id)
        fail_job(job_id, f"{PAUSED} ({error}).")
        raise refused from error
    set_values(model, job_id, task_id=task_id)
