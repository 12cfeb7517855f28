"""Reads of the sites area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import (
    AvailabilityRule,
    Closure,
    Cohort,
    Facilitator,
    Learner,
    Room,
    Site,
    TravelCost,
)
from scheduler.sites.closed_days import holidays_label


@dataclass(frozen=True)
class SiteRow:
    """A line of the sites list."""

    site: Site
    room_count: int
    holidays: str  # whose public holidays it keeps


def sites_with_room_counts() -> list[SiteRow]:
    """Every site by name with its number of rooms, in one query."""
    room_count = func.count(Room.id)
    rows = db.session.execute(
        select(Site, room_count)
        .outerjoin(Room, Room.site_id == Site.id)
        .group_by(Site.id)
        .order_by(Site.name, Site.id)
    ).all()
    return [SiteRow(site, count, holidays_label(site)) for site, count in rows]


@dataclass(frozen=True)
class SiteDeletionImpact:
    """What deleting a site does to other data, shown before the coordinator confirms."""

    rooms: int
    travel_costs: int
    cohorts: int
    learners: int
    facilitators: int
    closures: int

    @property
    def touches_nothing_else(self) -> bool:
        """Whether the site can go without affecting any other data."""
        return not any(
            (
                self.rooms,
                self.travel_costs,
                self.cohorts,
                self.learners,
                self.facilitators,
                self.closures,
            )
        )


def _count(model: type, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def site_deletion_impact(site: Site) -> SiteDeletionImpact:
    """Count the rows deleted with ``site`` and those that lose their site."""
    return SiteDeletionImpact(
        rooms=_count(Room, Room.site_id == site.id),
        travel_costs=_count(TravelCost, TravelCost.site_id == site.id),
        cohorts=_count(Cohort, Cohort.site_id == site.id),
        learners=_count(Learner, Learner.site_id == site.id),
        facilitators=_count(Facilitator, Facilitator.site_id == site.id),
        closures=_count(Closure, Closure.site_id == site.id),
    )


def room_availability_rule_count(room: Room) -> int:
    """How many availability rules are deleted with ``room``."""
    return _count(AvailabilityRule, AvailabilityRule.room_id == room.id)


def room_in_site(site: Site, room_id: int) -> Room | None:
    """The room with this id if it belongs to ``site`` (a room id under another site is 404)."""
    room = db.session.get(Room, room_id)
    return room if room is not None and room.site_id == site.id else None


def room_availability_page_exists() -> bool:
    """Whether the availability area offers a page per room to link to."""
    return "availability.room" in current_app.view_functions


def site_today(site: Site) -> date:
    """Today's date at the site."""
    return datetime.now(ZoneInfo(site.timezone)).date()
