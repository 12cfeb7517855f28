"""Writes of the sites area: sites and their rooms.

The caller (the request) commits; these functions only change the session and flush, so that
a clash with a unique index surfaces here, inside the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.forms.saving import FieldError
from scheduler.models import Room, Site


def ensure_key_free(model: type, key: str, label: str, current_id: int | None = None) -> None:
    """Raise ``FieldError`` if another ``model`` row (not ``current_id``) already uses ``key``."""
    owner = db.session.execute(select(model.id, model.name).where(model.key == key)).first()
    if owner is not None and owner.id != current_id:
        raise FieldError("key", f"{label} '{key}' is already used by {owner.name}; choose another.")


def create_site(key: str, name: str, timezone: str, address: str = "") -> Site:
    """Add a site."""
    ensure_key_free(Site, key, "Key")
    site = Site(key=key, name=name, timezone=timezone, address=address)
    db.session.add(site)
    db.session.flush()
    return site


def update_site(site: Site, key: str, name: str, timezone: str, address: str = "") -> Site:
    """Change a site's key, name, time zone or street address."""
    ensure_key_free(Site, key, "Key", current_id=site.id)
    site.key, site.name, site.timezone, site.address = key, name, timezone, address
    db.session.flush()
    return site


def delete_site(site: Site) -> None:
    """Delete a site with its rooms (and their availability) and its travel costs.

    Cohorts, learners and facilitators that named this site keep existing with no site:
    the foreign keys set them to NULL. Rooms are deleted through the ORM first because the
    ``Site.rooms`` relationship would otherwise try to detach them (NULL ``site_id``).
    """
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
    return room


def update_room(room: Room, key: str, name: str, capacity: int, hourly_cost: float) -> Room:
    """Change a room's key, name, capacity or hourly cost."""
    ensure_key_free(Room, key, "Key", current_id=room.id)
    room.key, room.name, room.capacity, room.hourly_cost = key, name, capacity, hourly_cost
    db.session.flush()
    return room


def delete_room(room: Room) -> None:
    """Delete a room; its availability rules go with it (foreign key cascade)."""
    db.session.delete(room)
    db.session.flush()
