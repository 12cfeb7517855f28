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
