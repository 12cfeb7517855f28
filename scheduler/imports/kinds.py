"""The row rules of each import kind: learners, cohorts and facilitators.

Each planner checks every record of a file against the documented format and the database,
and returns the planned rows and the errors. Rows are matched to existing objects by their
stable id (``key``), so importing the same file twice updates instead of duplicating.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from scheduler.imports import util, values
from scheduler.imports.csv_formats import Record, RowError
from scheduler.imports.rows import PlannedRow, RowReader, UniqueInFile, changes_between
from scheduler.models import Cohort, Facilitator, Learner, Role

Planned = tuple[list[PlannedRow], list[RowError]]

key_text = partial(values.text, max_length=64)
name_text = partial(values.text, max_length=200)


def _column(records: list[Record], column: str) -> set[str]:
    return {record.values[column].strip() for record in records}


def _lower_column(records: list[Record], column: str) -> set[str]:
    return {value.lower() for value in _column(records, column) if value}


def _site_and_zone(reader: RowReader, sites: dict) -> tuple[Any, str | None]:
    """The row's site (may be empty) and time zone, which defaults to the site's zone."""
    site_key = reader.cell("site", key_text)
    site = sites.get(site_key) if site_key else None
    if site_key and site is None:
        reader.fail("site", f"No site has the id {site_key!r}; add it on the Sites page first.")
    zone = reader.cell("timezone", values.timezone)
    if zone is None and not reader.record.values["timezone"].strip():
        if site is not None:
            zone = site.timezone
        elif not site_key:
            reader.fail("timezone", "A time zone is required when the site is empty.")
    return site, zone


def _id_and_email(
    reader: RowReader, ids: UniqueInFile, emails: UniqueInFile
) -> tuple[str | None, str | None]:
    """A person's id and e-mail, both required and each used once in the file."""
    key = reader.cell("id", values.external_id, required=True)
    ids.check(reader, "id", key)
    email = reader.cell("email", values.email, required=True)
    emails.check(reader, "email", email)
    return key, email


# Learners ------------------------------------------------------------------------------------

LEARNER_COLUMNS = {"manager": "manager_email"}


def plan_learners(records: list[Record]) -> Planned:
    """Learners matched by employee id; e-mails must be unique and managers must exist."""
    errors: list[RowError] = []
    existing = util.learners_by_key(_column(records, "id"))
    sites = util.sites_by_key()
    managers = util.managers_by_email()
    email_owner = util.learner_keys_by_email(_lower_column(records, "email"))
    ids, emails = UniqueInFile("id"), UniqueInFile("e-mail")
    rows = []
    for record in records:
        reader = RowReader(record, errors)
        key, email = _id_and_email(reader, ids, emails)
        owner = email_owner.get(email) if email else None
        if owner is not None and owner != key:
            reader.fail("email", f"The e-mail {email!r} belongs to learner {owner!r}.")
        learner_values = {
            "name": reader.cell("name", name_text, required=True),
            "email": email,
            "team": reader.cell("team", partial(values.text, max_length=120), default=""),
            "manager": _manager(reader, managers),
        }
        learner_values["site"], learner_values["timezone"] = _site_and_zone(reader, sites)
        if not reader.failed:
            rows.append(_planned_learner(record, key, learner_values, existing.get(key)))
    return rows, errors


def _manager(reader: RowReader, managers: dict) -> Any:
    email = reader.cell("manager_email", values.email)
    if email is None:
        return None
    manager = managers.get(email)
    if manager is None:
        reader.fail("manager_email", f"No manager account has the e-mail {email!r}.")
    return manager


def _planned_learner(record: Record, key: str, new: dict, existing: Learner | None) -> PlannedRow:
    row = PlannedRow(record.line, key, new["name"], new, existing)
    if existing is not None:
        old = {attribute: getattr(existing, attribute) for attribute in new}
        row.changes = changes_between(old, new, LEARNER_COLUMNS)
    return row


# Cohorts -------------------------------------------------------------------------------------

COHORT_COLUMNS = {"hours_days": "days", "hours_from": "from", "hours_to": "to"}


def plan_cohorts(records: list[Record]) -> Planned:
    """Cohorts matched by id, with their program, site and complete list of learners."""
    errors: list[RowError] = []
    existing = util.cohorts_by_key(_column(records, "id"))
    programs = util.programs_by_key()
    sites = util.sites_by_key()
    listed = {key for record in records for key in values.names(record.values["learners"])}
    learners = util.learners_by_key(listed)
    ids = UniqueInFile("id")
    rows = []
    for record in records:
        reader = RowReader(record, errors)
        key = reader.cell("id", values.external_id, required=True)
        ids.check(reader, "id", key)
        cohort_values = {"program": _program(reader, programs)}
        cohort_values["site"], cohort_values["timezone"] = _site_and_zone(reader, sites)
        cohort_values.update(_dates(reader) | _hours(reader) | _options(reader))
        cohort_values["members"] = _learners(reader, learners)
        if not reader.failed:
            rows.append(_planned_cohort(record, key, cohort_values, existing.get(key)))
    return rows, errors


def _program(reader: RowReader, programs: dict) -> Any:
    program_key = reader.cell("program", key_text, required=True)
    program = programs.get(program_key) if program_key else None
    if program_key and program is None:
        reader.fail("program", f"No program has the id {program_key!r}.")
    return program


def _dates(reader: RowReader) -> dict[str, Any]:
    earliest = reader.cell("earliest", values.day)
    deadline = reader.cell("deadline", values.day)
    if earliest and deadline and deadline < earliest:
        reader.fail("deadline", f"The deadline {deadline} is before the earliest day {earliest}.")
    return {"earliest": earliest, "deadline": deadline}


def _hours(reader: RowReader) -> dict[str, Any]:
    start = reader.cell("from", values.clock, default=values.DEFAULT_FROM)
    end = reader.cell("to", values.clock, default=values.DEFAULT_TO)
    if start and end and end <= start:
        reader.fail("to", f"The end {end:%H:%M} is not after the start {start:%H:%M}.")
    days = reader.cell("days", values.weekdays, default=values.DEFAULT_DAYS)
    if days == "":
        reader.fail("days", "List at least one weekday.")
    return {"hours_days": days, "hours_from": start, "hours_to": end}


def _options(reader: RowReader) -> dict[str, Any]:
    return {
        "mergeable": reader.cell("mergeable", values.flag, default=True),
        "splittable": reader.cell("splittable", values.flag, default=True),
        "unscheduled_cost": reader.cell(
            "unscheduled_cost", values.amount, default=values.DEFAULT_UNSCHEDULED_COST
        ),
    }


def _learners(reader: RowReader, learners: dict) -> list[Learner]:
    keys = values.names(reader.record.values["learners"])
    unknown = [key for key in keys if key not in learners]
    if unknown:
        shown = ", ".join(unknown[:10]) + (
            f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        )
        reader.fail("learners", f"Unknown learner ids: {shown}. Import these learners first.")
    return [learners[key] for key in keys if key in learners]


def _planned_cohort(record: Record, key: str, new: dict, existing: Cohort | None) -> PlannedRow:
    label = f"{new['program'].name} ({len(new['members'])} learners)"
    row = PlannedRow(record.line, key, label, new, existing)
    if existing is not None:
        old = {
            attribute: getattr(existing, attribute) for attribute in new if attribute != "members"
        }
        old["members"] = [member.learner for member in existing.members]
        row.changes = changes_between(old, new, COHORT_COLUMNS | {"members": "learners"})
    return row


# Facilitators --------------------------------------------------------------------------------


def plan_facilitators(records: list[Record]) -> Planned:
    """Facilitators matched by id; a new one gets an account unless its e-mail has one."""
    errors: list[RowError] = []
    existing = util.facilitators_by_key(_column(records, "id"))
    sites = util.sites_by_key()
    accounts = util.users_by_email(_lower_column(records, "email"))
    profile_of = util.facilitator_keys_by_user_id(user.id for user in accounts.values())
    ids, emails = UniqueInFile("id"), UniqueInFile("e-mail")
    rows = []
    for record in records:
        reader = RowReader(record, errors)
        key, email = _id_and_email(reader, ids, emails)
        profile = existing.get(key)
        account = _account(reader, email, profile, accounts, profile_of)
        new = {
            "name": reader.cell("name", name_text, required=True),
            "email": email,
            "skills": _skills(reader),
            "hourly_rate": reader.cell("hourly_rate", values.amount, default=0.0),
            "session_fee": reader.cell("session_fee", values.amount, default=0.0),
            "max_minutes_per_day": reader.cell("max_minutes_per_day", values.minutes),
            "buffer_minutes": reader.cell("buffer_minutes", values.minutes, default=0),
        }
        new["site"], new["timezone"] = _site_and_zone(reader, sites)
        if new["max_minutes_per_day"] == 0:
            reader.fail("max_minutes_per_day", "Must be at least 1 minute (or empty for no limit).")
        if not reader.failed:
            rows.append(_planned_facilitator(record, key, new, profile, account))
    return rows, errors


def _account(reader: RowReader, email, profile, accounts: dict, profile_of: dict) -> Any:
    """The existing account the row's e-mail names, after checking it may be used."""
    account = accounts.get(email) if email else None
    if account is None:
        return None
    if profile is not None and account.id != profile.user_id:
        reader.fail("email", f"The e-mail {email!r} belongs to another account.")
    elif profile is None and account.role != Role.FACILITATOR:
        reader.fail("email", f"The e-mail {email!r} belongs to a {account.role} account.")
    elif profile is None and account.id in profile_of:
        other = profile_of[account.id]
        reader.fail("email", f"The e-mail {email!r} belongs to facilitator {other!r}.")
    return account


def _skills(reader: RowReader) -> list[str]:
    return reader.cell("skills", values.skills, default=[]) or []


def _planned_facilitator(
    record: Record, key: str, new: dict, profile: Facilitator | None, account: Any
) -> PlannedRow:
    row = PlannedRow(record.line, key, new["name"], new, profile)
    if profile is not None:
        old = {attribute: getattr(profile, attribute, None) for attribute in new}
        old |= {
            "name": profile.user.name,
            "email": profile.user.email,
            "skills": profile.skill_names,
        }
        row.changes = changes_between(old, new, {})
    else:
        new["account"] = account  # an existing facilitator account without a profile, or None
    return row


PLANNERS: dict[str, Callable[[list[Record]], Planned]] = {
    "learners": plan_learners,
    "cohorts": plan_cohorts,
    "facilitators": plan_facilitators,
}
