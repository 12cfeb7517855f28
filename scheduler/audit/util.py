"""Reads of the audit log."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import AuditEntry

PAGE_SIZE = 100


def entries(page: int = 1, period_id: int | None = None) -> list[AuditEntry]:
    """One page of entries, newest first (one more than ``PAGE_SIZE`` tells there is a next page)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if period_id is not None:
        query = query.where(AuditEntry.period_id == period_id)
    offset = (max(page, 1) - 1) * PAGE_SIZE
    return list(db.session.scalars(query.offset(offset).limit(PAGE_SIZE + 1)))


def describe(entry: AuditEntry) -> str:
    """One line for people: "Ana Silva moved Till basics section S3 session 2 (2027-01-04 10:02 UTC)"."""
    who = entry.user_name or "Someone"
    return f"{who} {entry.summary} ({entry.at:%Y-%m-%d %H:%M} UTC)"


def last_change(period_id: int) -> str | None:
    """The newest entry of the period, described, or None."""
    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.period_id == period_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    return describe(entry) if entry is not None else None
