"""The capacity task: a queued plan's period + pool → problem → solver (may hire) → sensitivity.

It runs in a worker inside an app context. The answer is checked by the engine's independent
checker before it is stored; whatever goes wrong ends with the plan failed and a reason, and
nothing of the period's real data is ever written.
"""

from __future__ import annotations

import logging

from flask import current_app

from scheduler.capacity import operations, util
from scheduler.database import reading
from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import CapacityPlan
from scheduler.planning.mapping import period_problem
from scheduler.solving.tasks import infeasible_reason, invalid_problem_reason
from solver import parse_problem

log = logging.getLogger(__name__)

# Each sensitivity row is a re-solve this short; facilitator rows only for the busiest ones, and
# deadline-group rows only for the groups leaving the most learners out (two re-solves each).
DEFAULT_SENSITIVITY_SECONDS = 2.0
DEFAULT_SENSITIVITY_FACILITATORS = 6
DEFAULT_SENSITIVITY_DEADLINE_GROUPS = 4


@queue.task(operations.CAPACITY_TASK)
def plan_capacity(plan_id: int) -> None:
    """Answer capacity plan ``plan_id``: who to hire, the plan using them, and its sensitivity."""
    if not operations.start_plan(plan_id):
        return
    try:
        _run(plan_id)
    except Exception as error:
        log.exception("Capacity plan %s failed", plan_id)
        operations.fail_plan(
            plan_id, f"The capacity plan stopped with an error ({type(error).__name__}: {error})."
        )


def _run(plan_id: int) -> None:
    from solver.check import check  # loads OR-Tools: only in workers
    from solver.sensitivity import busiest_facilitators, sensitivity
    from solver.solve import solve

    config = current_app.config
    with reading():
        plan = db.session.get(CapacityPlan, plan_id)
        document = period_problem(plan.period)
        document["hiring_pool"] = util.pool_entries(plan, plan.period.timezone)
        time_limit = plan.time_limit_seconds
        db.session.commit()
    problem, errors = parse_problem(document)
    if problem is None:
        operations.fail_plan(plan_id, invalid_problem_reason(errors))
        return
    schedule = solve(problem, time_limit=time_limit, workers=config.get("SOLVER_WORKERS", 2))
    if schedule["status"] == "infeasible":
        operations.fail_plan(plan_id, infeasible_reason(schedule))
        return
    violations = check(problem, schedule)
    if violations:
        listed = "; ".join(f"{v['path']}: {v['message']}" for v in violations[:5])
        operations.fail_plan(plan_id, f"The engine's checker refused the plan: {listed}.")
        return
    table = sensitivity(
        problem,
        schedule,
        seconds=config.get("CAPACITY_SENSITIVITY_SECONDS", DEFAULT_SENSITIVITY_SECONDS),
        facilitators=busiest_facilitators(
            schedule,
            config.get("CAPACITY_SENSITIVITY_FACILITATORS", DEFAULT_SENSITIVITY_FACILITATORS),
            among=sorted(problem.facilitators),  # the real ones: hires are the answer itself
        ),
        group_limit=config.get(
            "CAPACITY_SENSITIVITY_DEADLINE_GROUPS", DEFAULT_SENSITIVITY_DEADLINE_GROUPS
        ),
    )
    operations.finish_plan(plan_id, {"schedule": schedule, "sensitivity": table})
