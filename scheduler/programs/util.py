"""Reads of the programs area."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Cohort, CohortMember, FacilitatorSkill, Program


@dataclass(frozen=True)
class ProgramRow:
    """A line of the programs list."""

    program: Program
    cohort_count: int


def programs_with_cohort_counts() -> list[ProgramRow]:
    """Every program by name, its sessions loaded, with its number of cohorts (two queries)."""
    cohort_count = (
        select(func.count(Cohort.id)).where(Cohort.program_id == Program.id).scalar_subquery()
    )
    rows = db.session.execute(
        select(Program, cohort_count)
        .options(selectinload(Program.sessions))
        .order_by(Program.name, Program.id)
    ).all()
    return [ProgramRow(program, count) for program, count in rows]


@dataclass(frozen=True)
class ProgramDeletionImpact:
    """What deleting a program takes with it, shown before the coordinator confirms."""

    cohorts: int
    learner_places: int


def program_deletion_impact(program: Program) -> ProgramDeletionImpact:
    """Count the cohorts (and their learners' places) deleted with ``program``."""
    cohorts = db.session.scalar(
        select(func.count(Cohort.id)).where(Cohort.program_id == program.id)
    )
    places = db.session.scalar(
        select(func.count(CohortMember.id))
        .join(Cohort, CohortMember.cohort_id == Cohort.id)
        .where(Cohort.program_id == program.id)
    )
    return ProgramDeletionImpact(cohorts=cohorts or 0, learner_places=places or 0)


def known_skills() -> list[str]:
    """Skills already in use by facilitators or programs, offered when typing a skill."""
    facilitator_skills = select(FacilitatorSkill.skill)
    program_skills = select(Program.skill).where(Program.skill.is_not(None))
    names = db.session.scalars(facilitator_skills.union(program_skills)).all()
    return sorted(set(names), key=str.lower)


def format_minutes(minutes: int) -> str:
    """``150`` as "2 h 30 min", the way coordinators talk about session lengths."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"
