"""Writes of the sites area: sites, their rooms and closures.

The caller (the request) commits; these functions only change the session and flush, so that
a clash with a unique index surfaces here, inside the caller's transaction.
"""

from __future__ import annotations

from datetime import date

from blinker import Namespace
from sqlalchemy import select

from scheduler.audit import operations as audit
from scheduler.extensions import db
from scheduler.forms.saving import FieldError
from scheduler.models import Closure, PlanningPeriod, Room, Site
from scheduler.planning.staleness import MARGIN, mark_drafts_stale, mark_drafts_stale_between
from scheduler.sites.closed_days import default_country, public_holidays

signals = Namespace()
#: A site's name or street address, or a room's name, changed: what invitations say of the
#: place of every session there (``LOCATION``) is out of date. Sent with the site, in the
#: caller's transaction (the calendars area queues the updates).
place_changed = signals.signal("place-changed")


def ensure_key_free(model: type, key: str, label: str, current_id: int | None = None) -> None:
    """Raise ``FieldError`` if another ``model`` row (not ``current_id``) already uses ``key``."""
    owner = db.session.execute(select(model.id, model.name).where(model.key == key)).first()
    if owner is not None and owner.id != current_id:
        raise FieldError("key", f"{label} '{key}' is already used by {owner.name}; choose another.")


def create_site(
    key: str,
    name: str,
    timezone: str,
    country: str | None = None,
    subdivision: str = "",
    address: str = "",
) -> Site:
    """Add a site; without a ``country`` it keeps the public holidays of its time zone's."""
    ensure_key_free(Site, key, "Key")
    if country is None:
        country = default_country(timezone)
    site = Site(
        key=key,
        name=name,
        timezone=timezone,
        country=country,
        subdivision=subdivision,
        address=address,
    )
    db.session.add(site)
    db.session.flush()
    audit.record_changes(site, None)
    return site


def update_site(
    site: Site,
    key: str,
    name: str,
    timezone: str,
    country: str,
    subdivision: str = "",
    address: str = "",
) -> Site:
    """Change a site's key, name, time zone, public holidays or street address."""
    ensure_key_free(Site, key, "Key", current_id=site.id)
    before = audit.snapshot(site)
    place = (site.name, site.address)
    days_before = (site.country, site.subdivision, site.timezone)
    site.key, site.name, site.timezone = key, name, timezone
    site.country, site.subdivision, site.address = country, subdivision, address
    db.session.flush()
    audit.record_changes(site, before)
    if days_before != (site.country, site.subdivision, site.timezone):
        _mark_drafts_stale_for_closed_days(site, *days_before)
    if place != (site.name, site.address):
        place_changed.send(site)
    return site


def _mark_drafts_stale_for_closed_days(
    site: Site, country: str, subdivision: str, timezone: str
) -> None:
    """Drafts were solved against the site's old public holidays: mark stale the periods whose
    dates gain or lose a holiday. A new time zone moves every hour of the site's rooms and
    holidays, so it makes every period's drafts stale."""
    periods = db.session.scalars(select(PlanningPeriod)).all()
    if timezone != site.timezone:
        mark_drafts_stale([period.id for period in periods])
        return
    changed = []
    for period in periods:
        first, last = period.start - MARGIN, period.end + MARGIN
        old = public_holidays(country, subdivision, first, last)
        if old != public_holidays(site.country, site.subdivision, first, last):
            changed.append(period.id)
    mark_drafts_stale(changed)


def delete_site(site: Site) -> None:
    """Delete a site with its rooms (and their availability) and its travel costs.

    Cohorts, learners and facilitators that named this site keep existing with no site:
    the foreign keys set them to NULL. Rooms are deleted through the ORM first because the
    ``Site.rooms`` relationship would otherwise try to detach them (NULL ``site_id``).
    """
    audit.record_deleted(site)
    for room in list(site.rooms):
        db.session.delete(room)
    db.session.delete(site)
    db.session.flush()


def create_room(site: Site, key: str, name: str, capacity: int, hourly_cost: float) -> Room:
    """Add a room to ``site``."""
    ensure_key_free(Room, key, "Key")
    room = Room(site=site, key=key, name=name, capacity=capacity, hourly_cost=hourly_cost)
    db.session.add(room)
    db.session.flush()
    audit.record_changes(room, None)
    return room


def update_room(room: Room, key: str, name: str, capacity: int, hourly_cost: float) -> Room:
    """Change a room's key, name, capacity or hourly cost."""
    ensure_key_free(Room, key, "Key", current_id=room.id)
    before = audit.snapshot(room)
    renamed = room.name != name
    room.key, room.name, room.capacity, room.hourly_cost = key, name, capacity, hourly_cost
    db.session.flush()
    audit.record_changes(room, before)
    if renamed:
        place_changed.send(room.site)
    return room


def delete_room(room: Room) -> None:
    """Delete a room; its availability rules go with it (foreign key cascade)."""
    audit.record_deleted(room)
    db.session.delete(room)
    db.session.flush()


def create_closure(name: str, start: date, end: date, site_id: int | None = None) -> Closure:
    """Close one site (``site_id``) or the whole organisation (None) from ``start`` to ``end``,
    inclusive local dates."""
    closure = Closure(name=name, start=start, end=end, site_id=site_id)
    db.session.add(closure)
    mark_drafts_stale_between(start, end)  # drafts may have sessions on the closed days
    db.session.flush()
    return closure


def delete_closure(closure: Closure) -> None:
    """Open the days of a closure again."""
    mark_drafts_stale_between(closure.start, closure.end)  # drafts were solved without them
    db.session.delete(closure)
    db.session.flush()
