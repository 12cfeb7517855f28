"""Reads of the planning area: periods, their versions and who waits for a seat."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    PlanningPeriod,
    Program,
    Role,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SolveJob,
    User,
    VersionStatus,
    WaitingLearner,
)


def periods() -> list[PlanningPeriod]:
    return list(db.session.scalars(select(PlanningPeriod).order_by(PlanningPeriod.start.desc())))


def periods_named(name: str) -> list[PlanningPeriod]:
    """The periods ``name`` designates: those called exactly that; else those called that when
    case and surrounding spaces are ignored; else the period whose id it is (how the command line
    tells apart two periods of one name). More than one means the name is ambiguous."""
    for condition in (
        PlanningPeriod.name == name,
        func.lower(func.trim(PlanningPeriod.name)) == name.strip().lower(),
    ):
        found = list(
            db.session.scalars(select(PlanningPeriod).where(condition).order_by(PlanningPeriod.id))
        )
        if found:
            return found
    by_id = db.session.get(PlanningPeriod, int(name)) if name.strip().isdigit() else None
    return [by_id] if by_id is not None else []


def coordinator_by_email(email: str) -> User | None:
    """The enabled coordinator account of ``email`` (any case), if there is one."""
    return db.session.scalar(
        select(User).where(
            func.lower(User.email) == email.strip().lower(),
            User.role == Role.COORDINATOR,
            User.is_enabled.is_(True),
        )
    )


def version_numbered(period: PlanningPeriod, number: int) -> ScheduleVersion | None:
    return db.session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.period_id == period.id, ScheduleVersion.number == number
        )
    )


def latest_draft(period: PlanningPeriod) -> ScheduleVersion | None:
    """The period's newest draft (a solve's or a move's), whether or not it is still current."""
    return db.session.scalar(
        select(ScheduleVersion)
        .where(
            ScheduleVersion.period_id == period.id,
            ScheduleVersion.status == VersionStatus.DRAFT,
        )
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    )


def session_count(version: ScheduleVersion) -> int:
    return (
        db.session.scalar(
            select(func.count(ScheduledSession.id))
            .join(ScheduledSession.section)
            .where(ScheduledSection.version_id == version.id)
        )
        or 0
    )


def unplaced_learners(version: ScheduleVersion) -> int:
    """How many learners the version leaves out (the solver's ``unscheduled`` entries)."""
    schedule = json.loads(version.schedule_json)
    return sum(entry["learners"] for entry in schedule.get("unscheduled", []))


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
