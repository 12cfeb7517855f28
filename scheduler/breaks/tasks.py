"""The repair task: a solve job whose solver is ``solver.repair`` (the least change that fixes
every broken session) instead of the cost-only ``solver.solve``.

It is a solve job like any other (progress page, cancel, one running per period); its draft is
noted as a repair, and is reviewed (its diff) and published the usual way.
"""

from __future__ import annotations

import logging

from flask import current_app

from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import ScheduleVersion, SolveJob
from scheduler.planning.mapping import period_problem
from scheduler.solving import operations
from scheduler.solving.monitor import SolveMonitor
from scheduler.solving.tasks import infeasible_reason, invalid_problem_reason
from solver import parse_problem
from solver.deadline import Deadline

log = logging.getLogger(__name__)

REPAIR_TASK = "repair_period"


@queue.task(REPAIR_TASK)
def repair_period(job_id: int) -> None:
    """Repair the published plan of job ``job_id``'s period and store the result as a draft."""
    if not operations.start_job(job_id):
        return  # cancelled before a worker took it
    try:
        _repair(job_id)
    except Exception as error:
        log.exception("Repair job %s failed", job_id)
        operations.fail_job(
            job_id,
            f"The repair stopped with an error ({type(error).__name__}: {error}); "
            "the published schedule is unchanged.",
        )


def _repair(job_id: int) -> None:
    from solver.repair import repair  # loads OR-Tools: only in workers

    job = db.session.get(SolveJob, job_id)
    deadline = Deadline.after(job.time_limit_seconds)
    document = period_problem(job.period)
    problem, errors = parse_problem(document)
    if problem is None:
        operations.fail_job(job_id, invalid_problem_reason(errors))
        return
    period_version, time_limit = job.period.version, job.time_limit_seconds
    db.session.commit()  # no read transaction held during the search (SQLite's write lock)
    config = current_app.config
    with SolveMonitor(db.engine, job_id, config.get("JOB_HEARTBEAT_INTERVAL", 0.5)) as monitor:
        schedule = repair(
            problem,
            time_limit=time_limit,
            workers=config.get("SOLVER_WORKERS", 2),
            stop_event=monitor.stop,
            deadline=deadline,
        )
    if schedule["status"] == "infeasible":
        operations.fail_job(job_id, infeasible_reason(schedule))
        return
    job = operations.finish_job(
        job_id,
        document,
        schedule,
        period_version=period_version,
        greedy_cost=None,
        cancelled=monitor.cancelled,
    )
    draft = db.session.get(ScheduleVersion, job.draft_id)
    draft.note = repair_note(schedule) + (f"; {draft.note}" if draft.note else "")
    db.session.commit()


def repair_note(schedule: dict) -> str:
    """ "repair: 3 people affected" from the levels the repair reports."""
    levels = {item["level"]: item["value"] for item in schedule["solver"].get("repair", [])}
    affected = levels.get("people affected")
    if affected is None:
        return "repair"
    return f"repair: {affected} {'person' if affected == 1 else 'people'} affected"
