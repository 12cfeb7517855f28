"""Facilitators: the people who teach, their skills, rates and travel costs."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.accounts import User
from scheduler.models.organisation import Site


class Facilitator(db.Model):
    """A facilitator's profile, owned by one user account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    timezone: Mapped[str] = mapped_column(String(64))
    hourly_rate: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=0)
    session_fee: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=0)
    if_need_be_cost: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=0)
    max_minutes_per_day: Mapped[int | None]
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    # The facilitator's personal online meeting room (https): the joining link of their
    # virtual sessions in invitations and calendars; empty: the link comes from them.
    meeting_url: Mapped[str] = mapped_column(String(500), default="", server_default="")

    user: Mapped[User] = relationship()
    site: Mapped[Site | None] = relationship()
    skills: Mapped[list[FacilitatorSkill]] = relationship(
        back_populates="facilitator",
        cascade="all, delete-orphan",
        order_by="FacilitatorSkill.skill",
    )
    travel_costs: Mapped[list[TravelCost]] = relationship(
        back_populates="facilitator", cascade="all, delete-orphan"
    )

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def skill_names(self) -> list[str]:
        return [skill.skill for skill in self.skills]


class FacilitatorSkill(db.Model):
    """A skill a facilitator may teach (matched against ``Program.skill``)."""

    __table_args__ = (UniqueConstraint("facilitator_id", "skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(64))

    facilitator: Mapped[Facilitator] = relationship(back_populates="skills")


class TravelCost(db.Model):
    """What it costs to send a facilitator to teach in person at another site."""

    __table_args__ = (UniqueConstraint("facilitator_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    cost: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False))

    facilitator: Mapped[Facilitator] = relationship(back_populates="travel_costs")
    site: Mapped[Site] = relationship()
