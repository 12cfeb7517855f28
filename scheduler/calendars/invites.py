"""Invitations on publish and reminders before sessions: the outbox messages and the ledger.

On publish (``schedule_published``, inside the publish transaction) the new schedule is
compared with the invite ledger, per attendee and session UID:

- a session the person attends and was never sent, or was sent at an older SEQUENCE, or was
  cancelled for them: REQUEST;
- a session they were invited to and no longer attend (it was dropped, or they were moved to
  another section or facilitator): CANCEL, with a SEQUENCE above the last one they got;
- anything else: nothing, so publishing the same thing twice sends nothing.

Each person gets at most one REQUEST message (all their new and changed sessions) and one
CANCEL message per publish. Sessions that already ended are not sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from scheduler.adjustments.late_joiners import learner_seated, seats_freed
from scheduler.calendars import util
from scheduler.calendars.ics import CalendarEvent, Person, calendar_bytes
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message
from scheduler.models import (
    Facilitator,
    InviteMethod,
    InviteRecord,
    Learner,
    PlanningPeriod,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionSeat,
    VersionStatus,
)
from scheduler.planning.publishing import schedule_published
from scheduler.templating import localtime

# An attendee: ("facilitator", id) or ("learner", id).
AttendeeKey = tuple[str, int]

#: The learners seated in a session's section, loaded with the sessions.
SEAT_LOADS = (
    selectinload(ScheduledSession.section)
    .selectinload(ScheduledSection.seats)
    .selectinload(SectionSeat.learner),
)


@dataclass
class Attendee:
    """A person who gets invitations: address, name, time zone, and their ledger column."""

    key: AttendeeKey
    email: str
    name: str
    timezone: str
    role: str

    @property
    def person(self) -> Person:
        return Person(self.email, self.name, self.role)


def attendee_of_facilitator(facilitator: Facilitator) -> Attendee:
    return Attendee(
        ("facilitator", facilitator.id),
        facilitator.user.email,
        facilitator.name,
        facilitator.timezone,
        "CHAIR",
    )


def attendee_of_learner(learner: Learner) -> Attendee:
    return Attendee(
        ("learner", learner.id), learner.email, learner.name, learner.timezone, "REQ-PARTICIPANT"
    )


@dataclass
class _Outgoing:
    attendee: Attendee
    requests: list[CalendarEvent] = field(default_factory=list)
    cancels: list[CalendarEvent] = field(default_factory=list)


@schedule_published.connect
def on_schedule_published(period: PlanningPeriod, version: ScheduleVersion, previous=None) -> None:
    """The publish hook: queue the invitations of ``version`` in the publish transaction."""
    send_invites(period, version)


@learner_seated.connect
def on_learner_seated(seat: SectionSeat) -> None:
    """A late joiner got a seat: invite them (the ledger keeps everyone else from a repeat)."""
    version = seat.section.version
    if version.status == VersionStatus.PUBLISHED:
        send_invites(version.period, version)


@seats_freed.connect
def on_seats_freed(version: ScheduleVersion) -> None:
    """Learners left a cohort: cancel their invitations to the sessions they no longer attend."""
    send_invites(version.period, version)


def send_invites(
    period: PlanningPeriod, version: ScheduleVersion, now: datetime | None = None
) -> int:
    """Queue the REQUEST and CANCEL messages that bring every attendee's calendar to
    ``version`` and update the ledger (not committed: the caller's transaction). Returns the
    number of messages queued; running it again for the same version queues none."""
    now = now or utcnow()
    sessions = _sessions_of_version(version)
    attendees: dict[AttendeeKey, Attendee] = {}
    attending: dict[tuple[str, AttendeeKey], ScheduledSession] = {}
    for session in sessions:
        for attendee in _attendees_of(session):
            attendees.setdefault(attendee.key, attendee)
            attending[(session.uid, attendee.key)] = session
    ledger = {
        (record.uid, _key_of(record)): record
        for record in db.session.scalars(
            select(InviteRecord).where(InviteRecord.period_id == period.id)
        )
    }
    outgoing: dict[AttendeeKey, _Outgoing] = {}

    for (uid, key), session in attending.items():
        record = ledger.get((uid, key))
        if session.end <= now:
            continue
        if (
            record is not None
            and record.method == InviteMethod.REQUEST
            and record.session_sequence == session.sequence
        ):
            continue
        sequence = (
            session.sequence if record is None else max(session.sequence, record.sequence + 1)
        )
        attendee = attendees[key]
        event = util.event_of(session, _people(session, attendee), sequence=sequence)
        outgoing.setdefault(key, _Outgoing(attendee)).requests.append(event)
        if record is None:
            record = _new_record(period, uid, key)
        record.method = InviteMethod.REQUEST
        record.sequence = sequence
        record.session_sequence = session.sequence
        record.timezone = attendee.timezone
        record.updated_at = now

    for (uid, key), record in ledger.items():
        if record.method != InviteMethod.REQUEST or (uid, key) in attending:
            continue
        last = _latest_session(uid)
        attendee = attendees.get(key) or _attendee_of_record(record)
        if last is None or attendee is None or last.end <= now:
            continue
        record.method = InviteMethod.CANCEL
        record.sequence += 1
        record.updated_at = now
        event = util.event_of(last, [attendee.person], sequence=record.sequence)
        outgoing.setdefault(key, _Outgoing(attendee)).cancels.append(replace(event, cancelled=True))

    count = 0
    for item in outgoing.values():
        count += _queue_messages(period, item, now)
    return count


def _sessions_of_version(version: ScheduleVersion) -> list[ScheduledSession]:
    query = (
        select(ScheduledSession)
        .join(ScheduledSession.section)
        .where(ScheduledSection.version_id == version.id)
        .options(*util.SESSION_LOADS, *SEAT_LOADS)
        .order_by(ScheduledSession.start)
    )
    return list(db.session.scalars(query))


def _attendees_of(session: ScheduledSession) -> list[Attendee]:
    people = []
    if session.facilitator is not None:
        people.append(attendee_of_facilitator(session.facilitator))
    people.extend(attendee_of_learner(seat.learner) for seat in session.section.seats)
    return people


def _people(session: ScheduledSession, attendee: Attendee) -> list[Person]:
    """The ATTENDEE list of an invitation: the person it goes to, and the facilitator."""
    people = [attendee.person]
    if session.facilitator is not None and attendee.key[0] != "facilitator":
        people.append(attendee_of_facilitator(session.facilitator).person)
    return people


def _key_of(record: InviteRecord) -> AttendeeKey:
    if record.facilitator_id is not None:
        return ("facilitator", record.facilitator_id)
    return ("learner", record.learner_id)


def _new_record(period: PlanningPeriod, uid: str, key: AttendeeKey) -> InviteRecord:
    record = InviteRecord(period_id=period.id, uid=uid, sequence=0, session_sequence=0)
    setattr(record, f"{key[0]}_id", key[1])
    db.session.add(record)
    return record


def _attendee_of_record(record: InviteRecord) -> Attendee | None:
    if record.facilitator is not None:
        return attendee_of_facilitator(record.facilitator)
    if record.learner is not None:
        return attendee_of_learner(record.learner)
    return None


def _latest_session(uid: str) -> ScheduledSession | None:
    """The session of ``uid`` in the newest version that has it (to describe a cancellation)."""
    return db.session.scalar(
        select(ScheduledSession)
        .where(ScheduledSession.uid == uid)
        .options(*util.SESSION_LOADS)
        .order_by(ScheduledSession.id.desc())
        .limit(1)
    )


def _queue_messages(period: PlanningPeriod, item: _Outgoing, now: datetime) -> int:
    attendee = item.attendee
    organizer = util.organizer()
    count = 0
    if item.requests:
        body = _listing(
            f"Hello {attendee.name},\n\nYour training sessions in {period.name} "
            "are below and in the attached invitation:",
            item.requests,
            attendee.timezone,
        )
        ics = calendar_bytes(
            item.requests, zone=attendee.timezone, method="REQUEST", organizer=organizer, now=now
        )
        subject = _subject("Invitation", item.requests)
        queue_message(compose(attendee.email, subject, body, calendar=ics, method="REQUEST"))
        count += 1
    if item.cancels:
        body = _listing(
            f"Hello {attendee.name},\n\nThese training sessions in {period.name} "
            "are no longer in your schedule:",
            item.cancels,
            attendee.timezone,
        )
        ics = calendar_bytes(
            item.cancels, zone=attendee.timezone, method="CANCEL", organizer=organizer, now=now
        )
        subject = _subject("Cancelled", item.cancels)
        queue_message(compose(attendee.email, subject, body, calendar=ics, method="CANCEL"))
        count += 1
    return count


def _subject(word: str, events: list[CalendarEvent]) -> str:
    if len(events) == 1:
        return f"{word}: {events[0].summary}"
    return f"{word}: {len(events)} training sessions"


def _listing(intro: str, events: list[CalendarEvent], zone: str) -> str:
    lines = [intro, ""]
    for event in sorted(events, key=lambda e: e.start):
        lines.append(
            f"- {event.summary}: {localtime(event.start, zone)} to {localtime(event.end, zone)}"
        )
        lines.append(f"  {event.location}")
    return "\n".join(lines) + "\n"


def queue_due_reminders(now: datetime | None = None, days: int | None = None) -> int:
    """Queue a reminder for each invited attendee of each session starting within ``days``
    (config ``REMINDER_DAYS``, default 2) and not yet reminded at its current start; commit.

    A session that moves after its reminder is reminded again at its new time. Called by the
    periodic job; returns the number of reminders queued.
    """
    now = now or utcnow()
    days = current_app.config.get("REMINDER_DAYS", 2) if days is None else days
    sessions = db.session.scalars(
        util.published_sessions()
        .where(ScheduledSession.start > now, ScheduledSession.start <= now + timedelta(days=days))
        .options(*SEAT_LOADS)
    ).all()
    uids = {session.uid for session in sessions}
    records = (
        {
            (record.uid, _key_of(record)): record
            for record in db.session.scalars(
                select(InviteRecord).where(
                    InviteRecord.uid.in_(uids), InviteRecord.method == InviteMethod.REQUEST
                )
            )
        }
        if uids
        else {}
    )
    count = 0
    for session in sessions:
        for attendee in _attendees_of(session):
            record = records.get((session.uid, attendee.key))
            if record is None or record.reminded_start == session.start:
                continue
            if not _claim_reminder(record, session.start):
                continue  # another run (every worker runs the job) reminded them meanwhile
            event = util.event_of(session)
            body = _listing(
                f"Hello {attendee.name},\n\nA reminder of your training session:",
                [event],
                attendee.timezone,
            )
            queue_message(compose(attendee.email, f"Reminder: {event.summary}", body))
            count += 1
    db.session.commit()
    return count


def _claim_reminder(record: InviteRecord, start: datetime) -> bool:
    """Mark the reminder at ``start`` sent, unless another run did: of two runs, the database
    lets one conditional UPDATE match; the other waits for its commit and matches nothing."""
    claimed = db.session.execute(
        update(InviteRecord)
        .where(
            InviteRecord.id == record.id,
            or_(InviteRecord.reminded_start.is_(None), InviteRecord.reminded_start != start),
        )
        .values(reminded_start=start)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1
