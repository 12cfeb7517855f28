"""The solve task: a queued job's period → problem → solver → a draft version.

It runs in a worker (embedded in the web process, or ``flask worker``), inside an app context.
Whatever goes wrong ends with the job failed and a reason; the period's drafts and published
schedule are only ever added to, in the one transaction that also marks the job finished.
"""

from __future__ import annotations

import json
import logging

from flask import current_app

from scheduler.database import reading
from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import SolveJob
from scheduler.planning.mapping import period_problem
from scheduler.solving import operations, parts
from scheduler.solving.monitor import SolveMonitor
from solver import parse_problem
from solver.deadline import Deadline
from solver.decompose import MAX_PART_COHORTS
from solver.decompose import parts as problem_parts
from solver.decompose_guide import first_pass
from solver.gcpause import paused

log = logging.getLogger(__name__)

MAX_LISTED_ERRORS = 5

# A worker starting up (after a crash, typically) fails the jobs that lost their worker.
queue.on_worker_start(operations.fail_lost_jobs)


@queue.on_worker_start
def load_engine() -> None:
    """Load the engine (OR-Tools, and the numpy and pandas it brings) as the worker starts: the
    web process never needs it, and a worker's first job would otherwise wait for it before its
    first schedule (0.4 s of 0.6 s on the demo, bench/results/log.md). The ``holidays``
    package's countries too: the first public holiday a process looks up imports all of them
    (0.1 s), and every solve reads its sites' holidays (``sites.closed_days``)."""
    import holidays.countries  # noqa: F401

    import solver.solve  # noqa: F401


@queue.task(operations.SOLVE_TASK)
def solve_period(job_id: int) -> None:
    """Solve the period of job ``job_id``, writing its progress, and store the result as a draft."""
    if not operations.start_job(job_id):
        return  # cancelled before a worker took it
    try:
        _solve(job_id)
    except Exception as error:
        log.exception("Solve job %s failed", job_id)
        operations.fail_job(
            job_id,
            f"The solve stopped with an error ({type(error).__name__}: {error}); "
            "the last good schedule is unchanged.",
        )


def _solve(job_id: int) -> None:
    config = current_app.config
    # The heartbeat starts before the problem is built: building a large period takes seconds,
    # and a job without heartbeats that long would look lost to the other processes.
    with SolveMonitor(db.engine, job_id, config.get("JOB_HEARTBEAT_INTERVAL", 0.5)) as monitor:
        monitor.building("reading", 0, 0)
        # Reading the period makes most of the objects a first schedule is built from: the
        # cycle collector waits until a split's first pass is shown and its parts are made
        # (solver.gcpause).
        with paused():
            # A read-only transaction: on SQLite a worker's usual transaction holds the write
            # lock, which the heartbeats (and every other writer) would wait for until the
            # build ends.
            with reading():
                job = db.session.get(SolveJob, job_id)
                # The time limit counts from the job's start: building the problem is part of it.
                deadline = Deadline.after(job.time_limit_seconds)
                document = seeded(period_problem(job.period), job)
                period_version, time_limit = job.period.version, job.time_limit_seconds
                db.session.commit()
            problem, errors = parse_problem(document)
            if problem is None:
                operations.fail_job(job_id, invalid_problem_reason(errors))
                return
            # A problem larger than one worker's solve is split over the workers (issue 18);
            # one that stays whole (its cohorts all share learners or conflict groups) is
            # solved as is.
            limit = config.get("SOLVE_PART_COHORTS", MAX_PART_COHORTS)
            part_docs: list[dict] = []
            if len(problem.cohorts) > limit:
                guide = _first_pass(monitor, problem, deadline)
                part_docs = problem_parts(document, problem, limit, guide)
        if len(part_docs) <= 1:
            schedule = monitor.solve(problem, time_limit=time_limit, deadline=deadline)
    if len(part_docs) > 1:
        # Queued once this job's own heartbeat has stopped: the parts' monitors keep the job's
        # best cost from here (the sum of theirs), and a beat of this one would put the first
        # pass's cost back, even over the finished job's when the parts run at once (tests).
        parts.split_job(job_id, document, part_docs, period_version)
        return
    if schedule["status"] == "infeasible":
        operations.fail_job(job_id, infeasible_reason(schedule))
        return
    operations.finish_job(
        job_id,
        document,
        schedule,
        period_version=period_version,
        greedy_cost=monitor.greedy_cost,
        cancelled=monitor.cancelled,
    )


def _first_pass(monitor: SolveMonitor, problem, deadline: Deadline) -> list[dict] | None:
    """The greedy plan of the whole, which guides the split (``solver.decompose_guide``): its
    cost is the job's first progress, shown at once. Its sections, or None when it did not
    finish in its share of the time."""

    def priced(cost: float) -> None:  # shown before the guide's document is written
        monitor.progress(deadline.elapsed(), cost, None)
        monitor.flush()

    guide = first_pass(problem, deadline, monitor.building, priced)
    return None if guide is None else guide["sections"]


def seeded(document: dict, job: SolveJob) -> dict:
    """A job given a plan to start from re-plans from it: the plan is the problem's ``previous``
    (in place of the published schedule), so the solver starts from it where it still keeps every
    rule and moves as little of it as it can (``solver.previous``, ``change_cost``)."""
    if job.previous_json:
        document["previous"] = json.loads(job.previous_json)
    return document


def invalid_problem_reason(errors: list[dict]) -> str:
    """The reason of a job whose data does not make a valid problem, naming the JSON paths."""
    listed = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:MAX_LISTED_ERRORS])
    more = (
        f" (and {len(errors) - MAX_LISTED_ERRORS} more)" if len(errors) > MAX_LISTED_ERRORS else ""
    )
    return f"The planning data is not a valid problem: {listed}{more}. Fix the data and retry."


def infeasible_reason(schedule: dict) -> str:
    """The reason of a job whose pinned sessions contradict each other or the data."""
    listed = "; ".join(e["message"] for e in schedule.get("errors", [])[:MAX_LISTED_ERRORS])
    return f"No schedule can keep every pinned session: {listed or 'no details'}."
