"""Writes of the planning area: planning periods and their scope."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.audit import operations as audit
from scheduler.extensions import db
from scheduler.models import Cohort, PlanningPeriod, Program

SCOPE = ("program_ids", "cohort_ids")


def save_period(period: PlanningPeriod | None, values: dict) -> PlanningPeriod:
    """Create or update a period from form values (not committed).

    Changing a period's dates or scope does not touch its versions: drafts and the published
    schedule keep the problem they were made from.
    """
    before = audit.snapshot(period)
    if period is None:
        period = PlanningPeriod()
        db.session.add(period)
    for name, value in values.items():
        if name not in SCOPE:
            setattr(period, name, value)
    period.programs = list(
        db.session.scalars(select(Program).where(Program.id.in_(values["program_ids"])))
    )
    period.cohorts = list(
        db.session.scalars(select(Cohort).where(Cohort.id.in_(values["cohort_ids"])))
    )
    db.session.flush()
    audit.record_changes(period, before, period=period)
    return period
