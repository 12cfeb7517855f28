"""Calendar reads: published sessions of a person, cohort, room or the whole plan, as events;
feed links by token; the organizer address."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from scheduler.calendars.ics import CalendarEvent, Person, calendar_bytes
from scheduler.extensions import db
from scheduler.learners.util import team_manager_ids
from scheduler.models import (
    Facilitator,
    FeedKind,
    FeedToken,
    Learner,
    Program,
    ProgramMode,
    Role,
    Room,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionCohort,
    SectionSeat,
    User,
    VersionStatus,
)
from scheduler.tokens import hash_token

#: Everything ``event_of`` touches, loaded with the sessions in a few queries.
SESSION_LOADS = (
    selectinload(ScheduledSession.section).selectinload(ScheduledSection.version),
    selectinload(ScheduledSession.section)
    .selectinload(ScheduledSection.version)
    .selectinload(ScheduleVersion.meeting_links),
    selectinload(ScheduledSession.section)
    .selectinload(ScheduledSection.program)
    .selectinload(Program.sessions),
    selectinload(ScheduledSession.section)
    .selectinload(ScheduledSection.cohorts)
    .selectinload(SectionCohort.cohort),
    selectinload(ScheduledSession.room).selectinload(Room.site),
    selectinload(ScheduledSession.facilitator).selectinload(Facilitator.user),
)


def organizer() -> Person:
    """The ORGANIZER of every event: the coordinators' configured address."""
    config = current_app.config
    return Person(config.get("MAIL_ORGANIZER") or config["MAIL_FROM"], "Training coordination")


def published_sessions() -> Select:
    """A query of the sessions of every period's published version, in time order."""
    return (
        select(ScheduledSession)
        .join(ScheduledSession.section)
        .join(ScheduledSection.version)
        .where(ScheduleVersion.status == VersionStatus.PUBLISHED)
        .options(*SESSION_LOADS)
        .order_by(ScheduledSession.start, ScheduledSession.id)
    )


def sessions_of_facilitator(facilitator_id: int) -> list[ScheduledSession]:
    return _all(published_sessions().where(ScheduledSession.facilitator_id == facilitator_id))


def sessions_of_learner(learner_id: int) -> list[ScheduledSession]:
    seated = select(SectionSeat.section_id).where(SectionSeat.learner_id == learner_id)
    return _all(published_sessions().where(ScheduledSession.section_id.in_(seated)))


def sessions_of_cohort(cohort_id: int) -> list[ScheduledSession]:
    sections = select(SectionCohort.section_id).where(SectionCohort.cohort_id == cohort_id)
    return _all(published_sessions().where(ScheduledSession.section_id.in_(sections)))


def sessions_of_room(room_id: int) -> list[ScheduledSession]:
    return _all(published_sessions().where(ScheduledSession.room_id == room_id))


def sessions_of_team(manager: User, managers: set[int] | None = None) -> list[ScheduledSession]:
    """The published sessions in which a learner of ``manager``'s team (see
    ``scheduler.learners.util.team_manager_ids``, or ``managers`` if known) has a seat, each
    once, with the section's seats loaded."""
    managers = team_manager_ids(manager) if managers is None else managers
    team = select(Learner.id).where(Learner.manager_id.in_(managers))
    seated = select(SectionSeat.section_id).where(SectionSeat.learner_id.in_(team))
    return _all(
        published_sessions()
        .where(ScheduledSession.section_id.in_(seated))
        .options(
            selectinload(ScheduledSession.section)
            .selectinload(ScheduledSection.seats)
            .selectinload(SectionSeat.learner)
        )
    )


def team_events(manager: User) -> list[CalendarEvent]:
    """The team's published sessions as events that say which team members attend each one:
    first in the SUMMARY and DESCRIPTION, and as ATTENDEEs (the feed is then no iTIP message,
    see ``ics.calendar_bytes`` with ``method=None``)."""
    managers = team_manager_ids(manager)
    events = []
    for session in sessions_of_team(manager, managers):
        members = sorted(
            (seat.learner for seat in session.section.seats if seat.learner.manager_id in managers),
            key=lambda learner: (learner.name, learner.id),
        )
        names = ", ".join(learner.name for learner in members)
        event = event_of(
            session,
            [Person(learner.email, learner.name) for learner in members],
            notes=[f"From your team: {names}"],
        )
        events.append(replace(event, summary=f"{event.summary}: {_few(members)}"))
    return events


def team_calendar(manager: User) -> bytes:
    """A manager's team calendar (the download and the feed): no METHOD, since it names the
    team members as ATTENDEEs, which RFC 5546 forbids in a METHOD:PUBLISH calendar."""
    return calendar_bytes(
        team_events(manager),
        zone=manager.timezone,
        method=None,
        organizer=organizer(),
        name=f"Training: team of {manager.name}",
    )


def _few(members: list[Learner]) -> str:
    """One or two names, or the first and how many more, for a short SUMMARY."""
    if len(members) <= 2:
        return " and ".join(learner.name for learner in members)
    return f"{members[0].name} and {len(members) - 1} more"


def all_published_sessions() -> list[ScheduledSession]:
    return _all(published_sessions())


def _all(query: Select) -> list[ScheduledSession]:
    return list(db.session.scalars(query))


def event_of(
    session: ScheduledSession,
    attendees: Iterable[Person] = (),
    *,
    sequence: int | None = None,
    notes: Iterable[str] = (),
) -> CalendarEvent:
    """The calendar event of ``session``: program, part n of m, where, which cohorts, with the
    configured alarm; ``notes`` (what changed, who of a team attends) open the description."""
    section = session.section
    program = section.program
    parts = program.sessions
    count = len(parts) or 1
    title = next((p.title for p in parts if p.position == session.position and p.title), "")
    place = where(session)
    cohorts = ", ".join(part.cohort.key for part in section.cohorts) or "-"
    lines = [
        *notes,
        f"Program: {program.name}",
        f"Session {session.position + 1} of {count}" + (f": {title}" if title else ""),
        f"Where: {place}",
        f"Cohort{'s' if len(section.cohorts) > 1 else ''}: {cohorts}",
    ]
    if session.facilitator is not None:
        lines.append(f"Facilitator: {session.facilitator.name}")
    link = meeting_url(session)
    if link:
        lines.append(f"Join online: {link}")
    elif program.mode == ProgramMode.VIRTUAL:
        lines.append("This is a virtual session: the joining link comes from the facilitator.")
    version = section.version
    return CalendarEvent(
        uid=session.uid,
        sequence=session.sequence if sequence is None else sequence,
        start=session.start,
        end=session.end,
        summary=f"{program.name} ({session.position + 1}/{count})",
        location=place,
        description="\n".join(lines),
        last_modified=version.published_at or version.created_at,
        attendees=tuple(attendees),
        alarm_minutes=alarm_minutes(),
        url=link,
    )


def meeting_url(session: ScheduledSession) -> str:
    """The joining link of a virtual session: its section's meeting link if one was entered
    (``SectionMeetingLink``), else its facilitator's personal meeting room, if set (in-person
    sessions have none)."""
    section = session.section
    if section.program.mode != ProgramMode.VIRTUAL:
        return ""
    if section.meeting_link is not None:
        return section.meeting_link.meeting_url
    return session.facilitator.meeting_url if session.facilitator is not None else ""


def alarm_minutes() -> int:
    """Minutes before a session its event alerts (``INVITE_ALARM_MINUTES``; 0: no alarm)."""
    return max(int(current_app.config.get("INVITE_ALARM_MINUTES") or 0), 0)


def where(session: ScheduledSession) -> str:
    """The room, site and street address of an in-person session, or "Online"."""
    if session.room is None:
        return "Online"
    site = session.room.site
    place = f"{session.room.name}, {site.name}"
    return f"{place}, {site.address}" if site.address else place


def feed_by_token(token: str) -> FeedToken | None:
    """The live feed link of ``token``, or None (unknown, revoked, or its account disabled)."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(FeedToken).where(FeedToken.token_hash == hash_token(token)))
    if feed is None:
        return None
    if feed.kind == FeedKind.FACILITATOR and not feed.facilitator.user.is_enabled:
        return None
    if feed.kind == FeedKind.SCHEDULE and not (
        feed.user.is_enabled and feed.user.role == Role.COORDINATOR
    ):
        return None
    if feed.kind == FeedKind.TEAM and not (feed.user.is_enabled and feed.user.role == Role.MANAGER):
        return None
    return feed


#: The FeedToken column that names each kind's subject.
SUBJECT_COLUMNS = {
    FeedKind.FACILITATOR: "facilitator_id",
    FeedKind.LEARNER: "learner_id",
    FeedKind.COHORT: "cohort_id",
    FeedKind.ROOM: "room_id",
    FeedKind.SCHEDULE: "user_id",  # a coordinator's whole-schedule feed
    FeedKind.TEAM: "user_id",  # a manager's team feed
}


def feed_cache_key(feed: FeedToken) -> str:
    """The page-cache key of a feed link's calendar: its kind, its subject and its token hash.

    Never the row id: SQLite gives a deleted row's id to the next row, and a feed keyed by id
    once served a coordinator's whole schedule at a manager's new team link. The token hash is
    never reused (256 random bits), so a new or regenerated link can only miss the cache; kind
    and subject make the key say whose calendar it is.
    """
    subject_id = getattr(feed, SUBJECT_COLUMNS[feed.kind])
    return f"calendars/feed:{feed.kind.value}:{subject_id}:{feed.token_hash}"


def feed_contents(feed: FeedToken) -> tuple[str, str, list[ScheduledSession]]:
    """A feed link's calendar name, time zone and sessions."""
    subject = {
        FeedKind.FACILITATOR: feed.facilitator,
        FeedKind.LEARNER: feed.learner,
        FeedKind.COHORT: feed.cohort,
        FeedKind.ROOM: feed.room,
        FeedKind.SCHEDULE: feed.user,
        FeedKind.TEAM: feed.user,
    }[feed.kind]
    return calendar_contents(feed.kind, subject)


def calendar_contents(kind: FeedKind, subject) -> tuple[str, str, list[ScheduledSession]]:
    """The calendar name, time zone and sessions of a facilitator, learner, cohort, room, or
    (for a coordinator, ``SCHEDULE``) the whole published schedule."""
    if kind == FeedKind.FACILITATOR:
        name, zone = f"Training: {subject.name}", subject.timezone
        return name, zone, sessions_of_facilitator(subject.id)
    if kind == FeedKind.LEARNER:
        return f"Training: {subject.name}", subject.timezone, sessions_of_learner(subject.id)
    if kind == FeedKind.COHORT:
        name, zone = f"Training: cohort {subject.key}", subject.timezone
        return name, zone, sessions_of_cohort(subject.id)
    if kind == FeedKind.ROOM:
        name = f"Training room: {subject.name} ({subject.site.name})"
        return name, subject.site.timezone, sessions_of_room(subject.id)
    if kind == FeedKind.TEAM:
        name = f"Training: team of {subject.name}"
        return name, subject.timezone, sessions_of_team(subject)
    return "Training: published schedule", subject.timezone, all_published_sessions()


def feed_subject(feed: FeedToken) -> str:
    """Who or what a feed link is for, in words."""
    if feed.kind == FeedKind.FACILITATOR:
        return f"Facilitator {feed.facilitator.name}"
    if feed.kind == FeedKind.LEARNER:
        return f"Learner {feed.learner.name}"
    if feed.kind == FeedKind.COHORT:
        return f"Cohort {feed.cohort.key}"
    if feed.kind == FeedKind.ROOM:
        return f"Room {feed.room.name} ({feed.room.site.name})"
    if feed.kind == FeedKind.TEAM:
        return f"Team of {feed.user.name}"
    return f"Whole schedule ({feed.user.name})"


def all_feeds() -> list[FeedToken]:
    """Every live feed link, newest first (for the coordinator's page)."""
    query = (
        select(FeedToken)
        .options(
            selectinload(FeedToken.facilitator).selectinload(Facilitator.user),
            selectinload(FeedToken.learner),
            selectinload(FeedToken.cohort),
            selectinload(FeedToken.room).selectinload(Room.site),
            selectinload(FeedToken.user),
            selectinload(FeedToken.created_by),
        )
        .order_by(FeedToken.created_at.desc(), FeedToken.id.desc())
    )
    return list(db.session.scalars(query))


def feed_of_facilitator(facilitator_id: int) -> FeedToken | None:
    return db.session.scalar(select(FeedToken).where(FeedToken.facilitator_id == facilitator_id))


def feed_of_user(user_id: int, kind: FeedKind) -> FeedToken | None:
    """The live feed link of kind ``kind`` whose subject is the user ``user_id``."""
    return db.session.scalar(
        select(FeedToken).where(FeedToken.user_id == user_id, FeedToken.kind == kind)
    )


def facilitator_of_user(user_id: int) -> Facilitator | None:
    return db.session.scalar(select(Facilitator).where(Facilitator.user_id == user_id))
