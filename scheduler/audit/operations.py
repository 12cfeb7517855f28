"""Writes of the audit log: one row per change a person makes, added in the change's own
transaction.

The caller's transaction commits or rolls the entry back with the change it records, so the log
never claims a change that did not happen, nor misses one that did. Each area's operations call
``record_changes`` (an edit: what differs, old → new), ``record_deleted`` or ``record`` (a change
worded by the area: a move, an import with its counts).
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user

from scheduler.audit import wording
from scheduler.audit.wording import Snapshot
from scheduler.extensions import db
from scheduler.models import AuditEntry, PlanningPeriod, ScheduleVersion, User
from scheduler.planning.publishing import schedule_published

#: Longest list of names in one entry ("added 3 learners: …"); the rest are counted.
NAMED = 20


def record(
    action: str, period: PlanningPeriod | None, summary: str, user: User | None = None
) -> None:
    """Add an audit entry for ``action`` on ``period`` by ``user`` (default: the signed-in user)."""
    user = user or _signed_in()
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


def snapshot(entity) -> Snapshot | None:
    """The fields of ``entity`` before a change, for ``record_changes`` (None: a new object)."""
    return wording.snapshot(entity) if entity is not None else None


def record_changes(
    entity,
    before: Snapshot | None,
    *,
    period: PlanningPeriod | None = None,
    user: User | None = None,
) -> None:
    """Record what a person changed on ``entity`` since ``before`` (``snapshot`` taken before the
    change; None when ``entity`` is new): "program Fire safety: seats max: 12 → 14". Nothing is
    recorded when nothing changed, or when no person made the change (demo data, workers)."""
    user = user or _signed_in()
    if user is None:
        return
    if before is None:
        record("create", period, f"added {wording.label_of(entity)}", user)
        return
    lines = wording.changes(before, wording.snapshot(entity))
    if lines:
        label = wording.NOUNS.get(type(entity), type(entity).__name__.lower())
        name = before.get("name") or before.get("key") or before.get("title")
        record("update", period, f"{label} {name}: {'; '.join(lines)}", user)


def record_deleted(entity, *, period: PlanningPeriod | None = None) -> None:
    """Record that the signed-in person deletes ``entity`` (called before the delete)."""
    user = _signed_in()
    if user is not None:
        record("delete", period, f"deleted {wording.label_of(entity)}", user)


def record_by_person(action: str, summary: str, period: PlanningPeriod | None = None,
                     user: User | None = None) -> None:  # fmt: skip
    """``record`` only when a person (``user`` or the signed-in one) made the change."""
    user = user or _signed_in()
    if user is not None:
        record(action, period, summary, user)


def names(items: list[str]) -> str:
    """ "Ana, Ben and 3 more": a list of names of bounded length."""
    shown = ", ".join(items[:NAMED])
    return shown + (f" and {len(items) - NAMED} more" if len(items) > NAMED else "")


def _signed_in() -> User | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


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
