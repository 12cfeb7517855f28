"""Reads every job's row shares: whether a running job has lost its worker.

A running job's monitor (``scheduler.jobs.monitor``) writes its ``heartbeat_at`` every half
second; a job whose heartbeat stopped for ``JOB_HEARTBEAT_TIMEOUT`` seconds lost its worker (a
crash, a restart, a killed machine) and will never end by itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_

from scheduler.database import utcnow
from scheduler.jobs.operations import statuses

DEFAULT_HEARTBEAT_TIMEOUT = 30


def heartbeat_cutoff(now: datetime | None = None) -> datetime:
    """A running job whose last heartbeat is older than this has lost its worker."""
    seconds = current_app.config.get("JOB_HEARTBEAT_TIMEOUT", DEFAULT_HEARTBEAT_TIMEOUT)
    return (now or utcnow()) - timedelta(seconds=seconds)


def lost_condition(model: type, cutoff: datetime):
    """SQL condition of ``model``'s running jobs whose worker has stopped: no heartbeat since
    ``cutoff`` (or none at all, and started before it)."""
    return and_(
        model.status == statuses(model).RUNNING,
        or_(
            model.heartbeat_at < cutoff,
            and_(model.heartbeat_at.is_(None), model.started_at < cutoff),
        ),
    )


def heartbeat_stopped(job, cutoff: datetime) -> bool:
    """Whether the running ``job`` (a row) has had no heartbeat since ``cutoff`` (see
    ``lost_condition``, the same rule on one row already read)."""
    if job.status != statuses(type(job)).RUNNING:
        return False
    last = job.heartbeat_at or job.started_at
    return last is not None and last < cutoff
