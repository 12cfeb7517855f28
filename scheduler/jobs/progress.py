"""A running job's progress as its page shows it: the same figures and words for a period's solve
and a scenario's (the partial ``jobs/_progress.html`` and ``static/solve-progress.js``)."""

from __future__ import annotations


def gap(best_cost: float | None, bound: float | None) -> float | None:
    """How much the best plan so far may still come down, as a share of its cost: (cost − bound)
    / cost, the solver's own definition; None without both, 0 for a plan that costs nothing."""
    if best_cost is None or bound is None:
        return None
    if best_cost <= 0:
        return 0.0
    return round(max(best_cost - bound, 0.0) / best_cost, 6)


def progress_document(
    *,
    status: str,
    active: bool,
    summary: str,
    elapsed_seconds: float | None,
    time_limit_seconds: float | None,
    best_cost: float | None,
    bound: float | None,
    cancel_requested: bool,
) -> dict:
    """The progress figures of a job: what the page shows and its script updates every second."""
    elapsed = elapsed_seconds or 0.0
    limit = time_limit_seconds or 1
    return {
        "status": status,
        "active": active,
        "summary": summary,
        "elapsed_seconds": round(elapsed, 1),
        "time_limit_seconds": time_limit_seconds,
        "progress": 1.0 if not active else min(1.0, elapsed / limit),
        "best_cost": best_cost,
        "bound": bound,
        "gap": gap(best_cost, bound),
        "cancel_requested": cancel_requested,
    }


def before_first_schedule(stage: str | None, done: int | None, total: int | None) -> str | None:
    """What a running solve does before its first schedule (its row's ``stage``, written by
    ``scheduler.jobs.monitor``), in a sentence; None for a stage it does not name. On 10,000
    cohorts the first schedule takes seconds, and the page says how far it is."""
    done, total = done or 0, total or 0
    if stage == "reading":
        return "Reading the planning data."
    if stage == "previous":
        return (
            "Building the first schedule: keeping what still fits of the plan it starts from "
            f"({done:,} of {total:,} sections looked at)."
        )
    if stage == "new":
        return f"Building the first schedule: {done:,} of {total:,} sections tried."
    if stage == "parts":
        return (
            "Solving in parts over the workers: the first schedule shows once every part has one."
        )
    return None
