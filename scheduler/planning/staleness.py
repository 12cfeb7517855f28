"""Mark drafts stale when the data they were solved against changes under a published plan.

A draft remembers the period's ``version`` it was made against, and publishing refuses a draft
whose period moved on (``scheduler.planning.publishing``). Advancing the counter is how a change
of input says "solve again": a closure on the period's days, or a change saved anyway that
breaks published sessions.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from scheduler.extensions import db
from scheduler.models import PlanningPeriod

#: Closure dates are local to a site, periods' to their own zone: a day's margin either side
#: catches every period the closed days can touch.
MARGIN = timedelta(days=1)


def mark_drafts_stale(period_ids: list[int]) -> None:
    """Advance the periods' version: their drafts can no longer be published."""
    if period_ids:
        db.session.execute(
            update(PlanningPeriod)
            .where(PlanningPeriod.id.in_(period_ids))
            .values(version=PlanningPeriod.version + 1)
            .execution_options(synchronize_session="fetch")
        )


def mark_drafts_stale_between(first: date, last: date) -> None:
    """``mark_drafts_stale`` for every period whose dates meet ``first``–``last``."""
    ids = db.session.scalars(
        select(PlanningPeriod.id).where(
            PlanningPeriod.start <= last + MARGIN, PlanningPeriod.end >= first - MARGIN
        )
    ).all()
    mark_drafts_stale(list(ids))
