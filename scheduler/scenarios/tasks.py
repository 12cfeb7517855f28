"""The scenario solve task: a scenario's problem → solver → the engine's checker → its result.

It runs on the same queue as the period solves (embedded worker on SQLite, ``flask worker``
processes with Redis), so several scenarios solve in parallel on as many workers. Whatever goes
wrong ends with the scenario failed and a reason; its last good result is only replaced by a new
one that the independent checker (``solver.check``) accepts.

While it runs, the period solve's monitor (``scheduler.jobs.monitor``) writes its heartbeat, best
cost and bound to the scenario's row and passes a Cancel click to the solver: a cancelled solve
keeps the best plan found by then (checked like any other), or the last good result when it had
found none.
"""

from __future__ import annotations

import logging

from flask import current_app

from scheduler.database import reading
from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.jobs.monitor import JobMonitor
from scheduler.models import Scenario
from scheduler.scenarios import operations
from scheduler.scenarios.util import problem_of
from solver import check, parse_problem
from solver.deadline import Deadline

log = logging.getLogger(__name__)

MAX_LISTED = 5


@queue.task(operations.SOLVE_TASK)
def solve_scenario(scenario_id: int) -> None:
    """Solve scenario ``scenario_id`` and keep the result if the checker accepts it."""
    if not operations.start_solve(scenario_id):
        return
    try:
        _solve(scenario_id)
    except Exception as error:
        log.exception("Solve of scenario %s failed", scenario_id)
        operations.fail_solve(
            scenario_id,
            f"The solve stopped with an error ({type(error).__name__}: {error}); "
            "the previous result is unchanged.",
        )


class ScenarioMonitor(JobMonitor):
    """The watch over a scenario's solve: its live cost and bound go to ``progress_cost`` and
    ``progress_bound``, so that ``best_cost`` stays the last good result's until a new one."""

    model = Scenario
    cost_column = "progress_cost"
    bound_column = "progress_bound"
    writes_stage = True


def _solve(scenario_id: int) -> None:
    # The heartbeat starts before the problem is built, as a period solve's does: building a
    # large scenario takes seconds, and its time counts against the limit.
    interval = current_app.config.get("JOB_HEARTBEAT_INTERVAL", 0.5)
    with ScenarioMonitor(db.engine, scenario_id, interval) as monitor:
        monitor.building("reading", 0, 0)
        with reading():
            scenario = db.session.get(Scenario, scenario_id)
            changes_json, time_limit = scenario.changes_json, scenario.period.time_limit_seconds
            deadline = Deadline.after(time_limit)
            built = problem_of(scenario)
            db.session.commit()
        if not built.valid:
            operations.fail_solve(
                scenario_id, _listed("The scenario is not a valid problem", built.errors)
            )
            return
        problem, _ = parse_problem(built.document)
        schedule = monitor.solve(problem, time_limit=time_limit, deadline=deadline)
    if monitor.cancelled and not monitor.found:
        operations.cancelled_solve(scenario_id)
        return
    if schedule["status"] == "infeasible":
        messages = [e["message"] for e in schedule.get("errors", [])]
        operations.fail_solve(
            scenario_id, _listed("No schedule can keep every pinned session", messages)
        )
        return
    violations = check(problem, schedule)
    if violations:
        messages = [f"{v['rule']}: {v['message']}" for v in violations]
        operations.fail_solve(scenario_id, _listed("The checker refused the schedule", messages))
        return
    if not operations.finish_solve(scenario_id, changes_json, built.document, schedule):
        log.info("Scenario %s changed while it was solved; its result was not kept", scenario_id)


def _listed(lead: str, messages: list[str]) -> str:
    more = f" (and {len(messages) - MAX_LISTED} more)" if len(messages) > MAX_LISTED else ""
    return f"{lead}: {'; '.join(messages[:MAX_LISTED]) or 'no details'}{more}."
