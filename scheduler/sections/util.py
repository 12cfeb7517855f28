"""Reads of the sections area: the published section of a period by its key, who answered its
invitations, the period's counts, and the sessions a facilitator declined.

Answers live on the invite ledger (``InviteRecord.reply``), one row per person and session UID;
a row whose last message was a CANCEL is an invitation the person no longer holds and counts
nowhere. Every read here is a fixed number of queries whatever the section's size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scheduler.calendars import util as calendar_util
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.learners.util import team_manager_ids
from scheduler.models import (
    Facilitator,
    InviteMethod,
    InviteRecord,
    Learner,
    PlanningPeriod,
    Reply,
    Role,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionSeat,
    User,
    VersionStatus,
)

#: How each answer is said on the pages, in the order they are counted.
REPLY_WORDS = {
    Reply.ACCEPTED: "accepted",
    Reply.TENTATIVE: "tentative",
    Reply.DECLINED: "declined",
    Reply.NEEDS_ACTION: "not answered",
}


@dataclass
class Person:
    """One row of a section's answers: a facilitator or a learner, and their answer per session
    (None: they hold no invitation to it, e.g. a session already over when they joined)."""

    name: str
    email: str
    role: str  # "facilitator" or "learner"
    answers: list[InviteRecord | None] = field(default_factory=list)


def published_section(period: PlanningPeriod, key: str) -> ScheduledSection | None:
    """The section ``key`` of ``period``'s published schedule, with its sessions and seats."""
    return db.session.scalar(
        select(ScheduledSection)
        .join(ScheduledSection.version)
        .where(
            ScheduleVersion.period_id == period.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            ScheduledSection.key == key,
        )
        .options(
            selectinload(ScheduledSection.sessions).options(*_session_loads()),
            selectinload(ScheduledSection.seats).selectinload(SectionSeat.learner),
        )
    )


def _session_loads():
    return (
        selectinload(ScheduledSession.facilitator).selectinload(Facilitator.user),
        selectinload(ScheduledSession.room),
    )


def teaches(user: User, section: ScheduledSection) -> bool:
    """Whether ``user`` is the facilitator of a session of ``section`` (their own section)."""
    return user.role == Role.FACILITATOR and any(
        session.facilitator is not None and session.facilitator.user_id == user.id
        for session in section.sessions
    )


def section_answers(section: ScheduledSection) -> list[Person]:
    """Every person of ``section`` (its facilitators, then its learners by name) with their
    answer to each of its sessions, in session order."""
    sessions = section.sessions
    records = _records(session.uid for session in sessions)
    people: dict[tuple[str, int], Person] = {}
    for session in sessions:
        if session.facilitator is not None:
            key = ("facilitator", session.facilitator.id)
            people.setdefault(
                key, Person(session.facilitator.name, session.facilitator.user.email, key[0])
            )
    for seat in sorted(section.seats, key=lambda s: (s.learner.name, s.learner.id)):
        people[("learner", seat.learner.id)] = Person(
            seat.learner.name, seat.learner.email, "learner"
        )
    for key, person in people.items():
        person.answers = [records.get((session.uid, key)) for session in sessions]
    return list(people.values())


def _records(uids) -> dict[tuple[str, tuple[str, int]], InviteRecord]:
    """The held invitations (last message a REQUEST) of these session UIDs, by UID and person."""
    uids = list(uids)
    if not uids:
        return {}
    rows = db.session.scalars(
        select(InviteRecord).where(
            InviteRecord.uid.in_(uids), InviteRecord.method == InviteMethod.REQUEST
        )
    )
    found = {}
    for record in rows:
        if record.facilitator_id is not None:
            found[(record.uid, ("facilitator", record.facilitator_id))] = record
        else:
            found[(record.uid, ("learner", record.learner_id))] = record
    return found


def counts_of(answers: list[Person]) -> Counter:
    """How many invitations of a section are accepted, tentative, declined or not answered."""
    return Counter(
        record.reply for person in answers for record in person.answers if record is not None
    )


def period_counts(period: PlanningPeriod) -> Counter:
    """The period's held invitations (one per person and session) by answer: one query."""
    rows = db.session.execute(
        select(InviteRecord.reply, func.count())
        .where(InviteRecord.period_id == period.id, InviteRecord.method == InviteMethod.REQUEST)
        .group_by(InviteRecord.reply)
    )
    return Counter({Reply(reply): count for reply, count in rows})


def section_counts(period: PlanningPeriod) -> dict[str, Counter]:
    """Per section key of the published schedule, its held invitations by answer: one query."""
    rows = db.session.execute(
        select(ScheduledSection.key, InviteRecord.reply, func.count())
        .join(ScheduledSession, ScheduledSession.uid == InviteRecord.uid)
        .join(ScheduledSection, ScheduledSession.section_id == ScheduledSection.id)
        .join(ScheduleVersion, ScheduledSection.version_id == ScheduleVersion.id)
        .where(
            ScheduleVersion.period_id == period.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            InviteRecord.period_id == period.id,
            InviteRecord.method == InviteMethod.REQUEST,
        )
        .group_by(ScheduledSection.key, InviteRecord.reply)
    )
    found: dict[str, Counter] = {}
    for key, reply, count in rows:
        found.setdefault(key, Counter())[Reply(reply)] = count
    return found


def published_sections(period: PlanningPeriod) -> list[ScheduledSection]:
    """The sections of ``period``'s published schedule, with program and sessions."""
    return list(
        db.session.scalars(
            select(ScheduledSection)
            .join(ScheduledSection.version)
            .where(
                ScheduleVersion.period_id == period.id,
                ScheduleVersion.status == VersionStatus.PUBLISHED,
            )
            .options(
                selectinload(ScheduledSection.program),
                selectinload(ScheduledSection.sessions).options(*_session_loads()),
            )
            .order_by(ScheduledSection.key)
        )
    )


def in_words(counts: Counter) -> str:
    """ "412 accepted · 23 declined · 1,020 not answered" (answers with none left out)."""
    parts = [f"{counts[reply]:,} {word}" for reply, word in REPLY_WORDS.items() if counts[reply]]
    return " · ".join(parts) or "no invitations sent"


@dataclass
class Declined:
    """A future published session whose facilitator declined it: the coordinator decides."""

    session: ScheduledSession
    facilitator: Facilitator
    record: InviteRecord


def sessions_needing_decision(
    period: PlanningPeriod | None = None, now: datetime | None = None
) -> list[Declined]:
    """The future sessions of the published schedules (of ``period``, or of all periods) whose
    facilitator declined their invitation (by mail, link or through a coordinator).

    Derived, not stored: a session leaves the list when its facilitator accepts (the answer
    changes) or when a publish gives it another facilitator (the declining facilitator is no
    longer the session's, and their invitation was cancelled).
    """
    now = now or utcnow()
    query = (
        select(ScheduledSession, InviteRecord)
        .join(ScheduledSession.section)
        .join(ScheduledSection.version)
        .join(
            InviteRecord,
            (InviteRecord.uid == ScheduledSession.uid)
            & (InviteRecord.facilitator_id == ScheduledSession.facilitator_id)
            & (InviteRecord.period_id == ScheduleVersion.period_id),
        )
        .where(
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            InviteRecord.method == InviteMethod.REQUEST,
            InviteRecord.reply == Reply.DECLINED,
            ScheduledSession.end > now,
        )
        .options(*calendar_util.SESSION_LOADS)
        .order_by(ScheduledSession.start, ScheduledSession.id)
    )
    if period is not None:
        query = query.where(ScheduleVersion.period_id == period.id)
    return [
        Declined(session, session.facilitator, record)
        for session, record in db.session.execute(query)
    ]


def sections_taught_by(facilitator: Facilitator) -> list[ScheduledSection]:
    """The published sections in which ``facilitator`` teaches a session that has not ended."""
    taught = select(ScheduledSession.section_id).where(
        ScheduledSession.facilitator_id == facilitator.id, ScheduledSession.end > utcnow()
    )
    return list(
        db.session.scalars(
            select(ScheduledSection)
            .join(ScheduledSection.version)
            .where(
                ScheduleVersion.status == VersionStatus.PUBLISHED,
                ScheduledSection.id.in_(taught),
            )
            .options(
                selectinload(ScheduledSection.program),
                selectinload(ScheduledSection.version).selectinload(ScheduleVersion.meeting_links),
                selectinload(ScheduledSection.sessions).options(*_session_loads()),
            )
            .order_by(ScheduledSection.id)
        )
    )


def team_answers(manager: User, now: datetime | None = None):
    """The held invitations of ``manager``'s team (their learners and those of the managers
    below them) to published sessions that have not ended, in time order, as
    ``[(session, learner, record)]``; one query for the rows, whatever the team's size."""
    now = now or utcnow()
    team = select(Learner.id).where(Learner.manager_id.in_(team_manager_ids(manager)))
    rows = db.session.execute(
        select(ScheduledSession, Learner, InviteRecord)
        .join(ScheduledSession.section)
        .join(ScheduledSection.version)
        .join(SectionSeat, SectionSeat.section_id == ScheduledSection.id)
        .join(Learner, Learner.id == SectionSeat.learner_id)
        .join(
            InviteRecord,
            (InviteRecord.uid == ScheduledSession.uid)
            & (InviteRecord.learner_id == SectionSeat.learner_id),
        )
        .where(
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            SectionSeat.learner_id.in_(team),
            InviteRecord.method == InviteMethod.REQUEST,
            ScheduledSession.end > now,
        )
        .options(*calendar_util.SESSION_LOADS)
        .order_by(ScheduledSession.start, ScheduledSession.id, Learner.name, Learner.id)
    )
    return [tuple(row) for row in rows]
