"""Reads of a scenario's solve as it runs and once it ended: what its page and status JSON show,
with the same figures as a period's solve (``scheduler.jobs.progress``)."""

from __future__ import annotations

from scheduler.jobs.progress import before_first_schedule, progress_document
from scheduler.models import Scenario, ScenarioStatus

SUMMARIES = {
    ScenarioStatus.NEW: "Not solved since the last change.",
    ScenarioStatus.QUEUED: "Waiting for a worker to start it.",
    ScenarioStatus.RUNNING: "Solving.",
    ScenarioStatus.SOLVED: "Solved.",
    ScenarioStatus.FAILED: "The solve failed (the reason is below); the last good result is kept.",
    ScenarioStatus.CANCELLED: (
        "Cancelled at your request before a plan was found; the last good result (if any) is kept."
    ),
}


def summary(scenario: Scenario) -> str:
    """What happened to the scenario's latest solve, in a sentence."""
    if scenario.cancel_requested and scenario.status == ScenarioStatus.RUNNING:
        return "Stopping: the best plan found so far will be kept as the scenario's result."
    if scenario.status == ScenarioStatus.RUNNING and scenario.progress_cost is None:
        stage = (scenario.stage, scenario.stage_done, scenario.stage_total)
        return before_first_schedule(*stage) or SUMMARIES[scenario.status]
    if scenario.cancel_requested and scenario.status == ScenarioStatus.SOLVED:
        return "Cancelled at your request: the result is the best plan found by then."
    return SUMMARIES[scenario.status]


def status_document(scenario: Scenario) -> dict:
    """The scenario's solve as its page's script reads it: the live figures of the latest solve,
    its error, and the cost of the last good result (``result_cost``)."""
    figures = progress_document(
        status=scenario.status.value,
        active=scenario.status.active,
        summary=summary(scenario),
        elapsed_seconds=scenario.elapsed_seconds,
        time_limit_seconds=scenario.period.time_limit_seconds,
        best_cost=scenario.progress_cost,
        bound=scenario.progress_bound,
        cancel_requested=scenario.cancel_requested,
    )
    return {**figures, "error": scenario.error, "result_cost": scenario.best_cost}
