"""Capacity planning: a run of "how many facilitators do I need?" for a planning period.

A ``CapacityPlan`` holds the pool the coordinator described (rows of ``PoolCandidate``: a skill,
a home site, weekly hours and what hiring costs), the background job's state, and its answer as
JSON (the solver's schedule document with its ``hires``, and the sensitivity table). Nothing here
changes the period's real data: the answer is advice, read on its own page.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, enum_type, utcnow
from scheduler.extensions import db
from scheduler.models.organisation import Site
from scheduler.models.planning import JobStatus, PlanningPeriod


class CapacityPlan(db.Model):
    """One capacity-planning run of a period: its pool, its job state and its answer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    time_limit_seconds: Mapped[int] = mapped_column(default=60)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    task_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text, default="")
    # {"schedule": <schedule v1 document>, "sensitivity": <solver.sensitivity table>}
    result_json: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    period: Mapped[PlanningPeriod] = relationship()
    candidates: Mapped[list[PoolCandidate]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PoolCandidate.position"
    )


class PoolCandidate(db.Model):
    """A kind of facilitator the plan may hire, up to ``count`` of them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_plan.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]  # row number on the form, from 1
    skill: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(default=1)
    weekly_hours: Mapped[int]
    hourly_rate: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=0)
    weekly_cost: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False), default=0)
    onboarding_cost: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False), default=0)
    earliest_start: Mapped[date | None]

    plan: Mapped[CapacityPlan] = relationship(back_populates="candidates")
    site: Mapped[Site | None] = relationship()
