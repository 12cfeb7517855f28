"""Writes of the scenarios area: make a scenario, change it, queue and record its solves.

Nothing here writes outside the ``scenario`` table: a scenario reads the real data once, when it
is made, and only promotion (``scheduler.scenarios.promotion``) changes real records.

A solve goes new/solved/failed/cancelled → queued → running → solved or failed, or is cancelled:
queued → cancelled at once; running → solved with the best plan found by then (``cancel_requested``
stays set, so the page says it was stopped early), or cancelled when none was found yet. Each
transition is a conditional UPDATE, so a second click on Solve, a Cancel as the worker starts,
or a change saved while a solve runs, is seen by whichever side commits second.
"""

from __future__ import annotations

import json

from sqlalchemy import update

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.jobs import operations as jobs
from scheduler.models import PlanningPeriod, Scenario, ScenarioStatus, User
from scheduler.planning.mapping import period_problem
from scheduler.scenarios import util

SOLVE_TASK = "solve_scenario"
LOST_WORKER = (
    "The solve's worker stopped (or never took it): the solve will not finish. "
    "The previous result is unchanged; solve again."
)
ACTIVE = (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING)
#: A new solve's progress columns, before a worker starts it and its monitor writes them (the
#: previous solve's start would make a queued one look older than it is).
FRESH_PROGRESS = {
    "started_at": None,
    "cancel_requested": False,
    "heartbeat_at": None,
    "elapsed_seconds": 0.0,
    "progress_cost": None,
    "progress_bound": None,
    "stage": None,
    "stage_done": None,
    "stage_total": None,
}


class ScenarioRefused(Exception):
    """A scenario action that cannot be done now; the message says why."""


def create_scenario(period: PlanningPeriod, name: str, user: User | None) -> Scenario:
    """A new scenario of ``period``: a copy of its problem as the data stands now (committed)."""
    scenario = Scenario(
        period_id=period.id,
        name=name,
        base_json=json.dumps(period_problem(period), sort_keys=True),
        changes_json="[]",
        created_by_id=user.id if user else None,
    )
    db.session.add(scenario)
    db.session.commit()
    return scenario


def add_change(scenario: Scenario, change: dict) -> None:
    """Append ``change`` to the scenario's list (committed); its result is then out of date."""
    _refuse_while_solving(scenario)
    scenario.changes_json = json.dumps([*scenario.changes, change], sort_keys=True)
    _mark_changed(scenario)
    db.session.commit()


def remove_change(scenario: Scenario, index: int) -> dict:
    """Remove the change at ``index`` (0-based) and commit; returns it."""
    _refuse_while_solving(scenario)
    changes = scenario.changes
    if not 0 <= index < len(changes):
        raise ScenarioRefused("That change is no longer in the scenario.")
    removed = changes.pop(index)
    scenario.changes_json = json.dumps(changes, sort_keys=True)
    _mark_changed(scenario)
    db.session.commit()
    return removed


def rename(scenario: Scenario, name: str) -> None:
    scenario.name = name
    db.session.commit()


def delete(scenario: Scenario) -> None:
    """Delete a scenario that is not being solved (committed)."""
    _refuse_while_solving(scenario)
    db.session.delete(scenario)
    db.session.commit()


def _refuse_while_solving(scenario: Scenario) -> None:
    if scenario.status.active:
        raise ScenarioRefused(
            f"{scenario.name} is being solved: wait for the solve to finish before changing it."
        )


def _mark_changed(scenario: Scenario) -> None:
    # The previous result stays for comparison, but no longer answers the changes.
    if scenario.status in (ScenarioStatus.SOLVED, ScenarioStatus.FAILED, ScenarioStatus.CANCELLED):
        scenario.status = ScenarioStatus.NEW
        scenario.error = ""


def queue_solve(scenario: Scenario) -> None:
    """Queue a solve of the scenario and commit; refused while one is queued or running."""
    scenario_id = scenario.id
    claimed = db.session.execute(
        update(Scenario)
        .where(Scenario.id == scenario_id, Scenario.status.not_in(ACTIVE))
        .values(status=ScenarioStatus.QUEUED, error="", queued_at=utcnow(), **FRESH_PROGRESS)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ScenarioRefused(f"{scenario.name} is already being solved.")
    # Committed before queueing: in immediate mode the task runs inside ``enqueue``.
    db.session.commit()
    refused = ScenarioRefused(f"{jobs.PAUSED}. Nothing was queued.")
    jobs.enqueue(Scenario, SOLVE_TASK, scenario_id, fail_solve, refused)


def cancel_solve(scenario: Scenario) -> str:
    """Cancel the scenario's solve and commit: at once if no worker has started it, else at the
    solver's next check, which keeps the best plan found by then as the scenario's result (or,
    with none found yet, the last good result). Returns what happened, as a message."""
    scenario_id = scenario.id
    queued, running = [ScenarioStatus.QUEUED], [ScenarioStatus.RUNNING]
    if jobs.move(
        Scenario, scenario_id, queued, status=ScenarioStatus.CANCELLED, cancel_requested=True
    ):
        return "The solve was cancelled before it started; the previous result is unchanged."
    if jobs.move(Scenario, scenario_id, running, cancel_requested=True):
        return (
            "Stopping the solver: the best plan found so far will be kept as the scenario's result."
        )
    return "This solve had already ended."


def fail_lost_solve(scenario: Scenario) -> bool:
    """Fail the scenario's solve if its worker was lost (see ``util.solve_lost``) and commit;
    whether it was. The previous result is kept, and the scenario can be changed and solved
    again."""
    if not util.solve_lost(scenario):
        return False
    jobs.move(Scenario, scenario.id, ACTIVE, status=ScenarioStatus.FAILED, error=LOST_WORKER)
    db.session.refresh(scenario)
    return True


# --- the worker's side --------------------------------------------------------------------------


def start_solve(scenario_id: int) -> bool:
    """Mark a queued solve running and commit; False if it is not queued any more."""
    return jobs.start(Scenario, scenario_id, started_at=utcnow())


def fail_solve(scenario_id: int, reason: str) -> None:
    """Mark the solve failed with ``reason``; the previous result is left as it was."""
    jobs.fail(Scenario, scenario_id, reason)


def cancelled_solve(scenario_id: int) -> None:
    """A running solve stopped at the coordinator's request before it found a plan: mark it
    cancelled and commit; the previous result is left as it was."""
    db.session.rollback()
    running = [ScenarioStatus.RUNNING]
    jobs.move(Scenario, scenario_id, running, status=ScenarioStatus.CANCELLED, error="")


def finish_solve(scenario_id: int, changes_json: str, problem: dict, schedule: dict) -> bool:
    """Store a checked result and commit (a solve stopped by Cancel stores the best plan it had).
    Changes saved while it ran make it out of date: then it is not stored (False) and the
    scenario waits for another solve."""
    total = schedule["cost"]["total"]
    result = db.session.execute(
        update(Scenario)
        .where(
            Scenario.id == scenario_id,
            Scenario.status == ScenarioStatus.RUNNING,
            Scenario.changes_json == changes_json,
        )
        .values(
            status=ScenarioStatus.SOLVED,
            error="",
            schedule_json=json.dumps(schedule, sort_keys=True),
            solved_problem_json=json.dumps(problem, sort_keys=True),
            best_cost=total,
            solved_at=utcnow(),
            progress_cost=total,
            progress_bound=schedule.get("lower_bound"),
            elapsed_seconds=(schedule.get("solver") or {}).get("wall_seconds", 0.0),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1
