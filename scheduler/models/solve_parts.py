"""The parts of a solve split over the workers (issue 18, ``solver.decompose``).

A large period's solve job is split into parts, each solved by its own queued task; the job's
whole problem document waits in ``SolveSplit`` for the merge, which the last part to finish runs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, enum_type
from scheduler.extensions import db
from scheduler.models.planning import JobStatus, SolveJob


class SolveSplit(db.Model):
    """A solve job that was split: the problem as built when the job started, for the merge."""

    job_id: Mapped[int] = mapped_column(
        ForeignKey("solve_job.id", ondelete="CASCADE"), primary_key=True
    )
    problem_json: Mapped[str] = mapped_column(Text)
    period_version: Mapped[int]
    # Set by the one part task that merges (a conditional UPDATE), so two never both merge.
    merging: Mapped[bool] = mapped_column(default=False)

    job: Mapped[SolveJob] = relationship()


class SolvePart(db.Model):
    """One part of a split solve: its problem, its progress while a worker solves it, its result."""

    __table_args__ = (UniqueConstraint("job_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("solve_job.id", ondelete="CASCADE"), index=True)
    index: Mapped[int]  # 0-based; shown as "part index + 1 of N"
    cohorts: Mapped[int]
    split: Mapped[bool] = mapped_column(default=False)  # resources given to it by the first pass
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    problem_json: Mapped[str] = mapped_column(Text)
    schedule_json: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_limit_seconds: Mapped[float | None]
    elapsed_seconds: Mapped[float] = mapped_column(default=0.0)
    first_cost: Mapped[float | None]  # the part's first schedule (its greedy plan)
    best_cost: Mapped[float | None]
    error: Mapped[str] = mapped_column(Text, default="")
