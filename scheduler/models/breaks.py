"""Broken sessions: published sessions that a change saved after publishing made impossible."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, utcnow
from scheduler.extensions import db
from scheduler.models.accounts import User
from scheduler.models.facilitators import Facilitator
from scheduler.models.planning import PlanningPeriod, ScheduleVersion


class BrokenSession(db.Model):
    """A session of a published version that a saved change made impossible, and why.

    The row belongs to the published version it was found in: once another version is
    published (a repair, a re-plan) the row no longer describes the current plan and is not
    listed any more. ``section_key`` and ``position`` (0-based, as in the solver's documents)
    name the session in its version; ``reason`` and ``change`` are the coordinator's words.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_version.id", ondelete="CASCADE"), index=True
    )
    section_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)  # what the checker found, in words
    change: Mapped[str] = mapped_column(Text)  # the change saved anyway, in words
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    period: Mapped[PlanningPeriod] = relationship()
    version: Mapped[ScheduleVersion] = relationship()
    facilitator: Mapped[Facilitator | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
