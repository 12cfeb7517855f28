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

from scheduler.availability.util import MINUTES_PER_DAY, AvailabilityPlan
from scheduler.extensions import db
from scheduler.models import AvailabilityKind, AvailabilityRule, Facilitator, Room


def save_facilitator_availability(facilitator: Facilitator, plan: AvailabilityPlan) -> None:
    """Replace a facilitator's zone and every availability rule with ``plan``."""
    db.session.execute(
        select(Facilitator.id).where(Facilitator.id == facilitator.id).with_for_update()
    )
    facilitator.timezone = plan.timezone
    db.session.execute(
        delete(AvailabilityRule).where(AvailabilityRule.facilitator_id == facilitator.id)
    )
    db.session.add_all(_rules(plan, facilitator_id=facilitator.id))
    db.session.flush()


def save_room_availability(room: Room, plan: AvailabilityPlan) -> None:
    """Replace every availability rule of a room with ``plan`` (its zone is its site's)."""
    db.session.execute(select(Room.id).where(Room.id == room.id).with_for_update())
    db.session.execute(delete(AvailabilityRule).where(AvailabilityRule.room_id == room.id))
    db.session.add_all(_rules(plan, room_id=room.id))
    db.session.flush()


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
