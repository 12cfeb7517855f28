"""Reads of the facilitators area: the list, one profile, and what the form offers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from scheduler.extensions import db
from scheduler.models import Facilitator, Program, Site, TravelCost, User


def all_facilitators() -> list[Facilitator]:
    """Every facilitator with account, home site and skills loaded, by name."""
    statement = (
        select(Facilitator)
        .join(Facilitator.user)
        .options(
            joinedload(Facilitator.user),
            joinedload(Facilitator.site),
            selectinload(Facilitator.skills),
        )
        .order_by(User.name, Facilitator.id)
    )
    return list(db.session.scalars(statement))


def all_sites() -> list[Site]:
    """Every site by name: the form has a travel-cost field for each."""
    return list(db.session.scalars(select(Site).order_by(Site.name)))


def program_skills() -> list[str]:
    """The skills programs ask for, to suggest next to the skills field."""
    skills = db.session.scalars(
        select(Program.skill).where(Program.skill.is_not(None)).distinct().order_by(Program.skill)
    )
    return [skill for skill in skills if skill]


def travel_costs(facilitator: Facilitator) -> list[TravelCost]:
    """The facilitator's travel costs with their sites, by site name."""
    return sorted(facilitator.travel_costs, key=lambda cost: cost.site.name)


def form_data(facilitator: Facilitator) -> dict:
    """What the profile form shows for ``facilitator`` before any change."""
    data = {
        "name": facilitator.user.name,
        "email": facilitator.user.email,
        "key": facilitator.key,
        "skills": facilitator.skill_names,
        "site_id": facilitator.site_id or 0,
        "timezone": facilitator.timezone,
        "hourly_rate": facilitator.hourly_rate,
        "session_fee": facilitator.session_fee,
        "if_need_be_cost": facilitator.if_need_be_cost,
        "max_minutes_per_day": facilitator.max_minutes_per_day,
        "buffer_minutes": facilitator.buffer_minutes,
    }
    for cost in facilitator.travel_costs:
        data[f"travel_{cost.site_id}"] = cost.cost
    return data
