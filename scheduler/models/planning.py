"""Planning: periods, solve jobs, schedule versions (drafts and the published one), pins, late joiners.

A schedule version keeps the solver's problem and schedule documents verbatim (audit and
reproducibility) and, next to them, the same schedule as rows (sections, their cohorts and
learners, their sessions) so that calendars, feeds, diffs and dashboards are plain queries.
Versions are immutable once stored; a manual move stores a new draft.

The published version of a period is the one with status ``published``; publishing bumps the
period's ``version`` with a conditional UPDATE, the optimistic check that refuses a second,
concurrent publish (and the publish of a draft computed before the plan or its pins changed).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, enum_type, utcnow
from scheduler.extensions import db
from scheduler.models.accounts import User
from scheduler.models.cohorts import Cohort
from scheduler.models.facilitators import Facilitator
from scheduler.models.organisation import Learner, Room
from scheduler.models.programs import Program

period_program = Table(
    "period_program",
    db.metadata,
    Column("period_id", ForeignKey("planning_period.id", ondelete="CASCADE"), primary_key=True),
    Column("program_id", ForeignKey("program.id", ondelete="CASCADE"), primary_key=True),
)
period_cohort = Table(
    "period_cohort",
    db.metadata,
    Column("period_id", ForeignKey("planning_period.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
)


class PlanningPeriod(db.Model):
    """A date range the coordinator plans at once, with the programs and cohorts in scope.

    No programs (or no cohorts) chosen means all of them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[date]
    end: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64))
    slot_minutes: Mapped[int] = mapped_column(default=30)
    time_limit_seconds: Mapped[int] = mapped_column(default=60)
    # What moving a published session costs in a re-plan: the higher, the less moves.
    change_cost: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=50)
    # Bumped by every publish, pin, move and lock: the optimistic check of publish.
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programs: Mapped[list[Program]] = relationship(
        secondary=period_program, order_by="Program.name"
    )
    cohorts: Mapped[list[Cohort]] = relationship(secondary=period_cohort, order_by="Cohort.key")


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = (
        "finished"  # a draft was stored (the solver ran to its limit, proved, or was cancelled)
    )
    FAILED = "failed"  # the reason is in ``error``; no draft
    CANCELLED = "cancelled"  # cancelled before it started: no draft

    @property
    def active(self) -> bool:
        return self in (JobStatus.QUEUED, JobStatus.RUNNING)


class SolveJob(db.Model):
    """One request to solve a period, run by a background worker; progress is written here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    time_limit_seconds: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written by the worker while it runs; a running job whose heartbeat stops has lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    elapsed_seconds: Mapped[float] = mapped_column(default=0.0)
    best_cost: Mapped[float | None]
    bound: Mapped[float | None]
    # What the worker is doing before its first schedule (10,000 cohorts take seconds):
    # "reading" the period, building the greedy plan ("previous": keeping the plan it starts
    # from, "new": placing the other sections; stage_done of stage_total sections), or "parts"
    # (split over the workers). Shown until the first cost is (solving.util.summary).
    stage: Mapped[str | None] = mapped_column(String(16))
    stage_done: Mapped[int | None]
    stage_total: Mapped[int | None]
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[str] = mapped_column(String(64), default="")
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_version.id", ondelete="SET NULL")
    )
    # A plan to re-plan from instead of the published schedule (a promoted scenario's): the
    # solve's ``previous``, so it starts from that plan and moves as little of it as it can.
    previous_json: Mapped[str | None] = mapped_column(Text)

    period: Mapped[PlanningPeriod] = relationship()
    requested_by: Mapped[User | None] = relationship()
    draft: Mapped[ScheduleVersion | None] = relationship(foreign_keys=[draft_id])


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"  # was published; a later version replaced it


class VersionOrigin(enum.StrEnum):
    SOLVE = "solve"
    ADJUSTMENT = "adjustment"  # a coordinator's manual move, checked by solver.check


class ScheduleVersion(db.Model):
    """An immutable schedule of a period: the documents verbatim plus their rows."""

    __table_args__ = (UniqueConstraint("period_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]  # 1, 2, ... within the period
    status: Mapped[VersionStatus] = mapped_column(
        enum_type(VersionStatus), default=VersionStatus.DRAFT
    )
    origin: Mapped[VersionOrigin] = mapped_column(enum_type(VersionOrigin))
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_version.id", ondelete="SET NULL")
    )
    # The period's ``version`` this draft was made against; publish requires it to be current.
    period_version: Mapped[int]
    problem_json: Mapped[str] = mapped_column(Text)
    schedule_json: Mapped[str] = mapped_column(Text)
    solver_status: Mapped[str] = mapped_column(String(20))  # optimal / feasible / infeasible
    total_cost: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    greedy_cost: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    note: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    period: Mapped[PlanningPeriod] = relationship()
    based_on: Mapped[ScheduleVersion | None] = relationship(remote_side=[id])
    sections: Mapped[list[ScheduledSection]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ScheduledSection.key"
    )


class ScheduledSection(db.Model):
    """A group of learners (one or more cohorts, or part of one) taking a program together."""

    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_version.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # the solver's section id, stable across re-plans
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    seats_max: Mapped[int]  # the program's seat limit when the section was planned

    version: Mapped[ScheduleVersion] = relationship(back_populates="sections")
    program: Mapped[Program] = relationship()
    cohorts: Mapped[list[SectionCohort]] = relationship(
        back_populates="section", cascade="all, delete-orphan"
    )
    seats: Mapped[list[SectionSeat]] = relationship(
        back_populates="section", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[ScheduledSession]] = relationship(
        back_populates="section",
        cascade="all, delete-orphan",
        order_by="ScheduledSession.position",
    )


class SectionCohort(db.Model):
    """How many of a cohort's learners sit in a section."""

    __table_args__ = (UniqueConstraint("section_id", "cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("scheduled_section.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    learners: Mapped[int]

    section: Mapped[ScheduledSection] = relationship(back_populates="cohorts")
    cohort: Mapped[Cohort] = relationship()


class SectionSeat(db.Model):
    """A named learner's seat in a section (the solver counts learners; the app names them)."""

    __table_args__ = (UniqueConstraint("section_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("scheduled_section.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    late_joiner: Mapped[bool] = mapped_column(default=False)  # placed after publishing

    section: Mapped[ScheduledSection] = relationship(back_populates="seats")
    learner: Mapped[Learner] = relationship()
    cohort: Mapped[Cohort] = relationship()


class ScheduledSession(db.Model):
    """One session of a section: when, who teaches, where (no room when virtual).

    ``uid`` names the same session in every version of its period (calendar invites update in
    place by it); ``sequence`` counts its changes across published versions (iCalendar SEQUENCE).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("scheduled_section.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]  # 0-based index in the program
    start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    uid: Mapped[str] = mapped_column(String(120), index=True)
    sequence: Mapped[int] = mapped_column(default=0)

    section: Mapped[ScheduledSection] = relationship(back_populates="sessions")
    facilitator: Mapped[Facilitator | None] = relationship()
    room: Mapped[Room | None] = relationship()


class SessionPin(db.Model):
    """A coordinator's decision a re-plan must keep: a moved, pinned or locked session.

    It becomes a ``fixed`` entry of the next problem. ``cohorts_json`` is the section's
    ``[{"cohort", "learners"}]`` when it was pinned (the format needs who sits in it).
    """

    __table_args__ = (UniqueConstraint("period_id", "section_key", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    section_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE")
    )
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    cohorts_json: Mapped[str] = mapped_column(Text)
    locked: Mapped[bool] = mapped_column(default=False)  # a published session locked as it is
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitator: Mapped[Facilitator | None] = relationship()
    room: Mapped[Room | None] = relationship()


class WaitingLearner(db.Model):
    """A learner who joined a cohort after publishing and found no free seat that fits: waits
    for the next re-plan."""

    __table_args__ = (UniqueConstraint("cohort_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    learner: Mapped[Learner] = relationship()


__all__ = [
    "JobStatus",
    "PlanningPeriod",
    "ScheduleVersion",
    "ScheduledSection",
    "ScheduledSession",
    "SectionCohort",
    "SectionSeat",
    "SessionPin",
    "SolveJob",
    "VersionOrigin",
    "VersionStatus",
    "WaitingLearner",
]
