"""Reads of the solving area: a period's jobs, a job's progress as shown to the coordinator."""

from __future__ import annotations

import json
from datetime import datetime

from flask import url_for
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.jobs import util as jobs_util
from scheduler.jobs.progress import before_first_schedule, progress_document
from scheduler.jobs.util import heartbeat_cutoff
from scheduler.models import JobStatus, PlanningPeriod, SolveJob, SolvePart
from scheduler.templating import has_endpoint

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


def displayed_bound(bound: float | None, best_cost: float | None) -> float | None:
    """The proven bound as shown: the solver's, unchanged (``best_cost`` is no longer used).

    The solver reports only valid bounds, never below zero nor above its cost
    (``solver.solve.reported_bound``; a bound above the cost is a bug, reported as unknown), so
    the page shows what it was given: clamping here once hid a bound of 0 as "gap 100 %"."""
    return bound


# What each of the solver's bounds is, in the coordinator's words (``solver.bound_parts``).
BOUND_NAMES = {
    "combined": "each part's best bound added up (a part split further is bounded unsplit)",
    "search": "the optimiser's own proof",
    "lp": "facilitators' and rooms' available hours (a linear relaxation)",
    "analytic": "seats, the cheapest qualified facilitator and room per session, travel to the "
    "site, and learners who cannot be placed",
}
BOUND_ITEMS = ("seats", "facilitators", "travel", "rooms", "unscheduled")


def bound_breakdown(job: SolveJob) -> dict | None:
    """What the finished job's bound is made of: each bound computed, which one is shown, and the
    cost items of the per-group floor; None before there is a draft or for an older draft."""
    if job.draft is None:
        return None
    parts = (json.loads(job.draft.schedule_json).get("solver") or {}).get("bound_parts")
    if not parts:
        return None
    bounds = [
        {"name": BOUND_NAMES[key], "value": parts[key], "used": parts.get("used") == key}
        for key in ("combined", "search", "lp", "analytic")
        if parts.get(key) is not None
    ]
    items = parts.get("analytic_items") or {}
    return {"bounds": bounds, "items": [(k, items[k]) for k in BOUND_ITEMS if k in items]}


def active_job(period: PlanningPeriod) -> SolveJob | None:
    """The period's queued or running job, if any (there is at most one)."""
    return db.session.scalar(
        select(SolveJob)
        .where(SolveJob.period_id == period.id, SolveJob.status.in_(ACTIVE))
        .order_by(SolveJob.id.desc())
        .limit(1)
    )


def lost_condition(cutoff: datetime):
    """SQL condition of running jobs whose worker has stopped (no heartbeat since ``cutoff``)."""
    return jobs_util.lost_condition(SolveJob, cutoff)


def any_lost_job() -> bool:
    return (
        db.session.scalar(select(SolveJob.id).where(lost_condition(heartbeat_cutoff())).limit(1))
        is not None
    )


def summary(job: SolveJob) -> str:
    """What happened to a job, in a sentence."""
    if job.status == JobStatus.QUEUED:
        return "Waiting for a worker to start it."
    if job.status == JobStatus.RUNNING:
        if job.cancel_requested:
            return "Stopping: the best schedule found so far will be kept."
        if job.best_cost is None:  # what it does before its first schedule, and how far
            return before_first_schedule(job.stage, job.stage_done, job.stage_total) or "Solving."
        return "Solving."
    if job.status == JobStatus.FINISHED:
        number = job.draft.number if job.draft else "?"
        if job.cancel_requested:
            return (
                f"Stopped early at your request; the best schedule found is draft version {number}."
            )
        return f"Finished: draft version {number}."
    if job.status == JobStatus.CANCELLED:
        # A job solved in parts may end cancelled mid-way; its reason says so.
        return job.error or "Cancelled before it started."
    return job.error or "Failed."


def draft_url(job: SolveJob) -> str | None:
    """Where the job's draft can be reviewed, once the review area is installed."""
    if job.draft_id is None or not has_endpoint("review.version"):
        return None
    return url_for("review.version", version_id=job.draft_id)


def status_document(job: SolveJob) -> dict:
    """The job's progress as the progress page's script reads it."""
    figures = progress_document(
        status=job.status.value,
        active=job.status.active,
        summary=summary(job),
        elapsed_seconds=job.elapsed_seconds,
        time_limit_seconds=job.time_limit_seconds,
        best_cost=job.best_cost,
        bound=displayed_bound(job.bound, job.best_cost),
        cancel_requested=job.cancel_requested,
    )
    return {"id": job.id, **figures, "draft_url": draft_url(job), "parts": parts_progress(job)}


def parts_progress(job: SolveJob) -> list[dict]:
    """Each part of a job solved in parts (issue 18), as the job page lists it; [] for a job
    solved whole. Only small columns are read: a part's documents can be megabytes."""
    rows = db.session.execute(
        select(
            SolvePart.index,
            SolvePart.cohorts,
            SolvePart.status,
            SolvePart.best_cost,
            SolvePart.time_limit_seconds,
            SolvePart.elapsed_seconds,
            SolvePart.error,
        )
        .where(SolvePart.job_id == job.id)
        .order_by(SolvePart.index)
    ).all()
    return [
        {
            "label": f"Part {row.index + 1} of {len(rows)}",
            "cohorts": row.cohorts,
            "status": row.status.value,
            "best_cost": row.best_cost,
            "time_limit_seconds": row.time_limit_seconds,
            "elapsed_seconds": round(row.elapsed_seconds or 0.0, 1),
            "error": row.error,
        }
        for row in rows
    ]
