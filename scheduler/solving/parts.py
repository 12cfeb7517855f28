"""A large period's solve split into parts, each solved by its own queued task (issue 18).

``split_job`` (called by the solve task when the problem has more cohorts than
``SOLVE_PART_COHORTS``) stores the parts of ``solver.decompose.parts`` and queues one
``solve_part`` task each: on Redis they spread over every worker of every machine, on one
machine over the embedded worker's threads. Each part writes its own progress and keeps the
job's heartbeat; the last part to finish merges the parts' schedules, runs the independent
checker on the whole and stores the draft exactly as an unsplit solve does. A part that fails
fails the job (the other parts stop at their next beat) and the last good schedule stays.
A cancel stops every part: running ones at their next beat (each keeps its best schedule), queued
ones before they start; when every part still ended with a schedule they are merged into a
draft, as an unsplit solve's cancel does, else the job ends cancelled and the last good draft
stays. The merged draft's bound adds the parts' bounds, a split component's computed unsplit in
time kept back for it (``solver.decompose_bound``).
"""

from __future__ import annotations

import json
import logging
import time

from flask import current_app
from sqlalchemy import select, update

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import JobStatus, SolveJob, SolvePart, SolveSplit
from scheduler.solving import operations, part_operations
from scheduler.solving.monitor import SolveMonitor
from scheduler.stamps import stamp_tables
from solver import check, parse_problem
from solver.deadline import Deadline
from solver.decompose import merge, merge_seconds
from solver.decompose_bound import bound_seconds, split_bounds, split_cohorts
from solver.decompose_guide import GUIDE_KEY

log = logging.getLogger(__name__)

SOLVE_PART_TASK = "solve_part"
MAX_LISTED_VIOLATIONS = 5


def split_job(job_id: int, document: dict, part_docs: list[dict], period_version: int) -> None:
    """Store the parts of job ``job_id`` and queue a task for each (the job stays running)."""
    ids = part_operations.create_parts(job_id, document, part_docs, period_version)
    for part_id in ids:
        queue.enqueue(SOLVE_PART_TASK, part_id)


class PartMonitor(SolveMonitor):
    """The watch over one part: its own progress, and the job's heartbeat, elapsed time and best
    cost (the sum of the parts' once every part has one). A cancel of the job, or its end (another
    part failed, its worker was lost), stops this part's solver at the next beat."""

    def __init__(self, engine, job_id: int, part_id: int, started, interval: float) -> None:
        super().__init__(engine, job_id, interval)
        self.part_id, self.job_started = part_id, started

    def _beat(self) -> None:
        now = utcnow()
        with self._lock:
            latest = self._latest
        mine = {"elapsed_seconds": round(time.monotonic() - self._started, 2)}
        if latest is not None:
            mine["best_cost"] = latest[0]
        with self.engine.begin() as connection:
            connection.execute(update(SolvePart).where(SolvePart.id == self.part_id).values(**mine))
            costs = connection.execute(
                select(SolvePart.best_cost).where(SolvePart.job_id == self.job_id)
            ).scalars().all()  # fmt: skip
            values = {
                "heartbeat_at": now,
                "elapsed_seconds": round((now - self.job_started).total_seconds(), 2),
            }
            if costs and None not in costs:
                values["best_cost"] = round(sum(costs), 2)
            connection.execute(
                update(SolveJob)
                .where(SolveJob.id == self.job_id, SolveJob.status == JobStatus.RUNNING)
                .values(**values)
            )
            stamp_tables(connection, [SolveJob.__tablename__])
            status, cancel = connection.execute(
                select(SolveJob.status, SolveJob.cancel_requested).where(SolveJob.id == self.job_id)
            ).one()
        if (cancel or status != JobStatus.RUNNING) and not self.stop.is_set():
            self.cancelled = bool(cancel)
            self.stop.set()


@queue.task(SOLVE_PART_TASK)
def solve_part(part_id: int) -> None:
    """Solve one part of a split job; the last part to finish merges and stores the draft."""
    job_id = db.session.scalar(select(SolvePart.job_id).where(SolvePart.id == part_id))
    db.session.commit()
    try:
        _solve_part(job_id, part_id)
        if part_operations.claim_merge(job_id):
            _merge(job_id)
        else:
            part_operations.cancel_stopped_job(job_id)
    except Exception as error:
        log.exception("Part %s of solve job %s failed", part_id, job_id)
        reason = f"{type(error).__name__}: {error}"
        part_operations.fail_part(part_id, reason)
        operations.fail_job(
            job_id,
            f"A part of the solve stopped with an error ({reason}); the last good schedule is "
            "unchanged.",
        )


def _solve_part(job_id: int, part_id: int) -> None:
    """Solve the part and store its schedule (or end it: failed, cancelled)."""
    from solver.solve import solve  # loads OR-Tools: only in workers

    config = current_app.config
    share = part_operations.start_part(part_id, _merge_seconds(job_id))
    if share is None:
        return
    part = db.session.get(SolvePart, part_id)
    started = db.session.get(SolveJob, job_id).started_at
    text, index = part.problem_json, part.index
    db.session.commit()
    document = json.loads(text)
    problem, errors = parse_problem(document)
    if problem is None:  # the whole was valid, so this is a bug in the split: say so
        raise ValueError(f"part {index + 1} is not a valid problem: {errors[:3]}")
    interval = config.get("JOB_HEARTBEAT_INTERVAL", 0.5)
    with PartMonitor(db.engine, job_id, part_id, started, interval) as monitor:
        schedule = solve(
            problem,
            time_limit=share,
            workers=config.get("SOLVER_WORKERS", 2),
            progress=monitor.progress,
            stop_event=monitor.stop,
            deadline=Deadline.after(share),
            guide=document.get(GUIDE_KEY),  # its share of the whole's greedy plan, kept first
        )
    if schedule["status"] == "infeasible":
        from scheduler.solving.tasks import infeasible_reason  # tasks imports this module

        reason = f"Part {index + 1}: " + infeasible_reason(schedule)
        part_operations.fail_part(part_id, reason)
        operations.fail_job(job_id, reason)
        return
    if monitor.cancelled and schedule["solver"].get("stopped"):
        # Cancelled before even its greedy plan was complete: no schedule worth a draft.
        part_operations.cancel_part(part_id, "cancelled before its first schedule was complete")
        return
    part_operations.finish_part(part_id, schedule, monitor.greedy_cost)


def _merge_seconds(job_id: int) -> float:
    """Seconds kept back from the parts for the merge, the check and the split components'
    bound."""
    rows = db.session.execute(
        select(SolvePart.cohorts, SolvePart.split).where(SolvePart.job_id == job_id)
    ).all()
    limit = db.session.scalar(select(SolveJob.time_limit_seconds).where(SolveJob.id == job_id))
    split = sum(row.cohorts for row in rows if row.split)
    return merge_seconds(sum(row.cohorts for row in rows)) + bound_seconds(limit or 0, split)


def _merge(job_id: int) -> None:
    """Every part is done and this task claimed the merge: merge with the bound, check the
    whole independently, store the draft."""
    split = db.session.get(SolveSplit, job_id)
    document, period_version = json.loads(split.problem_json), split.period_version
    rows = db.session.scalars(
        select(SolvePart).where(SolvePart.job_id == job_id).order_by(SolvePart.index)
    ).all()
    part_docs = [json.loads(row.problem_json) for row in rows]
    schedules = [json.loads(row.schedule_json) for row in rows]
    firsts = [row.first_cost for row in rows]
    job = db.session.get(SolveJob, job_id)
    started, time_limit, cancelled = job.started_at, job.time_limit_seconds, job.cancel_requested
    db.session.commit()
    problem, _ = parse_problem(document)
    budget = bound_seconds(time_limit, split_cohorts(part_docs))
    bounds = split_bounds(document, problem, part_docs, Deadline.after(budget))
    merged = merge(problem, schedules, part_docs, bounds)
    violations = check(problem, merged)
    if violations:
        listed = "; ".join(
            f"{v['rule']} at {v['path']}" for v in violations[:MAX_LISTED_VIOLATIONS]
        )
        operations.fail_job(
            job_id,
            f"The parts' schedules, merged, break {len(violations)} rule(s) ({listed}); the last "
            "good schedule is unchanged.",
        )
        return
    merged["solver"].update(
        wall_seconds=round((utcnow() - started).total_seconds(), 3), time_limit=time_limit
    )
    operations.finish_job(
        job_id,
        document,
        merged,
        period_version=period_version,
        greedy_cost=None if None in firsts else round(sum(firsts), 2),
        cancelled=cancelled,
    )
