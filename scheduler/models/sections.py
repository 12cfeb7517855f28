"""Published sections: what a coordinator (or the section's facilitator) adds to a section that
the solver does not plan, kept across versions of the plan.

A schedule version is immutable and a re-plan stores new section rows, so anything entered on a
published section is keyed the way the invite ledger keys a session's UID: by the planning
period and the section's ``key`` (the solver's section id, stable across re-plans; a session's
UID is ``period-<id>-section-<key>-session-<n>``). The next version of the same section finds it
again; a section the re-plan drops simply has no row that matches any more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from scheduler.database import UTCDateTime, utcnow
from scheduler.extensions import db
from scheduler.models.accounts import User
from scheduler.models.planning import PlanningPeriod, ScheduledSection, ScheduleVersion


class SectionMeetingLink(db.Model):
    """The joining link (https) of a virtual section, for every version of the plan that has
    that section: it overrides its facilitator's personal meeting room."""

    __table_args__ = (UniqueConstraint("period_id", "section_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    section_key: Mapped[str] = mapped_column(String(64))
    meeting_url: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    period: Mapped[PlanningPeriod] = relationship()
    updated_by: Mapped[User | None] = relationship()


# The links of a version's period: read-only, loaded with selectinload beside the rest of a
# session (``scheduler.calendars.util.SESSION_LOADS``, one query for the whole period), so a
# feed of thousands of sessions does not ask for each section's link.
ScheduleVersion.meeting_links = relationship(
    SectionMeetingLink,
    primaryjoin=ScheduleVersion.period_id == foreign(SectionMeetingLink.period_id),
    viewonly=True,
)


def _meeting_link(section: ScheduledSection) -> SectionMeetingLink | None:
    """The joining link entered for this section (any version of it), or None."""
    return next(
        (link for link in section.version.meeting_links if link.section_key == section.key),
        None,
    )


ScheduledSection.meeting_link = property(_meeting_link)


__all__ = ["SectionMeetingLink"]
