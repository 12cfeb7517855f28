"""The coordinator's alerts on the home page: what needs attention now, each with a link.

Each kind of alert is one small function registered with ``@alert``: it reads what it needs and
returns its ``Alert`` list (empty when all is well). To add one, write the function here under
``@alert`` (or in its own area, importing ``alert`` from this module, and have that module
imported at start-up); nothing else changes. Functions run in the order they are registered,
so errors come before waiting work. Keep each to a few queries: the home page runs all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from sqlalchemy import func, select

from scheduler.calendars.util import published_sessions
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import (
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    PlanningPeriod,
    PublishJob,
    ScheduledSession,
    ScheduleVersion,
    SolveJob,
    VersionStatus,
    WaitingLearner,
)
from scheduler.sites.closed_days import closed_days


@dataclass(frozen=True)
class Alert:
    """One thing for the coordinator to look at: a sentence, and where to act on it."""

    message: str
    url: str | None = None
    action: str = ""  # the link's words ("Review it")
    level: str = "warning"  # "error" (something failed), "warning" (to do) or "info"


AlertCheck = Callable[[], list[Alert]]
ALERTS: list[AlertCheck] = []


def alert(check: AlertCheck) -> AlertCheck:
    """Register ``check`` as a kind of home-page alert."""
    ALERTS.append(check)
    return check


def coordinator_alerts() -> list[Alert]:
    """Every registered check's alerts, in registration order."""
    return [found for check in ALERTS for found in check()]


# --- failures -----------------------------------------------------------------------------------


@alert
def failed_solves() -> list[Alert]:
    """A period whose latest solve failed."""
    return [
        Alert(
            f"The last solve of {job.period.name} failed: {job.error}",
            url_for("solving.job", job_id=job.id),
            "See the job and retry",
            "error",
        )
        for job in _latest_jobs(SolveJob)
        if job.status == JobStatus.FAILED
    ]


@alert
def failed_publishes() -> list[Alert]:
    """A period whose latest publish failed (nothing was published or sent)."""
    return [
        Alert(
            f"Publishing version {job.version.number} of {job.period.name} failed: {job.error}",
            url_for("publishing.job", job_id=job.id),
            "See the job",
            "error",
        )
        for job in _latest_jobs(PublishJob)
        if job.status == JobStatus.FAILED
    ]


@alert
def failing_mail() -> list[Alert]:
    """Messages the outbox gave up on, or is retrying after errors."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id), func.max(OutboxMessage.id))
        .where(
            (OutboxMessage.status == OutboxStatus.FAILED)
            | ((OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.attempts > 0))
        )
        .group_by(OutboxMessage.status)
    ).all()
    found = []
    for status, count, newest in rows:
        error = db.session.scalar(
            select(OutboxMessage.last_error).where(OutboxMessage.id == newest)
        )
        plural = "s" if count != 1 else ""
        if status == OutboxStatus.FAILED:
            text = f"{count} e-mail{plural} could not be sent and will not be retried"
        else:
            text = f"{count} e-mail{plural} failed to send and {'is' if count == 1 else 'are'} being retried"
        found.append(Alert(f"{text} (latest error: {error or 'unknown'}).", level="error"))
    return found


# --- work waiting -------------------------------------------------------------------------------


@alert
def drafts_to_publish() -> list[Alert]:
    """A period's newest draft is newer than its published version and still current."""
    found = []
    for period, draft in _newest_drafts():
        if draft.period_version == period.version:
            found.append(
                Alert(
                    f"Version {draft.number} of {period.name} is a draft waiting to be published.",
                    url_for("publishing.confirm", version_id=draft.id),
                    "Review and publish",
                )
            )
    return found


@alert
def stale_drafts() -> list[Alert]:
    """A period's newest draft was made before the plan last changed: it cannot be published."""
    found = []
    for period, draft in _newest_drafts():
        if draft.period_version != period.version:
            found.append(
                Alert(
                    f"Version {draft.number} of {period.name} was made before the plan changed "
                    "(a publish, a pin or a move): it cannot be published. Solve again.",
                    url_for("planning.show", period_id=period.id),
                    "Go to the period",
                )
            )
    return found


@alert
def sessions_on_closed_days() -> list[Alert]:
    """Published sessions still ahead that fall on a public holiday or a closure of their site."""
    sessions = db.session.scalars(published_sessions().where(ScheduledSession.start > utcnow()))
    sessions = list(sessions)
    if not sessions:
        return []
    sites = {s.room.site.id: s.room.site for s in sessions if s.room is not None}
    # A day either side: a session's local date may differ from its UTC one.
    first = sessions[0].start.date() - timedelta(days=1)
    last = max(s.end for s in sessions).date() + timedelta(days=1)
    closed = closed_days(sites.values(), first, last)
    by_period: dict[int, list[tuple[ScheduledSession, date, str]]] = {}
    for session in sessions:
        site = session.room.site if session.room is not None else None
        zone = site.timezone if site is not None else session.section.version.period.timezone
        day = _local_date(session.start, zone)
        reason = closed.of_site(site.id if site else None, with_site_closures=site is not None)
        if day in reason:
            by_period.setdefault(session.section.version.period_id, []).append(
                (session, day, reason[day])
            )
    found = []
    for clashes in by_period.values():
        version = clashes[0][0].section.version
        names = [f"{name} ({day:%d %b})" for day, name in sorted({(d, n) for _, d, n in clashes})]
        found.append(
            Alert(
                f"{len(clashes)} published session{'s' if len(clashes) != 1 else ''} of "
                f"{version.period.name} {_falls(len(clashes))}: {', '.join(names[:5])}"
                f"{' and more' if len(names) > 5 else ''}.",
                url_for("adjustments.sessions", version_id=version.id),
                "Move them",
            )
        )
    return found


@alert
def waiting_learners() -> list[Alert]:
    """Learners who joined a cohort after publishing and found no seat."""
    count = db.session.scalar(select(func.count(WaitingLearner.id)))
    if not count:
        return []
    return [
        Alert(
            f"{count} learner{'s' if count != 1 else ''} wait for a seat: the next re-plan "
            "includes them.",
            url_for("planning.index"),
            "Plan",
            "info",
        )
    ]


@alert
def broken_sessions() -> list[Alert]:
    """Published sessions a later change made impossible (leave, availability, a closure).
    A hook: the broken-sessions work of issue 17 fills it in."""
    return []


@alert
def declined_sessions() -> list[Alert]:
    """Sessions a facilitator declined in their calendar. A hook: the invitation-replies work
    of issue 16 fills it in."""
    return []


@alert
def solves_running() -> list[Alert]:
    """A solve in progress, to follow."""
    return [
        Alert(
            f"A solve of {job.period.name} is {job.status.value}.",
            url_for("solving.job", job_id=job.id),
            "Follow it",
            "info",
        )
        for job in _latest_jobs(SolveJob)
        if job.status.active
    ]


# --- helpers ------------------------------------------------------------------------------------


def _latest_jobs(model) -> list:
    """Each period's newest job of ``model`` (SolveJob or PublishJob)."""
    newest = select(func.max(model.id)).group_by(model.period_id)
    return list(db.session.scalars(select(model).where(model.id.in_(newest)).order_by(model.id)))


def _newest_drafts() -> list[tuple[PlanningPeriod, ScheduleVersion]]:
    """Each period's newest version, when it is a draft newer than the published one and no
    publish of it is queued or running."""
    newest = select(func.max(ScheduleVersion.id)).group_by(ScheduleVersion.period_id)
    versions = db.session.scalars(select(ScheduleVersion).where(ScheduleVersion.id.in_(newest)))
    publishing = set(
        db.session.scalars(
            select(PublishJob.version_id).where(
                PublishJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))
            )
        )
    )
    return [
        (version.period, version)
        for version in versions
        if version.status == VersionStatus.DRAFT
        and version.solver_status in ("optimal", "feasible")
        and version.id not in publishing
    ]


def _falls(count: int) -> str:
    return "falls on a closed day" if count == 1 else "fall on closed days"


def _local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()
