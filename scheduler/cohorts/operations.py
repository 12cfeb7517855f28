"""Writes of the cohorts area: cohorts, their blocked periods and their members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from scheduler.adjustments.late_joiners import free_seats_of_leavers, place_late_joiners
from scheduler.audit import operations as audit
from scheduler.breaks.operations import withdraw_from_published_plans
from scheduler.cohorts.util import NonexistentLocalTime, local_to_utc
from scheduler.extensions import db
from scheduler.followups.attaching import withdraw_learners
from scheduler.forms.saving import FieldError, flush_or_refuse
from scheduler.models import Cohort, CohortBlock, CohortMember, Learner, ScheduleVersion


def save_cohort(cohort: Cohort | None, values: dict) -> Cohort:
    """Create a cohort (``cohort`` None) or update one from ``values``.

    Raises ``FieldError`` when another cohort has the same id; the caller rolls back.
    """
    others = select(Cohort.id).where(Cohort.key == values["key"])
    if cohort is not None:
        others = others.where(Cohort.id != cohort.id)
    if db.session.scalar(others) is not None:
        raise FieldError("key", f"Cohort id {values['key']} is already used by another cohort.")
    before = audit.snapshot(cohort)
    if cohort is None:
        cohort = Cohort()
        db.session.add(cohort)
    for name, value in values.items():
        setattr(cohort, name, value)
    flush_or_refuse("Another cohort was just saved with this id.")
    audit.record_changes(cohort, before)
    return cohort


def delete_cohort(cohort: Cohort) -> set[ScheduleVersion]:
    """Delete ``cohort`` with its member list and blocked periods (not the learners). Returns
    the published versions it had seats in: pass them to ``cancel_withdrawn`` once the deletion
    stands, to cancel its learners' invitations."""
    versions = withdraw_from_published_plans(cohort=cohort)
    audit.record_deleted(cohort)
    db.session.delete(cohort)
    db.session.flush()
    return versions


def add_block(cohort: Cohort, start: datetime, end: datetime, reason: str) -> CohortBlock:
    """Block ``start``-``end``, naive wall-clock times in the cohort's zone, stored as UTC."""
    before = audit.snapshot(cohort)
    block = CohortBlock(
        start=_to_utc(start, cohort.timezone, "start"),
        end=_to_utc(end, cohort.timezone, "end"),
        reason=reason,
    )
    if block.end <= block.start:
        # Possible only around a clock change, where local order and real order differ.
        raise FieldError("end", "The blocked period must end after it starts.")
    cohort.blocks.append(block)
    db.session.flush()
    audit.record_changes(cohort, before)
    return block


def _to_utc(local: datetime, timezone: str, field: str) -> datetime:
    try:
        return local_to_utc(local, timezone)
    except NonexistentLocalTime as error:
        raise FieldError(field, str(error)) from error


def delete_block(block: CohortBlock) -> None:
    cohort = block.cohort
    before = audit.snapshot(cohort)
    db.session.delete(block)
    db.session.flush()
    db.session.expire(cohort, ["blocks"])
    audit.record_changes(cohort, before)


def add_members(cohort: Cohort, learner_ids: list[int]) -> int:
    """Add these learners to ``cohort``; returns how many were not in it yet.

    Raises ``FieldError`` naming the ids that match no learner; nothing is added then.
    """
    found = set(db.session.scalars(select(Learner.id).where(Learner.id.in_(learner_ids))))
    missing = [str(id_) for id_ in learner_ids if id_ not in found]
    if missing:
        raise FieldError("learner_ids", f"No learner has the id {', '.join(missing)}.")
    return _add(cohort, found)


def add_members_by_employee_id(cohort: Cohort, employee_ids: list[str]) -> int:
    """Add the learners with these employee ids; returns how many were not in it yet.

    Raises ``FieldError`` listing every unknown employee id; nothing is added then.
    """
    rows = db.session.execute(select(Learner.key, Learner.id).where(Learner.key.in_(employee_ids)))
    by_key = {key: id_ for key, id_ in rows}
    unknown = [key for key in employee_ids if key not in by_key]
    if unknown:
        raise FieldError(
            "employee_ids",
            f"Unknown employee id{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            "Nothing was added.",
        )
    return _add(cohort, set(by_key.values()))


def _add(cohort: Cohort, learner_ids: set[int]) -> int:
    present = set(
        db.session.scalars(
            select(CohortMember.learner_id).where(CohortMember.cohort_id == cohort.id)
        )
    )
    new_ids = sorted(learner_ids - present)
    db.session.add_all(CohortMember(cohort_id=cohort.id, learner_id=id_) for id_ in new_ids)
    flush_or_refuse("Someone else changed this cohort's members at the same moment; try again.")
    _record_members("added", cohort, new_ids)
    place_late_joiners(cohort, new_ids)  # after publishing, newcomers need a seat or a wait
    return len(new_ids)


def remove_members(cohort: Cohort, learner_ids: list[int]) -> int:
    """Take these learners out of ``cohort``; returns how many were in it."""
    leaving = db.session.scalars(
        select(CohortMember.learner_id).where(
            CohortMember.cohort_id == cohort.id, CohortMember.learner_id.in_(learner_ids)
        )
    ).all()
    result = db.session.execute(
        delete(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.learner_id.in_(learner_ids)
        )
    )
    db.session.expire(cohort, ["members"])
    withdraw_learners(cohort.id, learner_ids)  # their pending follow-up steps
    freed = free_seats_of_leavers(cohort, learner_ids)  # their published seats, for late joiners
    _record_members("removed", cohort, leaving, f"; {freed} published seats freed" if freed else "")
    return result.rowcount


def _record_members(verb: str, cohort: Cohort, learner_ids, more: str = "") -> None:
    if not learner_ids:
        return
    names = db.session.scalars(
        select(Learner.name).where(Learner.id.in_(learner_ids)).order_by(Learner.name)
    ).all()
    count = f"{len(names)} learner{'s' if len(names) != 1 else ''}"
    where = "to" if verb == "added" else "from"
    summary = f"{verb} {count} {where} cohort {cohort.key}: {audit.names(names)}{more}"
    audit.record_by_person("members", summary)
