"""Writes of a solve split into parts (issue 18): the parts' rows, their progress and results.

The part tasks race with each other (two finish at once), with the Cancel button and with the
lost-worker check; each step is a conditional UPDATE, so whichever commits first wins: a part
starts only while its job runs, and exactly one part task claims the merge.
"""

from __future__ import annotations

import json
import math

from sqlalchemy import func, select, update

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import JobStatus, SolveJob, SolvePart, SolveSplit
from solver.decompose import PART_KEY


def create_parts(
    job_id: int, document: dict, part_docs: list[dict], period_version: int
) -> list[int]:
    """Store the whole problem and one queued row per part, commit; returns the parts' ids.
    The job's stage is "parts" from here on (``SolveJob.stage``)."""
    db.session.add(
        SolveSplit(job_id=job_id, problem_json=json.dumps(document), period_version=period_version)
    )
    rows = [
        SolvePart(
            job_id=job_id,
            index=doc[PART_KEY]["index"],
            cohorts=doc[PART_KEY]["cohorts"],
            split=doc[PART_KEY]["split"],
            problem_json=json.dumps(doc),
        )
        for doc in part_docs
    ]
    db.session.add_all(rows)
    db.session.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id)
        .values(stage="parts", stage_done=None, stage_total=None)
    )
    db.session.flush()
    ids = [row.id for row in rows]
    db.session.commit()
    return ids


def start_part(part_id: int, merge_seconds: float) -> float | None:
    """Mark a queued part running while its job runs and nobody asked to cancel it, and commit.
    Returns its share of the job's time left (None when the job ended or was cancelled
    meanwhile: the part is then cancelled without starting).

    The job's time limit is wall-clock from its start. The parts not yet started share what is
    left after the merge's reserve, in rounds of as many parts as run now: on one worker each
    part gets an equal share of what remains, on N workers N parts run at once."""
    part = db.session.get(SolvePart, part_id)
    job = part.job_id
    now = utcnow()
    claimed = db.session.execute(
        update(SolvePart)
        .where(
            SolvePart.id == part_id,
            SolvePart.status == JobStatus.QUEUED,
            select(SolveJob.id)
            .where(
                SolveJob.id == job,
                SolveJob.status == JobStatus.RUNNING,
                SolveJob.cancel_requested.is_(False),
            )
            .exists(),
        )
        .values(status=JobStatus.RUNNING, started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        cancel_part(part_id, "the solve had ended or was cancelled before this part started")
        return None
    started, limit = db.session.execute(
        select(SolveJob.started_at, SolveJob.time_limit_seconds).where(SolveJob.id == job)
    ).one()
    counts = _counts(job)
    running = max(counts.get(JobStatus.RUNNING, 1), 1)
    rounds = math.ceil((counts.get(JobStatus.QUEUED, 0) + 1) / running)
    left = limit - (now - started).total_seconds() - merge_seconds
    share = max(left / rounds, 0.0)
    db.session.execute(
        update(SolvePart).where(SolvePart.id == part_id).values(time_limit_seconds=round(share, 2))
    )
    db.session.commit()
    return share


def finish_part(part_id: int, schedule: dict, first_cost: float | None) -> None:
    """Store a part's schedule and mark it finished, and commit."""
    db.session.rollback()
    db.session.execute(
        update(SolvePart)
        .where(SolvePart.id == part_id, SolvePart.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.FINISHED,
            schedule_json=json.dumps(schedule),
            finished_at=utcnow(),
            best_cost=schedule["cost"]["total"],
            first_cost=first_cost,
            elapsed_seconds=(schedule.get("solver") or {}).get("wall_seconds", 0.0),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def fail_part(part_id: int, reason: str) -> None:
    """Mark a part failed with ``reason`` and commit (the caller fails its job)."""
    _end_part(part_id, JobStatus.FAILED, reason)


def cancel_part(part_id: int, reason: str) -> None:
    """Mark a queued or running part cancelled with ``reason`` and commit."""
    _end_part(part_id, JobStatus.CANCELLED, reason)


def cancel_stopped_job(job_id: int) -> bool:
    """End a cancelled job cancelled once none of its parts is queued or running and some part
    has no schedule (it never started, or was stopped before its first one), and commit: there
    is no complete schedule, so no draft; the period's last good draft stays. Whether it did.

    Every part task calls this after its own part ended, its end committed first, so the last
    one to end sees every other part ended; the conditional update makes one of them win."""
    db.session.rollback()
    counts = _counts(job_id)
    unsolved = counts.get(JobStatus.CANCELLED, 0)
    # Every part finished: the merge ends the job (``claim_merge``), even after a cancel.
    if counts.get(JobStatus.QUEUED) or counts.get(JobStatus.RUNNING) or not unsolved:
        db.session.commit()
        return False
    total = sum(counts.values())
    ended = db.session.execute(
        update(SolveJob)
        .where(
            SolveJob.id == job_id,
            SolveJob.status == JobStatus.RUNNING,
            SolveJob.cancel_requested.is_(True),
        )
        .values(
            status=JobStatus.CANCELLED,
            finished_at=utcnow(),
            error=(
                f"Cancelled at your request while solving in parts: {unsolved} of {total} parts "
                "had no schedule yet, so there is no complete one; the last good schedule is "
                "unchanged."
            ),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return ended == 1


def _counts(job_id: int) -> dict[JobStatus, int]:
    """How many of the job's parts are in each status."""
    rows = db.session.execute(
        select(SolvePart.status, func.count())
        .where(SolvePart.job_id == job_id)
        .group_by(SolvePart.status)
    ).all()
    return {status: count for status, count in rows}


def _end_part(part_id: int, status: JobStatus, reason: str) -> None:
    db.session.rollback()
    db.session.execute(
        update(SolvePart)
        .where(SolvePart.id == part_id, SolvePart.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
        .values(status=status, error=reason[:2000], finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def claim_merge(job_id: int) -> bool:
    """Whether this caller merges the job's parts: every part finished, the job still running,
    and no other part task claimed it first (committed)."""
    db.session.rollback()
    unfinished = db.session.scalar(
        select(func.count())
        .select_from(SolvePart)
        .where(SolvePart.job_id == job_id, SolvePart.status != JobStatus.FINISHED)
    )
    if unfinished:
        db.session.commit()
        return False
    claimed = db.session.execute(
        update(SolveSplit)
        .where(
            SolveSplit.job_id == job_id,
            SolveSplit.merging.is_(False),
            select(SolveJob.status).where(SolveJob.id == job_id).scalar_subquery()
            == JobStatus.RUNNING,
        )
        .values(merging=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1
