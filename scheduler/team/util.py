"""Reads of the managers' area: the team table (instructor-led hours and microlearning minutes
per person and week, follow-up progress), upcoming sessions and its CSV export.

The team is that of ``scheduler.learners.util.team_learners``: the learners of the managers
``team_manager_ids`` finds (the manager, and every manager below them), walked once per page. Every read here is a fixed number of queries whatever
the team's size (the hierarchy walk costs one query per level of managers).

Weeks run Monday to Sunday in the manager's time zone; a session counts in the week its start
falls in (local time), for its whole length.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.learners.util import team_manager_ids
from scheduler.models import (
    FollowUpStep,
    Learner,
    MicroLesson,
    Program,
    Room,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionSeat,
    Site,
    StepKind,
    StepStatus,
    User,
    VersionStatus,
)
from scheduler.text import csv_cell

WEEKS_SHOWN = 8
PEOPLE_PER_PAGE = 50
UPCOMING_SHOWN = 50
NO_VALUE = "—"
#: A check-in step this many days or fewer after the workshop is the "30-day" one; later: "90-day".
THIRTY_DAY_LIMIT = 60


@dataclass
class FollowUpProgress:
    """A learner's follow-up microlearning: minutes per week, steps done of those due, the mean
    quiz score (0..1) and the 30- and 90-day check-ins as short texts."""

    minutes: dict[date, int] = field(default_factory=dict)  # week's Monday -> minutes
    done: int = 0
    due: int = 0
    quiz_score: float | None = None
    check_in_30: str = NO_VALUE
    check_in_90: str = NO_VALUE

    @property
    def completion(self) -> float | None:
        """Share of the due steps done, or None when nothing is due yet."""
        return self.done / self.due if self.due else None


@dataclass
class PersonRow:
    """One line of the team table."""

    learner: Learner
    hours: list[float]  # instructor-led hours per week
    minutes: list[int]  # microlearning minutes per week
    progress: FollowUpProgress

    @property
    def total_hours(self) -> float:
        return round(sum(self.hours), 2)

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes)


@dataclass
class UpcomingSession:
    """A published session with at least one team member in it."""

    start: datetime
    end: datetime
    program: str
    part: int
    where: str
    people: list[str]


@dataclass
class TeamTable:
    """Everything the manager's page and CSV show: one page of people (all of them for the CSV)
    and the whole team's totals per week."""

    zone: str
    weeks: list[date]
    rows: list[PersonRow]
    week_hours: list[float]  # the whole team, not only this page's rows
    week_minutes: list[int]
    people: int
    page: int = 1
    pages: int = 1

    @property
    def total_hours(self) -> float:
        return round(sum(self.week_hours), 2)

    @property
    def total_minutes(self) -> int:
        return sum(self.week_minutes)

    def chart_data(self) -> dict:
        """The bar chart's data: team hours per week (instructor-led and microlearning)."""
        return {
            "labels": [week_label(week) for week in self.weeks],
            "instructor_led": self.week_hours,
            "microlearning": [round(m / 60, 2) for m in self.week_minutes],
        }


def week_label(monday: date) -> str:
    return f"w/c {monday.strftime('%d %b %Y')}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_week(zone: str, requested: date | None, now: datetime | None = None) -> date:
    """The Monday the table starts at: the requested date's week, else this week (manager's zone).

    ``requested`` comes from ``scheduler.query.date_arg``, which keeps it far enough from the
    ends of the calendar for the page's weeks before and after to exist."""
    if requested:
        return monday_of(requested)
    return monday_of((now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).date())


def utc_of(day: date, zone: str) -> datetime:
    """Local midnight starting ``day`` in ``zone``, as a UTC instant."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def team_ids(manager_ids: set[int]) -> Select:
    """A subquery of the ids of the learners of the managers ``manager_ids`` (see
    ``team_manager_ids``): no list of learner ids travels to the database."""
    return select(Learner.id).where(Learner.manager_id.in_(manager_ids))


def team_members(manager_ids: set[int], page: int | None = None) -> list[Learner]:
    """The learners of the managers ``manager_ids`` in ``team_learners``'s order: all of them, or
    the ``page``-th ``PEOPLE_PER_PAGE``."""
    statement = (
        select(Learner)
        .where(Learner.manager_id.in_(manager_ids))
        .options(selectinload(Learner.manager), selectinload(Learner.site))
        .order_by(Learner.team, Learner.name, Learner.id)
    )
    if page is not None:
        statement = statement.limit(PEOPLE_PER_PAGE).offset((page - 1) * PEOPLE_PER_PAGE)
    return list(db.session.scalars(statement))


def published_seats() -> Select:
    """Seats × sessions of every published version: (learner id, start, end) rows to filter."""
    return (
        select(SectionSeat.learner_id, ScheduledSession.start, ScheduledSession.end)
        .join(ScheduledSection, ScheduledSection.id == SectionSeat.section_id)
        .join(ScheduleVersion, ScheduleVersion.id == ScheduledSection.version_id)
        .join(ScheduledSession, ScheduledSession.section_id == ScheduledSection.id)
        .where(ScheduleVersion.status == VersionStatus.PUBLISHED)
    )


def team_table(
    manager: User,
    start: date,
    weeks: int = WEEKS_SHOWN,
    manager_ids: set[int] | None = None,
    page: int | None = None,
) -> TeamTable:
    """The team table of ``manager`` for ``weeks`` weeks from the Monday ``start``: every person,
    or only the ``page``-th ``PEOPLE_PER_PAGE`` of them (the totals always cover the whole team).
    ``manager_ids``: their ``team_manager_ids``, when the caller has them already."""
    zone = manager.timezone or "UTC"
    if manager_ids is None:
        manager_ids = team_manager_ids(manager)
    mondays = [start + timedelta(weeks=i) for i in range(weeks)]
    lo, hi = utc_of(mondays[0], zone), utc_of(mondays[-1] + timedelta(days=7), zone)
    people = db.session.scalar(
        select(func.count(Learner.id)).where(Learner.manager_id.in_(manager_ids))
    )
    pages = max(1, -(-people // PEOPLE_PER_PAGE))
    if page is not None:
        page = min(max(page, 1), pages)
    learners = team_members(manager_ids, page)
    index = {monday: i for i, monday in enumerate(mondays)}
    tz = ZoneInfo(zone)

    def week_of(instant: datetime) -> int | None:
        return index.get(monday_of(instant.astimezone(tz).date()))

    team = team_ids(manager_ids)
    in_window = (ScheduledSession.start >= lo, ScheduledSession.start < hi)
    # The whole team's totals from one row per session (with how many of the team sit in it),
    # the people's own hours only for the people shown.
    week_hours = [0.0] * weeks
    per_session = (
        published_seats()
        .with_only_columns(ScheduledSession.start, ScheduledSession.end, func.count())
        .where(SectionSeat.learner_id.in_(team), *in_window)
        .group_by(ScheduledSession.id, ScheduledSession.start, ScheduledSession.end)
    )
    for session_start, session_end, seated in db.session.execute(per_session):
        week = week_of(session_start)
        if week is not None:
            week_hours[week] += seated * (session_end - session_start).total_seconds() / 3600
    shown = team if page is None else [learner.id for learner in learners]
    hours: dict[int, list[float]] = defaultdict(lambda: [0.0] * weeks)
    seats = published_seats().where(SectionSeat.learner_id.in_(shown), *in_window)
    for learner_id, session_start, session_end in db.session.execute(seats):
        week = week_of(session_start)
        if week is not None:
            hours[learner_id][week] += (session_end - session_start).total_seconds() / 3600
    # Progress only for the people shown (a large team's check-ins and scores are most of the
    # page's cost otherwise); the week totals from the minutes of the whole team.
    progress = follow_up_progress(shown, mondays, zone)
    if page is None:
        team_minutes = {learner_id: found.minutes for learner_id, found in progress.items()}
    else:
        team_minutes = minutes_per_week(team, mondays, zone)
    week_minutes = [sum(m.get(monday, 0) for m in team_minutes.values()) for monday in mondays]
    rows = []
    for learner in learners:
        learner_progress = progress.get(learner.id) or FollowUpProgress()
        rows.append(
            PersonRow(
                learner=learner,
                hours=[round(h, 2) for h in hours[learner.id]],
                minutes=[learner_progress.minutes.get(monday, 0) for monday in mondays],
                progress=learner_progress,
            )
        )
    return TeamTable(
        zone=zone,
        weeks=mondays,
        rows=rows,
        week_hours=[round(h, 2) for h in week_hours],
        week_minutes=week_minutes,
        people=people,
        page=page or 1,
        pages=pages if page is not None else 1,
    )


def minutes_per_week(
    learner_ids: Select | list[int], mondays: list[date], zone: str
) -> dict[int, dict[date, int]]:
    """Microlearning minutes of ``learner_ids`` per learner and week (the weeks starting on
    ``mondays`` in ``zone``): the time a learner spent on a step when recorded, else the
    lesson's length. Learners with no step done in those weeks are absent."""
    found: dict[int, dict[date, int]] = defaultdict(dict)
    if not mondays:
        return found
    tz = ZoneInfo(zone)
    lo, hi = utc_of(mondays[0], zone), utc_of(mondays[-1] + timedelta(days=7), zone)
    done = db.session.execute(
        select(
            FollowUpStep.learner_id,
            FollowUpStep.completed_at,
            FollowUpStep.seconds_spent,
            MicroLesson.minutes,
        )
        .outerjoin(MicroLesson, MicroLesson.id == FollowUpStep.lesson_id)
        .where(
            FollowUpStep.learner_id.in_(learner_ids),
            FollowUpStep.status == StepStatus.DONE,
            FollowUpStep.completed_at >= lo,
            FollowUpStep.completed_at < hi,
        )
    )
    for learner_id, completed_at, seconds, lesson_minutes in done:
        week = monday_of(completed_at.astimezone(tz).date())
        spent = round(seconds / 60) if seconds is not None else (lesson_minutes or 0)
        found[learner_id][week] = found[learner_id].get(week, 0) + spent
    return found


def follow_up_progress(
    learner_ids: Select | list[int], mondays: list[date], zone: str, now: datetime | None = None
) -> dict[int, FollowUpProgress]:
    """Follow-up progress of the learners ``learner_ids`` (a subquery or ids): microlearning
    minutes per week (``minutes_per_week``), steps done of those due, mean quiz score and the
    30/90-day check-ins. Learners with no follow-up steps are absent (the callers show zeros
    and "—").

    With ``minutes_per_week``, the place the reports read issue 6's follow-up steps
    (``FollowUpStep``), in three queries. A quiz score is the mean of the scores of the lessons and quizzes done; a check-in
    shows the learner's confidence (1-5) once done.
    """
    now = now or datetime.now(UTC)
    found: dict[int, FollowUpProgress] = defaultdict(FollowUpProgress)
    for learner_id, minutes in minutes_per_week(learner_ids, mondays, zone).items():
        found[learner_id].minutes = minutes
    counted = FollowUpStep.status.not_in((StepStatus.SKIPPED, StepStatus.WITHDRAWN))
    is_done = FollowUpStep.status == StepStatus.DONE
    quiz = FollowUpStep.kind.in_((StepKind.LESSON, StepKind.QUIZ))
    totals = db.session.execute(
        select(
            FollowUpStep.learner_id,
            func.count(case((counted & (is_done | (FollowUpStep.due_at <= now)), 1))),
            func.count(case((is_done, 1))),
            func.avg(case((is_done & quiz, FollowUpStep.score))),
        )
        .where(FollowUpStep.learner_id.in_(learner_ids))
        .group_by(FollowUpStep.learner_id)
    )
    for learner_id, due, done_count, score in totals:
        progress = found[learner_id]
        progress.due, progress.done = due, done_count
        progress.quiz_score = float(score) if score is not None else None
    check_ins = db.session.execute(
        select(
            FollowUpStep.learner_id,
            FollowUpStep.day_offset,
            FollowUpStep.status,
            FollowUpStep.due_at,
            FollowUpStep.confidence,
        )
        .where(FollowUpStep.learner_id.in_(learner_ids), FollowUpStep.kind == StepKind.CHECK_IN)
        .order_by(FollowUpStep.learner_id, FollowUpStep.day_offset)
    )
    for learner_id, day_offset, status, due_at, confidence in check_ins:
        text = check_in_text(status, due_at, confidence, now)
        if day_offset <= THIRTY_DAY_LIMIT:
            found[learner_id].check_in_30 = text
        else:
            found[learner_id].check_in_90 = text
    return dict(found)


def check_in_text(status: StepStatus, due_at: datetime, confidence: int | None, now) -> str:
    """A check-in in a few words: "4/5" (done, the learner's confidence), "done", "due",
    "missed" (skipped or withdrawn) or "on <date>" (not due yet)."""
    if status == StepStatus.DONE:
        return f"{confidence}/5" if confidence is not None else "done"
    if status in (StepStatus.SKIPPED, StepStatus.WITHDRAWN):
        return "missed"
    if due_at <= now:
        return "due"
    return f"on {due_at.date().isoformat()}"


def upcoming_sessions(
    manager: User,
    now: datetime | None = None,
    limit: int = UPCOMING_SHOWN,
    manager_ids: set[int] | None = None,
) -> list[UpcomingSession]:
    """The next ``limit`` published sessions (not yet ended) with team members in them, and who."""
    now = now or datetime.now(UTC)
    team = team_ids(team_manager_ids(manager) if manager_ids is None else manager_ids)
    seated_sections = select(SectionSeat.section_id).where(SectionSeat.learner_id.in_(team))
    rows = db.session.execute(
        select(
            ScheduledSession.id,
            ScheduledSession.start,
            ScheduledSession.end,
            ScheduledSession.position,
            ScheduledSession.section_id,
            Program.name,
            Room.name,
            Site.name,
        )
        .join(ScheduledSection, ScheduledSection.id == ScheduledSession.section_id)
        .join(ScheduleVersion, ScheduleVersion.id == ScheduledSection.version_id)
        .join(Program, Program.id == ScheduledSection.program_id)
        .outerjoin(Room, Room.id == ScheduledSession.room_id)
        .outerjoin(Site, Site.id == Room.site_id)
        .where(
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            ScheduledSession.end > now,
            ScheduledSession.section_id.in_(seated_sections),
        )
        .order_by(ScheduledSession.start, ScheduledSession.id)
        .limit(limit)
    ).all()
    section_ids = {row[4] for row in rows}
    people: dict[int, list[str]] = defaultdict(list)
    if section_ids:
        names = db.session.execute(
            select(SectionSeat.section_id, Learner.name)
            .join(Learner, Learner.id == SectionSeat.learner_id)
            .where(SectionSeat.section_id.in_(section_ids), SectionSeat.learner_id.in_(team))
            .order_by(Learner.name)
        )
        for section_id, name in names:
            people[section_id].append(name)
    return [
        UpcomingSession(
            start=start,
            end=end,
            program=program,
            part=position + 1,
            where=f"{room}, {site}" if room else "Online",
            people=people[section_id],
        )
        for _, start, end, position, section_id, program, room, site in rows
    ]


# --- CSV export ---------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return NO_VALUE if value is None else f"{round(value * 100)}%"


def team_csv(table: TeamTable) -> str:
    """The team table as CSV: one line per person, then the team totals."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["Name", "E-mail", "Team", "Manager", "Site"]
    for week in table.weeks:
        day = week.isoformat()
        header += [f"Instructor-led hours w/c {day}", f"Microlearning minutes w/c {day}"]
    header += [
        "Instructor-led hours",
        "Microlearning minutes",
        "Follow-ups done",
        "Follow-ups due",
        "Completion",
        "Quiz score",
        "30-day check-in",
        "90-day check-in",
    ]
    writer.writerow(header)
    for row in table.rows:
        learner, progress = row.learner, row.progress
        line = [
            learner.name,
            learner.email,
            learner.team,
            learner.manager.name if learner.manager else "",
            learner.site.name if learner.site else "",
        ]
        for hours, minutes in zip(row.hours, row.minutes, strict=True):
            line += [hours, minutes]
        line += [
            row.total_hours,
            row.total_minutes,
            progress.done,
            progress.due,
            percent(progress.completion),
            percent(progress.quiz_score),
            progress.check_in_30,
            progress.check_in_90,
        ]
        writer.writerow([csv_cell(value) for value in line])
    totals = ["Team total", "", "", "", ""]
    for hours, minutes in zip(table.week_hours, table.week_minutes, strict=True):
        totals += [hours, minutes]
    totals += [table.total_hours, table.total_minutes]
    writer.writerow(totals)
    return out.getvalue()
