"""Writes of the sections area: a section's joining link, and an answer recorded by a
coordinator on someone's behalf. The caller (the request) commits."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.audit import operations as audit
from scheduler.calendars.place_updates import send_updates
from scheduler.calendars.replies import record_reply
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import (
    InviteRecord,
    Reply,
    ReplyChannel,
    ScheduledSection,
    ScheduleVersion,
    SectionMeetingLink,
    User,
)


class AnswerRefused(ValueError):
    """An answer that cannot be recorded here (the invitation is not of this section)."""


def set_meeting_link(section: ScheduledSection, url: str, user: User) -> int:
    """Make ``url`` the joining link of ``section`` in every version of its period ("" goes
    back to the facilitator's personal room), then send an update to everyone holding an
    invitation to a future session of the period whose link changed. Returns the number of
    messages queued."""
    period_id = section.version.period_id
    link = db.session.scalar(
        select(SectionMeetingLink).where(
            SectionMeetingLink.period_id == period_id,
            SectionMeetingLink.section_key == section.key,
        )
    )
    before = link.meeting_url if link is not None else ""
    if before == url:
        return 0
    if link is None:
        link = SectionMeetingLink(period_id=period_id, section_key=section.key, meeting_url="")
        db.session.add(link)
    if url:
        link.meeting_url, link.updated_at, link.updated_by_id = url, utcnow(), user.id
    else:
        db.session.delete(link)
    db.session.flush()
    audit.record(
        "section-link",
        section.version.period,
        f"Joining link of section {section.key}: {url or 'the facilitator’s room'}",
        user,
    )
    _forget_loaded_links(period_id)
    return send_updates([period_id])


def _forget_loaded_links(period_id: int) -> None:
    """Versions already loaded keep their (read-only) list of links: reload it on next use."""
    for item in list(db.session.identity_map.values()):
        if isinstance(item, ScheduleVersion) and item.period_id == period_id:
            db.session.expire(item, ["meeting_links"])


def record_answer(
    section: ScheduledSection, record_id: int, reply: Reply, user: User
) -> InviteRecord:
    """Record ``reply`` on invitation ``record_id`` on its holder's behalf (a coordinator's
    entry, ``ReplyChannel.COORDINATOR``). The invitation must be to a session of ``section``:
    an id edited in the form reaches nothing else. ``replies.ReplyRefused`` if withdrawn."""
    record = db.session.get(InviteRecord, record_id)
    uids = {session.uid for session in section.sessions}
    if record is None or record.uid not in uids:
        raise AnswerRefused("That invitation is not one of this section's.")
    if record_reply(record, reply, ReplyChannel.COORDINATOR):
        db.session.flush()
        who = record.facilitator.name if record.facilitator else record.learner.name
        audit.record(
            "answer",
            section.version.period,
            f"Answer of {who} to {record.uid} recorded: {reply.value.lower()}",
            user,
        )
    return record
