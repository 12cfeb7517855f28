"""Writes of the planning area: planning periods and their scope, and Publish."""

from __future__ import annotations

import logging

from sqlalchemy import select

from scheduler.audit import operations as audit
from scheduler.extensions import db
from scheduler.models import Cohort, PlanningPeriod, Program, ScheduleVersion, User
from scheduler.planning.locking import retry_on_conflict
from scheduler.planning.publishing import publish

log = logging.getLogger(__name__)

SCOPE = ("program_ids", "cohort_ids")


def save_period(period: PlanningPeriod | None, values: dict) -> PlanningPeriod:
    """Create or update a period from form values (not committed).

    Changing a period's dates or scope does not touch its versions: drafts and the published
    schedule keep the problem they were made from.
    """
    before = audit.snapshot(period)
    if period is None:
        period = PlanningPeriod()
        db.session.add(period)
    for name, value in values.items():
        if name not in SCOPE:
            setattr(period, name, value)
    period.programs = list(
        db.session.scalars(select(Program).where(Program.id.in_(values["program_ids"])))
    )
    period.cohorts = list(
        db.session.scalars(select(Cohort).where(Cohort.id.in_(values["cohort_ids"])))
    )
    db.session.flush()
    audit.record_changes(period, before, period=period)
    return period


def publish_draft(draft: ScheduleVersion, user: User | None) -> ScheduleVersion | None:
    """Publish ``draft`` and commit; return the version it replaced. The one publish operation:
    the publish job runs it (``scheduler.publishing.tasks``), queued by the confirmation page's
    button or run in-process by ``flask plan publish``. Raises ``PublishRefused`` (nothing
    changed) when the draft is not a draft or the period changed since it was made.

    The publish is retried after a deadlock; its invitations are committed with it, and a worker
    is then asked to send them at once rather than at the periodic send's next minute.
    """
    previous = retry_on_conflict(lambda: publish(draft, user))
    _send_invitations_now()
    return previous


def _send_invitations_now() -> None:
    """Queue a send of the outbox. The invitations are already committed with the publish, so a
    queue that cannot be reached only delays them until the periodic send (or ``flask mail send``)."""
    from scheduler.calendars.tasks import SEND_MAIL_TASK  # calendars imports this area
    from scheduler.jobs import queue

    try:
        queue.enqueue(SEND_MAIL_TASK)
    except Exception:  # noqa: BLE001 - the periodic send picks them up
        log.warning("could not queue the outbox send after a publish", exc_info=True)
