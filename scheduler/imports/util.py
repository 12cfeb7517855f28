"""Reads of the imports area: the database objects an import file refers to.

A saved column mapping brings an HR export to our format before it is checked. Each function
loads everything one file needs in a few queries (ids are looked up in chunks),
so that checking a file of thousands of rows does not run a query per row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.imports.csv_formats import ImportFormat
from scheduler.imports.layouts import header_of, is_our_layout, layout_key
from scheduler.imports.mapping import ColumnMapping, remap
from scheduler.models import (
    Cohort,
    CohortMember,
    Facilitator,
    ImportMapping,
    Learner,
    Program,
    Role,
    Site,
    User,
)

# Well below the bind-parameter limits of SQLite (32766) and PostgreSQL (65535).
CHUNK = 900


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    unique = sorted(set(values))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def sites_by_key() -> dict[str, Site]:
    """Every site, by its id."""
    return {site.key: site for site in db.session.scalars(select(Site))}


def programs_by_key() -> dict[str, Program]:
    """Every program, by its id."""
    return {program.key: program for program in db.session.scalars(select(Program))}


def managers_by_email() -> dict[str, User]:
    """Every manager account, by lower-cased e-mail."""
    managers = db.session.scalars(select(User).where(User.role == Role.MANAGER))
    return {user.email.lower(): user for user in managers}


def users_by_email(emails: Iterable[str]) -> dict[str, User]:
    """The accounts with these (lower-cased) e-mails, by lower-cased e-mail."""
    found = {}
    for chunk in _chunks(emails):
        query = select(User).where(func.lower(User.email).in_(chunk))
        found.update({user.email.lower(): user for user in db.session.scalars(query)})
    return found


def learners_by_key(keys: Iterable[str]) -> dict[str, Learner]:
    """The learners with these employee ids, with their site and manager loaded."""
    found = {}
    for chunk in _chunks(keys):
        query = (
            select(Learner)
            .where(Learner.key.in_(chunk))
            .options(selectinload(Learner.site), selectinload(Learner.manager))
        )
        found.update({learner.key: learner for learner in db.session.scalars(query)})
    return found


def learner_keys_by_email(emails: Iterable[str]) -> dict[str, str]:
    """Employee id of the learner using each of these (lower-cased) e-mails."""
    found = {}
    for chunk in _chunks(emails):
        query = select(func.lower(Learner.email), Learner.key).where(
            func.lower(Learner.email).in_(chunk)
        )
        found.update({first: second for first, second in db.session.execute(query)})
    return found


def cohorts_by_key(keys: Iterable[str]) -> dict[str, Cohort]:
    """The cohorts with these ids, with program, site and members' learners loaded."""
    found = {}
    for chunk in _chunks(keys):
        query = (
            select(Cohort)
            .where(Cohort.key.in_(chunk))
            .options(
                selectinload(Cohort.program),
                selectinload(Cohort.site),
                selectinload(Cohort.members).selectinload(CohortMember.learner),
            )
        )
        found.update({cohort.key: cohort for cohort in db.session.scalars(query)})
    return found


def facilitators_by_key(keys: Iterable[str]) -> dict[str, Facilitator]:
    """The facilitators with these ids, with account, site and skills loaded."""
    found = {}
    for chunk in _chunks(keys):
        query = (
            select(Facilitator)
            .where(Facilitator.key.in_(chunk))
            .options(
                selectinload(Facilitator.user),
                selectinload(Facilitator.site),
                selectinload(Facilitator.skills),
            )
        )
        found.update({facilitator.key: facilitator for facilitator in db.session.scalars(query)})
    return found


def facilitator_keys_by_user_id(user_ids: Iterable[int]) -> dict[int, str]:
    """The facilitator id of each of these accounts that has a facilitator profile."""
    ids = sorted(set(user_ids))
    found = {}
    for start in range(0, len(ids), CHUNK):
        query = select(Facilitator.user_id, Facilitator.key).where(
            Facilitator.user_id.in_(ids[start : start + CHUNK])
        )
        found.update({first: second for first, second in db.session.execute(query)})
    return found


def saved_mapping(kind: str, header: list[str]) -> ColumnMapping | None:
    """The mapping saved for this kind of import and this header layout, if any."""
    row = db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.kind == kind, ImportMapping.layout == layout_key(header)
        )
    )
    if row is None:
        return None
    return ColumnMapping(json.loads(row.columns), row.date_format, row.name_order)


def in_our_format(fmt: ImportFormat, text: str) -> str | None:
    """``text`` in ``fmt``'s columns, or ``None`` if its layout needs mapping first."""
    header = header_of(text)
    if not header or is_our_layout(fmt, header):
        return text  # our own format: any header problem is reported as such
    mapping = saved_mapping(fmt.kind, header)
    return None if mapping is None else remap(fmt, mapping, text)
