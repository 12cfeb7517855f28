"""Writes of the reports area: the microlearning figures of a program's cost model."""

from __future__ import annotations

from scheduler.extensions import db
from scheduler.models import Program


def save_microlearning_costs(
    program: Program, fixed: float | None, per_learner: float | None
) -> None:
    """Store a program's microlearning fixed cost and cost per active learner (None: use the rate
    card's default) and commit."""
    program.microlearning_fixed_cost = fixed
    program.microlearning_learner_cost = per_learner
    db.session.commit()
