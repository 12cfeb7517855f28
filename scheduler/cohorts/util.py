"""Reads of the cohorts area: the list, choices, members, and local-time conversions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from scheduler.extensions import db
from scheduler.forms.fields import choices
from scheduler.learners.util import learner_search
from scheduler.models import Cohort, CohortMember, Learner, Program, ProgramMode, Site

COHORTS_PER_PAGE = 50
SEARCH_RESULTS = 50


def cohort_page(query: str, page: int) -> Pagination:
    """One page of cohorts by id, optionally filtered by cohort id, program or site name."""
    statement = (
        select(Cohort)
        .join(Cohort.program)
        .outerjoin(Cohort.site)
        .options(joinedload(Cohort.program), joinedload(Cohort.site))
        .order_by(Cohort.key)
    )
    query = query.strip()
    if query:
        statement = statement.where(
            or_(
                Cohort.key.icontains(query, autoescape=True),
                Program.name.icontains(query, autoescape=True),
                Site.name.icontains(query, autoescape=True),
            )
        )
    return db.paginate(statement, page=page, per_page=COHORTS_PER_PAGE)


def cohort_form_data(cohort: Cohort) -> dict:
    """What the cohort form shows for ``cohort`` before any change."""
    return {
        "key": cohort.key,
        "program_id": cohort.program_id,
        "site_id": cohort.site_id or 0,
        "timezone": cohort.timezone,
        "hours_days": cohort.weekdays,
        "hours_from": cohort.hours_from,
        "hours_to": cohort.hours_to,
        "earliest": cohort.earliest,
        "deadline": cohort.deadline,
        "mergeable": cohort.mergeable,
        "splittable": cohort.splittable,
        "unscheduled_cost": cohort.unscheduled_cost,
        "headcount": cohort.headcount,
        "conflict_groups": cohort.conflict_groups,
    }


def member_counts(cohort_ids: list[int]) -> dict[int, int]:
    """How many learners each of these cohorts lists, in one query."""
    if not cohort_ids:
        return {}
    rows = db.session.execute(
        select(CohortMember.cohort_id, func.count(CohortMember.id))
        .where(CohortMember.cohort_id.in_(cohort_ids))
        .group_by(CohortMember.cohort_id)
    )
    return {cohort_id: count for cohort_id, count in rows}


def program_choices() -> tuple[list[SelectChoice], set[int]]:
    """Every program as a choice, and the ids of those taught in person."""
    programs = db.session.execute(
        select(Program.id, Program.name, Program.mode).order_by(Program.name)
    )
    offered, in_person = [], set()
    for id_, name, mode in programs:
        in_person_program = mode == ProgramMode.IN_PERSON
        offered.append((id_, f"{name} ({'in person' if in_person_program else 'virtual'})"))
        if in_person_program:
            in_person.add(id_)
    return choices(offered), in_person


def members(cohort: Cohort) -> list[Learner]:
    """The learners of ``cohort``, by name."""
    statement = (
        select(Learner)
        .join(CohortMember, CohortMember.learner_id == Learner.id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(Learner.name, Learner.id)
    )
    return list(db.session.scalars(statement))


def addable_learners(cohort: Cohort, query: str) -> list[Learner]:
    """Up to 50 learners matching ``query`` who are not in ``cohort`` yet."""
    if not query.strip():
        return []
    in_cohort = select(CohortMember.learner_id).where(CohortMember.cohort_id == cohort.id)
    statement = learner_search(query).where(Learner.id.not_in(in_cohort)).limit(SEARCH_RESULTS)
    return list(db.session.scalars(statement))


_ID_SEPARATORS = re.compile(r"[\s,;]+")


def parse_employee_ids(text: str) -> list[str]:
    """The distinct ids in pasted text (one a line, or separated by commas, semicolons, blanks)."""
    return list(dict.fromkeys(part for part in _ID_SEPARATORS.split(text) if part))


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a clock change (e.g. 02:30 on the spring-forward night)."""


def local_to_utc(local: datetime, timezone: str) -> datetime:
    """The UTC instant of naive wall-clock time ``local`` in ``timezone``.

    In the repeated hour of an autumn clock change the first occurrence is meant; a time
    that never happens (the hour skipped in spring) is refused rather than guessed.
    """
    zone = ZoneInfo(timezone)
    instant = local.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        raise NonexistentLocalTime(
            f"{local:%Y-%m-%d %H:%M} does not exist in {timezone}: the clocks change then."
        )
    return instant


def utc_to_local(instant: datetime, timezone: str) -> datetime:
    """``instant`` as an aware datetime in ``timezone``."""
    return instant.astimezone(ZoneInfo(timezone))
