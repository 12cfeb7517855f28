"""Invitations on publish and reminders before sessions: the outbox messages and the ledger.

On publish (``schedule_published``, inside the publish transaction) the new schedule is
compared with the invite ledger, per attendee and session UID:

- a session the person attends and was never sent, or was sent at an older SEQUENCE, or was
  cancelled for them: REQUEST;
- a session they were invited to and no longer attend (it was dropped, or they were moved to
  another section or facilitator): CANCEL, with a SEQUENCE above the last one they got;
- anything else: nothing, so publishing the same thing twice sends nothing.

Every message is about one session (one UID, as RFC 5546 requires; see ``invite_mail``): a
person with three new sessions gets three invitations, plus one plain summary listing them. A
cancellation shows the time and place the person was sent (the ledger keeps them), and an
update says what changed. Sessions that already ended are not sent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from scheduler.adjustments.late_joiners import learner_seated, seats_freed
from scheduler.calendars import answer_links, util
from scheduler.calendars.ics import CalendarEvent, Person
from scheduler.calendars.invite_mail import (
    Change,
    Notice,
    Shown,
    changes_between,
    queue_notices,
)
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


@dataclass
class Decision:
    """One message publishing would send: a REQUEST (``session``: the one to attend) or a CANCEL
    (``session``: the newest one of the UID, ``before``: the time and place the person had)."""

    key: AttendeeKey
    change: Change
    session: ScheduledSession
    record: InviteRecord | None
    before: Shown | None = None


def decide_invites(
    period: PlanningPeriod,
    version: ScheduleVersion,
    now: datetime,
    sequences: dict[str, int] | None = None,
) -> tuple[dict[AttendeeKey, Attendee], list[Decision]]:
    """What bringing every attendee's calendar to ``version`` takes, read from the invite
    ledger; nothing is written. ``sequences`` (UID → SEQUENCE) are the sessions' sequences when
    ``version`` is a draft that publishing would renumber (default: their own)."""
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
    decisions: list[Decision] = []

    for (uid, key), session in attending.items():
        record = ledger.get((uid, key))
        if session.end <= now:
            continue
        sequence = session.sequence if sequences is None else sequences.get(uid, 0)
        had_it = record is not None and record.method == InviteMethod.REQUEST
        if had_it and record.session_sequence == sequence and not _place_changed(record, session):
            continue
        decisions.append(Decision(key, Change.UPDATE if had_it else Change.NEW, session, record))

    gone = [
        ((uid, key), record)
        for (uid, key), record in ledger.items()
        if record.method == InviteMethod.REQUEST and (uid, key) not in attending
    ]
    # One query for the sessions and one per kind of person, not one each per cancellation.
    latest = _latest_sessions({uid for (uid, _), _ in gone})
    people = _people_of_records([record for (_, key), record in gone if key not in attendees])
    for (uid, key), record in gone:
        last = latest.get(uid)
        attendee = attendees.get(key) or people.get(key)
        if last is None or attendee is None:
            continue
        before = _sent(record) or _shown_of(last)
        if before.end <= now:
            continue
        attendees.setdefault(key, attendee)
        decisions.append(Decision(key, Change.CANCEL, last, record, before))
    return attendees, decisions


def send_invites(
    period: PlanningPeriod, version: ScheduleVersion, now: datetime | None = None
) -> int:
    """Queue the REQUEST and CANCEL messages that bring every attendee's calendar to
    ``version`` (one message per session, see ``invite_mail``) and update the ledger (not
    committed: the caller's transaction). Returns the number of messages queued; running it
    again for the same version queues none."""
    now = now or utcnow()
    attendees, decisions = decide_invites(period, version, now)
    notices: dict[AttendeeKey, list[Notice]] = {}
    requests: list[tuple[Notice, InviteRecord]] = []
    for decision in decisions:
        attendee = attendees[decision.key]
        if decision.change == Change.CANCEL:
            notice = _cancel(decision, attendee, now)
        else:
            notice, record = _request(period, decision.session, attendee, decision.record, now)
            requests.append((notice, record))
        notices.setdefault(decision.key, []).append(notice)
    if requests:
        db.session.flush()  # new ledger rows get the ids their answer links carry
    for notice, record in requests:
        answer_links.attach(notice, record)

    count = 0
    organizer = util.organizer()
    for key, found in notices.items():
        attendee = attendees[key]
        count += queue_notices(
            email=attendee.email,
            name=attendee.name,
            zone=attendee.timezone,
            period_name=period.name,
            notices=found,
            organizer=organizer,
            now=now,
        )
    return count


def _request(
    period: PlanningPeriod,
    session: ScheduledSession,
    attendee: Attendee,
    record: InviteRecord | None,
    now: datetime,
) -> tuple[Notice, InviteRecord]:
    """The invitation (or update) of ``session`` for ``attendee`` and its ledger row, which
    notes it; an answer given to another time (or to a withdrawn invitation) is asked again."""
    notice, sequence = request_notice(session, attendee, record)
    shown = _shown_of(session)
    if record is None:
        record = _new_record(period, session.uid, attendee.key)
    elif record.method == InviteMethod.CANCEL or (
        record.sent_start is not None
        and (record.sent_start, record.sent_end) != (shown.start, shown.end)
    ):
        answer_links.ask_again(record)
    record.method = InviteMethod.REQUEST
    record.sequence = sequence
    record.session_sequence = session.sequence
    record.timezone = attendee.timezone
    record.sent_start, record.sent_end = shown.start, shown.end
    record.sent_location, record.sent_facilitator = shown.location, shown.facilitator
    record.sent_url = shown.url
    record.updated_at = now
    return notice, record


def request_notice(
    session: ScheduledSession, attendee: Attendee, record: InviteRecord | None
) -> tuple[Notice, int]:
    """The invitation (or update) of ``session`` for ``attendee`` and its SEQUENCE, as the
    ledger's ``record`` (None: never sent) makes it; nothing is written."""
    shown = _shown_of(session)
    changes: list[str] = []
    if record is not None and record.method == InviteMethod.REQUEST:
        before = _sent(record)
        changes = (
            changes_between(before, shown, attendee.timezone)
            if before is not None
            else ["details updated"]
        )
    sequence = session.sequence if record is None else max(session.sequence, record.sequence + 1)
    notes = [f"Changed: {'; '.join(changes)}."] if changes else []
    event = util.event_of(session, _people(session, attendee), sequence=sequence, notes=notes)
    return Notice(Change.UPDATE if changes else Change.NEW, event, changes), sequence


def _cancel(decision: Decision, attendee: Attendee, now: datetime) -> Notice:
    """The cancellation for ``attendee`` of the session they were sent; the ledger notes it."""
    record = decision.record
    record.method = InviteMethod.CANCEL
    record.sequence += 1
    record.updated_at = now
    return cancel_notice(decision, attendee, record.sequence)


def cancel_notice(decision: Decision, attendee: Attendee, sequence: int) -> Notice:
    """The cancellation of ``decision`` at the time and place the person was sent (not the
    session's new ones), with ``sequence``; nothing is written."""
    before = decision.before
    event = util.event_of(decision.session, [attendee.person], sequence=sequence)
    event = replace(
        event,
        start=before.start,
        end=before.end,
        location=before.location,
        description=_cancelled_description(event, before),
        cancelled=True,
    )
    return Notice(Change.CANCEL, event)


def _cancelled_description(event: CalendarEvent, before: Shown) -> str:
    lines = ["Cancelled: this session is no longer in your schedule."]
    for line in event.description.splitlines():
        if line.startswith("Where:"):
            line = f"Where: {before.location}"
        elif line.startswith("Facilitator:"):
            line = f"Facilitator: {before.facilitator}" if before.facilitator else ""
        if line:
            lines.append(line)
    return "\n".join(lines)


def _shown_of(session: ScheduledSession) -> Shown:
    facilitator = session.facilitator.name if session.facilitator is not None else ""
    return Shown(
        session.start, session.end, util.where(session), facilitator, util.meeting_url(session)
    )


def _place_changed(record: InviteRecord, session: ScheduledSession) -> bool:
    """Whether the place or joining link the person was sent differs from the session's now,
    though the session itself did not change: a site's street address or a room's name was
    edited, or a section's or facilitator's meeting link. Unknown (NULL) values, in rows from
    before the ledger kept them, count as unchanged: no update without a known difference."""
    if record.sent_location is not None and record.sent_location != util.where(session):
        return True
    return record.sent_url is not None and record.sent_url != util.meeting_url(session)


def _sent(record: InviteRecord) -> Shown | None:
    """What the last REQUEST of ``record`` showed: from the ledger, or (rows written before it
    kept that) from the published session it described; None if neither is known."""
    if record.sent_start is not None and record.sent_end is not None:
        return Shown(
            record.sent_start,
            record.sent_end,
            record.sent_location or "",
            record.sent_facilitator or "",
            record.sent_url,
        )
    described = db.session.scalar(
        select(ScheduledSession)
        .join(ScheduledSession.section)
        .join(ScheduledSection.version)
        .where(
            ScheduledSession.uid == record.uid,
            ScheduledSession.sequence == record.session_sequence,
            ScheduleVersion.published_at.is_not(None),
        )
        .options(*util.SESSION_LOADS)
        .order_by(ScheduledSession.id.desc())
        .limit(1)
    )
    return _shown_of(described) if described is not None else None


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


def _latest_sessions(uids: set[str]) -> dict[str, ScheduledSession]:
    """The session of each uid in the newest version that has it (to describe a cancellation)."""
    if not uids:
        return {}
    newest = (
        select(func.max(ScheduledSession.id))
        .where(ScheduledSession.uid.in_(uids))
        .group_by(ScheduledSession.uid)
    )
    found = db.session.scalars(
        select(ScheduledSession).where(ScheduledSession.id.in_(newest)).options(*util.SESSION_LOADS)
    )
    return {session.uid: session for session in found}


def _people_of_records(records: list[InviteRecord]) -> dict[AttendeeKey, Attendee]:
    """The attendee of each ledger row (facilitators with their accounts), in two queries."""
    ids = {kind: {r.facilitator_id if kind == "facilitator" else r.learner_id for r in records
                  if _key_of(r)[0] == kind} for kind in ("facilitator", "learner")}  # fmt: skip
    out: dict[AttendeeKey, Attendee] = {}
    if ids["facilitator"]:
        for facilitator in db.session.scalars(
            select(Facilitator)
            .where(Facilitator.id.in_(ids["facilitator"]))
            .options(selectinload(Facilitator.user))
        ):
            out[("facilitator", facilitator.id)] = attendee_of_facilitator(facilitator)
    if ids["learner"]:
        for learner in db.session.scalars(select(Learner).where(Learner.id.in_(ids["learner"]))):
            out[("learner", learner.id)] = attendee_of_learner(learner)
    return out


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
