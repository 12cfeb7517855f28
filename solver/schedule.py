"""Building blocks of v1 *schedule* documents (``cohort-scheduler/schedule/v1``).

The solver, the CLI and the app all produce or read schedule documents; the statuses, the cost
components and the UTC time format are defined here once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from solver.problem import SCHEDULE_FORMAT

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
INVALID = "invalid"
STATUSES = (OPTIMAL, FEASIBLE, INFEASIBLE, INVALID)

# CLI exit status of each schedule status: 0 a schedule, 1 none exists, 2 the input is wrong.
EXIT_CODES = {OPTIMAL: 0, FEASIBLE: 0, INFEASIBLE: 1, INVALID: 2}

# The parts of cost.total, in the order the document lists them.
COST_COMPONENTS = (
    "facilitators",
    "travel",
    "rooms",
    "seats",
    "preferences",
    "unscheduled",
    "changes",
)
# The parts divided by placed learners to give cost.per_trained_learner.
TRAINING_COMPONENTS = ("facilitators", "travel", "rooms", "seats")


def empty_cost() -> dict[str, float]:
    """A cost object with every component, the total and per_trained_learner at zero."""
    return {"total": 0.0, **dict.fromkeys(COST_COMPONENTS, 0.0), "per_trained_learner": 0.0}


def iso_utc(instant: datetime) -> str:
    """An aware instant as the document's UTC form, "2027-01-05T09:00:00+00:00"."""
    if instant.tzinfo is None:
        raise ValueError("iso_utc needs a timezone-aware datetime")
    return instant.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_utc(text: str) -> datetime | None:
    """An instant of a schedule document (any ISO offset, "Z" accepted), or None if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None
    return instant.astimezone(UTC) if instant.tzinfo is not None else None


def schedule_document(
    status: str,
    *,
    cost: dict[str, float] | None = None,
    lower_bound: float | None = None,
    sections: list[dict[str, Any]] | None = None,
    unscheduled: list[dict[str, Any]] | None = None,
    errors: list[dict[str, str]] | None = None,
    solver: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A schedule document with every top-level field present, in the documented order."""
    if status not in STATUSES:
        raise ValueError(f"unknown schedule status {status!r}")
    return {
        "format": SCHEDULE_FORMAT,
        "status": status,
        "cost": cost if cost is not None else empty_cost(),
        "lower_bound": lower_bound,
        "sections": sections or [],
        "unscheduled": unscheduled or [],
        "errors": errors or [],
        "solver": solver or {"wall_seconds": 0.0, "time_limit": None, "bound": None, "gap": None},
    }


def invalid_schedule(errors: list[dict[str, str]]) -> dict[str, Any]:
    """The document written for a problem that failed validation: status "invalid" and its errors."""
    return schedule_document(INVALID, errors=list(errors))
