"""Programs: a workshop made of one or more ordered instructor-led sessions."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import enum_type
from scheduler.extensions import db


class ProgramMode(enum.StrEnum):
    """In-person sessions need a room at the cohort's site; virtual ones need none."""

    IN_PERSON = "in_person"
    VIRTUAL = "virtual"


class Program(db.Model):
    """A workshop with its seats, costs and spacing rules."""

    __table_args__ = (
        CheckConstraint("seats_min >= 1 AND seats_min <= seats_max", name="seats"),
        CheckConstraint("gap_min_days >= 0 AND gap_min_days <= gap_max_days", name="gap_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[ProgramMode] = mapped_column(enum_type(ProgramMode))
    skill: Mapped[str | None] = mapped_column(String(64))
    seats_min: Mapped[int] = mapped_column(default=1)
    seats_max: Mapped[int] = mapped_column(default=20)
    seat_cost: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=0)
    same_facilitator: Mapped[bool] = mapped_column(default=True)
    gap_min_days: Mapped[int] = mapped_column(default=0)
    gap_max_days: Mapped[int] = mapped_column(default=14)
    fixed_development_cost: Mapped[float] = mapped_column(
        Numeric(12, 2, asdecimal=False), default=0
    )
    # The cost model's microlearning alternative, entered by the coordinator on the cost model
    # page; None means "use the rate card's default" (scheduler.reports.costmodel.RATE_CARD).
    microlearning_fixed_cost: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    microlearning_learner_cost: Mapped[float | None] = mapped_column(
        Numeric(10, 2, asdecimal=False)
    )

    sessions: Mapped[list[ProgramSession]] = relationship(
        back_populates="program",
        order_by="ProgramSession.position",
        cascade="all, delete-orphan",
    )

    @property
    def session_minutes(self) -> list[int]:
        return [session.duration_minutes for session in self.sessions]


class ProgramSession(db.Model):
    """One instructor-led session of a program, in its place in the order."""

    __table_args__ = (
        UniqueConstraint("program_id", "position"),
        CheckConstraint("duration_minutes > 0", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    position: Mapped[int]  # 0-based order within the program
    title: Mapped[str] = mapped_column(String(200), default="")
    duration_minutes: Mapped[int]

    program: Mapped[Program] = relationship(back_populates="sessions")
