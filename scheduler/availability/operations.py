"""Writes of the availability area: saving an owner's availability replaces all of it.

Saving is all or nothing: the owner's old rules are deleted and the new ones added in the
caller's transaction, which the caller commits once. The owner's row is locked first so that two
people saving the same owner at once are applied one after the other (the last save wins whole)
instead of interleaving into a mixture of both; on SQLite, ``BEGIN IMMEDIATE`` already serialises
writers and ``FOR UPDATE`` is left out by SQLAlchemy.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy import delete, select

from scheduler.audit import operations as audit
from scheduler.audit.wording import availability, changes, label_of, shown
from scheduler.availability.util import MINUTES_PER_DAY, AvailabilityPlan
from scheduler.extensions import db
from scheduler.models import AvailabilityKind, AvailabilityRule, Facilitator, Room


def save_facilitator_availability(facilitator: Facilitator, plan: AvailabilityPlan) -> None:
    """Replace a facilitator's zone and every availability rule with ``plan``."""
    db.session.execute(
        select(Facilitator.id).where(Facilitator.id == facilitator.id).with_for_update()
    )
    owned = AvailabilityRule.facilitator_id == facilitator.id
    before = _described(_current(owned), facilitator.timezone)
    facilitator.timezone = plan.timezone
    db.session.execute(
        delete(AvailabilityRule).where(AvailabilityRule.facilitator_id == facilitator.id)
    )
    rules = _rules(plan, facilitator_id=facilitator.id)
    db.session.add_all(rules)
    db.session.flush()
    _record(facilitator, before, _described(rules, plan.timezone))


def save_room_availability(room: Room, plan: AvailabilityPlan) -> None:
    """Replace every availability rule of a room with ``plan`` (its zone is its site's)."""
    db.session.execute(select(Room.id).where(Room.id == room.id).with_for_update())
    zone = room.site.timezone if room.site else "UTC"
    before = availability(_current(AvailabilityRule.room_id == room.id), zone)
    db.session.execute(delete(AvailabilityRule).where(AvailabilityRule.room_id == room.id))
    rules = _rules(plan, room_id=room.id)
    db.session.add_all(rules)
    db.session.flush()
    _record(room, before, availability(rules, zone))


def _current(owner) -> list[AvailabilityRule]:
    return list(db.session.scalars(select(AvailabilityRule).where(owner)))


def _described(rules: list[AvailabilityRule], zone: str):
    return {"time zone": shown(zone)} | availability(list(rules), zone)


def _record(owner, before, after) -> None:
    """One entry per save that changed something: "availability of room Thames (London): …"."""
    lines = changes(before, after)
    if lines:
        audit.record_by_person(
            "availability", f"availability of {label_of(owner)}: {'; '.join(lines)}"
        )


def _rules(plan: AvailabilityPlan, **owner: int) -> list[AvailabilityRule]:
    rules = [
        AvailabilityRule(
            kind=AvailabilityKind.WEEKLY,
            weekday=r.weekday,
            start_time=_clock(r.start),
            end_time=_clock(r.end),
            **owner,
        )
        for r in plan.weekly
    ]
    rules += [
        AvailabilityRule(kind=w.kind, start=w.start, end=w.end, note=w.note, **owner)
        for w in plan.windows
    ]
    return rules


def _clock(minutes: int) -> time:
    # 24:00 is stored as 00:00: the model reads an end of 00:00 as midnight at the end of the day.
    return time() if minutes == MINUTES_PER_DAY else time(minutes // 60, minutes % 60)
