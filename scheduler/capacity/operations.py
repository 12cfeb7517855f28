"""Writes of the capacity area: a plan is created with its pool and queued, then a worker marks it
running and finally finished (with its answer) or failed (with the reason).

Each step is one committed transaction; the worker's steps are conditional UPDATEs on the status,
so a plan is never finished twice nor resurrected after failing.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.jobs import operations as jobs
from scheduler.models import CapacityPlan, JobStatus, PlanningPeriod, PoolCandidate, User

CAPACITY_TASK = "plan_capacity"


class PlanRefused(Exception):
    """A plan that could not be queued; the message says why, in the coordinator's words."""


def create_plan(period: PlanningPeriod, user: User | None, rows, time_limit: int) -> CapacityPlan:
    """Store a plan of ``period`` with one pool row per form row, commit, and queue it."""
    plan = CapacityPlan(
        period_id=period.id,
        requested_by_id=user.id if user else None,
        time_limit_seconds=time_limit,
    )
    for position, row in enumerate(rows, start=1):
        plan.candidates.append(
            PoolCandidate(
                position=position,
                skill=row.skill.data,
                site_id=row.site.data or None,
                count=row.count.data or 1,
                weekly_hours=row.weekly_hours.data,
                hourly_rate=float(row.hourly_rate.data or 0),
                weekly_cost=float(row.weekly_cost.data or 0),
                onboarding_cost=float(row.onboarding_cost.data or 0),
                earliest_start=row.earliest_start.data,
            )
        )
    db.session.add(plan)
    db.session.flush()
    plan_id = plan.id
    # The worker must find the row: commit before queueing (immediate mode runs it inside).
    db.session.commit()
    refused = PlanRefused(
        f"{jobs.PAUSED}. The pool is saved; try again in a few minutes, or tell your administrator."
    )
    jobs.enqueue(CapacityPlan, CAPACITY_TASK, plan_id, fail_plan, refused)
    return db.session.get(CapacityPlan, plan_id)


def start_plan(plan_id: int) -> bool:
    """Mark a queued plan running and commit; False when it is no longer queued."""
    return jobs.start(CapacityPlan, plan_id)


def fail_plan(plan_id: int, reason: str) -> None:
    """Mark an unfinished plan failed with ``reason`` and commit."""
    jobs.fail(CapacityPlan, plan_id, reason, finished_at=utcnow())


def finish_plan(plan_id: int, result: dict) -> None:
    """Store a running plan's answer (schedule and sensitivity), mark it finished and commit."""
    jobs.move(
        CapacityPlan,
        plan_id,
        [JobStatus.RUNNING],
        status=JobStatus.FINISHED,
        result_json=json.dumps(result),
        finished_at=utcnow(),
    )


# A plan still queued or running this long after its time limit lost its worker (or never got
# one): the sensitivity re-solves take at most about (2 + 2 x facilitators + 2 x deadline groups)
# x their seconds.
LOST_AFTER_SECONDS = 600
LOST = "The plan stopped without an answer (its worker stopped or never started); ask again."


def fail_lost_plans(period: PlanningPeriod) -> None:
    """Fail the period's plans queued or running for far longer than they can take."""
    now = utcnow()
    active = db.session.scalars(
        select(CapacityPlan).where(
            CapacityPlan.period_id == period.id,
            CapacityPlan.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
        )
    ).all()
    lost = [
        p.id
        for p in active
        if now - p.created_at > timedelta(seconds=p.time_limit_seconds + LOST_AFTER_SECONDS)
    ]
    for plan_id in lost:
        fail_plan(plan_id, LOST)
