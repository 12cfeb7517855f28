"""Publish jobs: one coordinator's confirmed Publish of a draft, run by a background worker.

Publishing the whole demo writes about 1,200 invitations and 15,000 follow-up steps in one
transaction; a job keeps that out of the web request. The publish itself is still one
transaction (all or nothing); the job's row only says how it went.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, enum_type, utcnow
from scheduler.extensions import db
from scheduler.models.accounts import User
from scheduler.models.planning import JobStatus, PlanningPeriod, ScheduleVersion


class PublishJob(db.Model):
    """One request to publish a draft: queued → running → finished (published) or failed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_version.id", ondelete="CASCADE"))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Messages the publish queued in the outbox, and the version it replaced (if any).
    messages: Mapped[int] = mapped_column(default=0)
    replaced_number: Mapped[int | None]
    error: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[str] = mapped_column(String(64), default="")

    period: Mapped[PlanningPeriod] = relationship()
    version: Mapped[ScheduleVersion] = relationship()
    requested_by: Mapped[User | None] = relationship()


__all__ = ["PublishJob"]
