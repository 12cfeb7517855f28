"""Reads of the planning area: periods, their versions and who waits for a seat."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    PlanningPeriod,
    Program,
    ScheduleVersion,
    SolveJob,
    WaitingLearner,
)


def periods() -> list[PlanningPeriod]:
    return list(db.session.scalars(select(PlanningPeriod).order_by(PlanningPeriod.start.desc())))


def versions(period: PlanningPeriod) -> list[ScheduleVersion]:
    """The period's versions, newest first."""
    return list(
        db.session.scalars(
            select(ScheduleVersion)
            .where(ScheduleVersion.period_id == period.id)
            .order_by(ScheduleVersion.number.desc())
        )
    )


def recent_jobs(period: PlanningPeriod, limit: int = 10) -> list[SolveJob]:
    return list(
        db.session.scalars(
            select(SolveJob)
            .where(SolveJob.period_id == period.id)
            .order_by(SolveJob.id.desc())
            .limit(limit)
        )
    )


def waiting_count(period: PlanningPeriod) -> int:
    """Learners who joined a cohort of the period's programs after publishing and wait for a seat."""
    query = select(func.count(WaitingLearner.id)).join(WaitingLearner.cohort)
    program_ids = [p.id for p in period.programs]
    if program_ids:
        query = query.where(Cohort.program_id.in_(program_ids))
    return db.session.scalar(query) or 0


def scope_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(programs, cohorts) offered as the period's scope."""
    programs = db.session.execute(select(Program.id, Program.name).order_by(Program.name))
    cohorts = db.session.execute(select(Cohort.id, Cohort.key).order_by(Cohort.key))
    return [tuple(row) for row in programs], [tuple(row) for row in cohorts]
