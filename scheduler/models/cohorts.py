"""Cohorts: who must attend a program, where, when they can, and by when."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime
from scheduler.extensions import db
from scheduler.models.organisation import Learner, Site
from scheduler.models.programs import Program


class Cohort(db.Model):
    """A group of learners who must take one program.

    ``headcount`` is for cohorts whose learners are not named yet; when members are listed
    the size is the number of members unless ``headcount`` is larger.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    timezone: Mapped[str] = mapped_column(String(64))
    # Attendance hours, local to ``timezone``: weekdays as "mon,tue,..." and a daily range.
    hours_days: Mapped[str] = mapped_column(String(40), default="mon,tue,wed,thu,fri")
    hours_from: Mapped[time] = mapped_column(default=time(9, 0))
    hours_to: Mapped[time] = mapped_column(default=time(17, 0))
    earliest: Mapped[date | None]
    deadline: Mapped[date | None]
    mergeable: Mapped[bool] = mapped_column(default=True)
    splittable: Mapped[bool] = mapped_column(default=True)
    unscheduled_cost: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=10000)
    headcount: Mapped[int | None]
    conflict_groups: Mapped[str] = mapped_column(String(400), default="")

    program: Mapped[Program] = relationship()
    site: Mapped[Site | None] = relationship()
    members: Mapped[list[CohortMember]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )
    blocks: Mapped[list[CohortBlock]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortBlock.start"
    )

    @property
    def size(self) -> int:
        return self.size_with(len(self.members))

    def size_with(self, named: int) -> int:
        """The size with ``named`` learners listed: the headcount when that is larger (for a
        caller that counted the members without loading them)."""
        return cohort_size(named, self.headcount)

    @property
    def weekdays(self) -> list[str]:
        return listed_weekdays(self.hours_days)


def cohort_size(named: int, headcount: int | None) -> int:
    """A cohort's size with ``named`` learners listed: its headcount when that is larger (also
    for a caller that read the cohort as a row, not an object)."""
    return max(named, headcount or 0)


def listed_weekdays(hours_days: str) -> list[str]:
    """The attendance weekdays stored as "mon,tue,...", as a list."""
    return [day for day in hours_days.split(",") if day]


class CohortMember(db.Model):
    """A learner's place in a cohort."""

    __table_args__ = (UniqueConstraint("cohort_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )

    cohort: Mapped[Cohort] = relationship(back_populates="members")
    learner: Mapped[Learner] = relationship()


class CohortBlock(db.Model):
    """A period when the cohort cannot attend (peak trading, a release freeze), stored in UTC."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")

    cohort: Mapped[Cohort] = relationship(back_populates="blocks")
