"""Updates when a place or a joining link changes without the plan changing.

A session's SEQUENCE rises when a publish moves it; a site's street address, a room's name or a
meeting link changes outside any publish. Each such change runs the same invite-ledger diff as a
publish (``invites.send_invites``) for the periods it touches: the ledger remembers the place and
the joining link each person was sent, so exactly the people holding an invitation to a future
session whose place or link differs get an update (a REQUEST with a higher SEQUENCE saying
"new place: ..." or "new joining link: ..."), in the transaction of the change. Sessions that
already ended get nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from scheduler.calendars.invites import send_invites
from scheduler.extensions import db
from scheduler.facilitators.operations import meeting_room_changed
from scheduler.models import (
    Facilitator,
    PlanningPeriod,
    Room,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    Site,
    VersionStatus,
)
from scheduler.sites.operations import place_changed


@place_changed.connect
def on_place_changed(site: Site) -> None:
    """A site's name or address, or one of its rooms' names, changed."""
    rooms = select(Room.id).where(Room.site_id == site.id)
    send_updates(_published_periods(ScheduledSession.room_id.in_(rooms)))


@meeting_room_changed.connect
def on_meeting_room_changed(facilitator: Facilitator) -> None:
    """A facilitator's personal meeting room changed."""
    send_updates(_published_periods(ScheduledSession.facilitator_id == facilitator.id))


def send_updates(period_ids: Iterable[int]) -> int:
    """Bring every invitation of these periods' published schedules up to date (the ledger diff);
    not committed. Returns the number of messages queued."""
    count = 0
    for period_id in sorted(set(period_ids)):
        period = db.session.get(PlanningPeriod, period_id)
        version = db.session.scalar(
            select(ScheduleVersion).where(
                ScheduleVersion.period_id == period_id,
                ScheduleVersion.status == VersionStatus.PUBLISHED,
            )
        )
        if period is not None and version is not None:
            count += send_invites(period, version)
    return count


def _published_periods(condition) -> list[int]:
    """The periods whose published schedule has a session matching ``condition``."""
    query = (
        select(ScheduleVersion.period_id)
        .join(ScheduledSection, ScheduledSection.version_id == ScheduleVersion.id)
        .join(ScheduledSession, ScheduledSession.section_id == ScheduledSection.id)
        .where(ScheduleVersion.status == VersionStatus.PUBLISHED, condition)
        .distinct()
    )
    return list(db.session.scalars(query))
