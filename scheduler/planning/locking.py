"""Serialise writers of one planning period, and retry transactions the database gave up on.

Every write to a period's plan (publish, move, pin, lock, release) first locks the period's row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already lets one writer
at a time in). Two coordinators acting at once then take turns: the second one sees the first
one's version bump and is refused by ``bump_period_version``, instead of both doing the work.

Other writers touching the same rows in another order (an import, a worker's outbox claim) can
still make PostgreSQL cancel one transaction as a deadlock (SQLSTATE 40P01), or a serialization
failure (40001) under a stricter isolation level: ``retry_on_conflict`` runs the write again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from scheduler.extensions import db
from scheduler.models import PlanningPeriod

log = logging.getLogger(__name__)
T = TypeVar("T")

#: SQLSTATEs after which the whole transaction can simply run again.
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def lock_period(period_id: int) -> None:
    """Hold the period's row lock until the transaction ends (a no-op on SQLite)."""
    db.session.execute(
        select(PlanningPeriod.id).where(PlanningPeriod.id == period_id).with_for_update()
    )


def is_retryable(error: BaseException) -> bool:
    """Whether the database aborted the transaction only because of a concurrent one."""
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_on_conflict(write: Callable[[], T], attempts: int = 4) -> T:
    """Run ``write`` (which commits) again after a deadlock or serialization failure.

    ``write`` must start from the database's state, not from objects loaded before the failure:
    the rollback expires them and they are reloaded as they are now.
    """
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except DBAPIError as error:
            db.session.rollback()
            if not is_retryable(error) or attempt == attempts:
                raise
            log.warning("transaction conflict (attempt %d of %d); retrying", attempt, attempts)
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
