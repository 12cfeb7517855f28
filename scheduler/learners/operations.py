"""Writes of the learners area: create, update and delete learners."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.audit import operations as audit
from scheduler.extensions import db
from scheduler.forms.saving import FieldError, flush_or_refuse
from scheduler.models import Learner


def save_learner(learner: Learner | None, values: dict) -> Learner:
    """Create a learner (``learner`` None) or update one from ``values``.

    Raises ``FieldError`` when the employee id or the e-mail belongs to another learner;
    the caller then rolls the session back so that nothing is written.
    """
    _check_unique(learner, values)
    before = audit.snapshot(learner)
    if learner is None:
        learner = Learner()
        db.session.add(learner)
    for name, value in values.items():
        setattr(learner, name, value)
    flush_or_refuse("Another learner was just saved with this id or e-mail.")
    audit.record_changes(learner, before)
    return learner


def _check_unique(learner: Learner | None, values: dict) -> None:
    others = select(Learner.id)
    if learner is not None:
        others = others.where(Learner.id != learner.id)
    if db.session.scalar(others.where(Learner.key == values["key"])) is not None:
        raise FieldError("key", f"Employee id {values['key']} is already used by another learner.")
    same_email = others.where(func.lower(Learner.email) == values["email"].lower())
    if db.session.scalar(same_email) is not None:
        raise FieldError("email", f"{values['email']} is already used by another learner.")


def delete_learner(learner: Learner) -> None:
    """Delete ``learner``; the database removes their cohort places with them."""
    audit.record_deleted(learner)
    db.session.delete(learner)
    db.session.flush()
