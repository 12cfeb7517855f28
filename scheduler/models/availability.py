"""Availability of facilitators and rooms.

Weekly rules are stored as local wall-clock times plus the owner's zone, because "Mondays
09:00-12:00" means 09:00 local on both sides of a DST change; storing it as UTC would move it
by an hour twice a year. One-off windows and blocked periods are instants and stored in UTC.
"""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.database import UTCDateTime, enum_type
from scheduler.extensions import db


class AvailabilityKind(enum.StrEnum):
    """What a rule says about its time."""

    WEEKLY = "weekly"  # recurring local range on a weekday
    AVAILABLE = "available"  # one-off extra window
    IF_NEED_BE = "if_need_be"  # acceptable but not preferred
    UNAVAILABLE = "unavailable"  # blocked period (leave)


class AvailabilityRule(db.Model):
    """One rule of a facilitator's or a room's availability."""

    __table_args__ = (
        CheckConstraint("(facilitator_id IS NULL) <> (room_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AvailabilityKind] = mapped_column(enum_type(AvailabilityKind))
    # Weekly rules: weekday 0 = Monday, local times; end 00:00 means midnight at the end of the day.
    weekday: Mapped[int | None]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    # One-off rules: UTC instants.
    start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")
