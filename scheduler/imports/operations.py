"""Writes of the imports area: saving a checked import in one transaction.

``apply_import`` only adds and changes objects in the session; the caller commits once, so a
file is saved completely or not at all.
"""

from __future__ import annotations

import json
import secrets

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from scheduler.adjustments.late_joiners import place_late_joiners
from scheduler.audit import operations as audit
from scheduler.extensions import db
from scheduler.facilitators.operations import set_skills
from scheduler.imports.layouts import layout_key
from scheduler.imports.mapping import ColumnMapping
from scheduler.imports.preview import ImportPreview
from scheduler.imports.rows import CREATE, UNCHANGED, UPDATE, PlannedRow
from scheduler.models import (
    Cohort,
    CohortMember,
    Facilitator,
    ImportMapping,
    Learner,
    Role,
    User,
)


def apply_import(preview: ImportPreview) -> dict[str, int]:
    """Create and update the objects of a good preview; return the counts per action."""
    if not preview.ok:
        raise ValueError("an import with errors cannot be saved")
    apply_row = APPLIERS[preview.fmt.kind]
    for row in preview.rows:
        if row.action != UNCHANGED:
            apply_row(row)
    db.session.flush()
    counts = preview.counts
    # One entry per import: the rows are listed in the file the coordinator kept.
    audit.record_by_person(
        "import",
        f"imported {preview.fmt.kind}: {counts[CREATE]} added, {counts[UPDATE]} changed, "
        f"{counts[UNCHANGED]} unchanged",
    )
    return counts


def _set_attributes(target, row: PlannedRow, skip: tuple[str, ...] = ()) -> None:
    for attribute, value in row.values.items():
        if attribute not in skip:
            setattr(target, attribute, value)


def save_learner(row: PlannedRow) -> Learner:
    """Create or update one learner."""
    learner = row.existing or Learner(key=row.key)
    _set_attributes(learner, row)
    db.session.add(learner)
    return learner


def save_cohort(row: PlannedRow) -> Cohort:
    """Create or update one cohort; its members become exactly the row's learners."""
    cohort = row.existing or Cohort(key=row.key)
    _set_attributes(cohort, row, skip=("members",))
    wanted = {learner.id: learner for learner in row.values["members"]}
    # Keep the rows of learners who stay: deleting and re-adding the same (cohort, learner)
    # pair in one flush would break the unique constraint, since inserts run before deletes.
    kept = [member for member in cohort.members if member.learner_id in wanted]
    kept_ids = {member.learner_id for member in kept}
    added = [
        CohortMember(learner=learner)
        for learner_id, learner in wanted.items()
        if learner_id not in kept_ids
    ]
    cohort.members = kept + added
    db.session.add(cohort)
    if row.existing is not None and added:  # only a known cohort can have a published schedule
        db.session.flush()
        place_late_joiners(cohort, [member.learner_id for member in added])
    return cohort


def save_facilitator(row: PlannedRow) -> Facilitator:
    """Create or update one facilitator profile and the name and e-mail of its account."""
    profile = row.existing or Facilitator(key=row.key)
    if row.action == CREATE:
        profile.user = row.values["account"] or _new_facilitator_account(row.values["email"])
    account = profile.user
    account.name = row.values["name"]
    account.email = row.values["email"]
    account.timezone = row.values["timezone"]
    _set_attributes(profile, row, skip=("name", "email", "skills", "account"))
    set_skills(profile, row.values["skills"])
    db.session.add(profile)
    return profile


def _new_facilitator_account(email: str) -> User:
    """A facilitator account whose password nobody knows, so it must be reset before use.

    The password is 256 random bits that are never shown or sent; the slow default hash
    protects guessable human passwords and would cost 0.1 s per row here, so a fast
    one is used. Until the schema gains a "must reset password" flag (reported to the lead),
    the unknown password is the mark: the facilitator signs in only after a reset.
    """
    account = User(email=email, name=email, role=Role.FACILITATOR)
    account.password_hash = generate_password_hash(
        secrets.token_urlsafe(32), method="pbkdf2:sha256:1000"
    )
    return account


APPLIERS = {
    "learners": save_learner,
    "cohorts": save_cohort,
    "facilitators": save_facilitator,
}


def save_mapping(kind: str, header: list[str], mapping: ColumnMapping, user_id: int) -> None:
    """Keep ``mapping`` for this kind and layout (replacing an earlier one); not committed."""
    layout = layout_key(header)
    row = db.session.scalar(
        select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.layout == layout)
    )
    if row is None:
        row = ImportMapping(kind=kind, layout=layout)
        db.session.add(row)
    row.header = json.dumps(header)
    row.columns = json.dumps({key: value for key, value in mapping.columns.items() if value})
    row.date_format = mapping.date_format
    row.name_order = mapping.name_order
    row.updated_by_id = user_id
