"""Writes of the audit log: one row per schedule change, added in the change's own transaction.

The caller's transaction commits or rolls the entry back with the change it records, so the log
never claims a change that did not happen, nor misses one that did.
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user

from scheduler.extensions import db
from scheduler.models import AuditEntry, PlanningPeriod, ScheduleVersion, User
from scheduler.planning.publishing import schedule_published


def record(
    action: str, period: PlanningPeriod | None, summary: str, user: User | None = None
) -> None:
    """Add an audit entry for ``action`` on ``period`` by ``user`` (default: the signed-in user)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    db.session.add(
        AuditEntry(
            user_id=user.id if user is not None else None,
            user_name=user.name if user is not None else "",
            action=action,
            period_id=period.id if period is not None else None,
            period_name=period.name if period is not None else "",
            summary=summary[:2000],
        )
    )


@schedule_published.connect
def on_schedule_published(
    period: PlanningPeriod, *, version: ScheduleVersion, previous: ScheduleVersion | None
) -> None:
    """Record a publish: sent inside the publish's transaction, before its commit."""
    replaced = f", replacing version {previous.number}" if previous is not None else ""
    record(
        "publish",
        period,
        f"published version {version.number}{replaced}",
        user=db.session.get(User, version.published_by_id) if version.published_by_id else None,
    )
