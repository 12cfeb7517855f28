"""Writes of the reports area: the microlearning figures of a program's cost model."""

from __future__ import annotations

from scheduler.audit import operations as audit
from scheduler.extensions import db
from scheduler.models import Program


def save_microlearning_costs(
    program: Program, fixed: float | None, per_learner: float | None
) -> None:
    """Store a program's microlearning fixed cost and cost per active learner (None: use the rate
    card's default) and commit."""
    before = audit.snapshot(program)
    program.microlearning_fixed_cost = fixed
    program.microlearning_learner_cost = per_learner
    audit.record_changes(program, before)
    db.session.commit()
