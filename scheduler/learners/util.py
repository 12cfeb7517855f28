"""Reads of the learners area: the paginated list, choices, and a manager's team."""

from __future__ import annotations

from collections import defaultdict

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from scheduler.extensions import db
from scheduler.forms.fields import optional_choices
from scheduler.models import Cohort, CohortMember, Learner, Role, Site, User

LEARNERS_PER_PAGE = 50


def learner_search(query: str = "") -> Select:
    """Learners whose name, e-mail, team or employee id contains ``query``, by name."""
    statement = select(Learner).options(selectinload(Learner.manager), selectinload(Learner.site))
    query = query.strip()
    if query:
        statement = statement.where(
            or_(
                Learner.name.icontains(query, autoescape=True),
                Learner.email.icontains(query, autoescape=True),
                Learner.team.icontains(query, autoescape=True),
                Learner.key.icontains(query, autoescape=True),
            )
        )
    return statement.order_by(Learner.name, Learner.id)


def learner_page(query: str, page: int) -> Pagination:
    """One page of the learner list (out-of-range pages answer 404)."""
    return db.paginate(learner_search(query), page=page, per_page=LEARNERS_PER_PAGE)


def manager_choices() -> list[SelectChoice]:
    """The users with the manager role, as choices of an optional select."""
    managers = db.session.execute(
        select(User.id, User.name, User.email).where(User.role == Role.MANAGER).order_by(User.name)
    )
    return optional_choices((id_, f"{name} <{email}>") for id_, name, email in managers)


def site_choices(none_label: str = "— none —") -> list[SelectChoice]:
    """Every site, as choices of an optional select."""
    sites = db.session.execute(select(Site.id, Site.name).order_by(Site.name))
    return optional_choices(((id_, name) for id_, name in sites), none_label)


def team_manager_ids(manager: User) -> set[int]:
    """``manager`` and every manager below them in the reporting line.

    Walks ``User.manager_id`` downwards one level per query; the visited set stops
    a cycle (A reports to B reports to A) from looping.
    """
    found = {manager.id}
    level = {manager.id}
    while level:
        reports = db.session.scalars(
            select(User.id).where(User.manager_id.in_(level), User.role == Role.MANAGER)
        )
        level = set(reports) - found
        found |= level
    return found


def team_learners(manager: User) -> list[Learner]:
    """The learners of ``manager`` and of the managers reporting to them."""
    statement = (
        select(Learner)
        .where(Learner.manager_id.in_(team_manager_ids(manager)))
        .options(selectinload(Learner.manager), selectinload(Learner.site))
        .order_by(Learner.team, Learner.name, Learner.id)
    )
    return list(db.session.scalars(statement))


def cohorts_by_learner(learner_ids: list[int]) -> dict[int, list[Cohort]]:
    """The cohorts of each of these learners, with their programs, in one query."""
    cohorts: dict[int, list[Cohort]] = defaultdict(list)
    if not learner_ids:
        return cohorts
    memberships = db.session.scalars(
        select(CohortMember)
        .where(CohortMember.learner_id.in_(learner_ids))
        .options(joinedload(CohortMember.cohort).joinedload(Cohort.program))
    )
    for membership in memberships:
        cohorts[membership.learner_id].append(membership.cohort)
    for learner_cohorts in cohorts.values():
        learner_cohorts.sort(key=lambda cohort: (cohort.deadline is None, cohort.deadline))
    return cohorts


def membership_count(learner: Learner) -> int:
    """In how many cohorts ``learner`` is (deleting them removes them from each)."""
    return db.session.scalar(
        select(func.count(CohortMember.id)).where(CohortMember.learner_id == learner.id)
    )
