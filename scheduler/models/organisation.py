"""Where training happens and who is trained: sites, rooms and learners."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, utcnow
from scheduler.extensions import db


class Site(db.Model):
    """An office or store location with its own time zone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # stable external id
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    # Whose public holidays the site keeps: an ISO 3166 country code as the ``holidays`` package
    # knows it ("" = none) and optionally one of that country's subdivisions ("BY", "NY").
    country: Mapped[str] = mapped_column(String(2), default="", server_default="")
    subdivision: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # The street address calendar invitations show after the room (LOCATION); may be empty.
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")

    rooms: Mapped[list[Room]] = relationship(back_populates="site", order_by="Room.name")


class Room(db.Model):
    """A training room at a site; its availability rules live in ``AvailabilityRule``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int]
    hourly_cost: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=0)

    site: Mapped[Site] = relationship(back_populates="rooms")


class Learner(db.Model):
    """An employee who attends training."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # employee id from HR
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    team: Mapped[str] = mapped_column(String(120), default="")
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )

    manager = relationship("User")
    site: Mapped[Site | None] = relationship()


class Closure(db.Model):
    """Days nobody trains: a company shutdown (no site: the whole organisation) or one site's
    (a refit). ``start`` and ``end`` are inclusive local dates, in the site's own zone (for the
    whole organisation: in each site's, facilitator's or cohort's own zone)."""

    __table_args__ = (CheckConstraint('"end" >= start', name="end_not_before_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[date]
    end: Mapped[date]
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    site: Mapped[Site | None] = relationship()
