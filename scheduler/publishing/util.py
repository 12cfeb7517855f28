"""Reads of the publishing area: what a publish would send, a publish job's state in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import select

from scheduler.calendars.invite_mail import Change, notice_subject, notice_text
from scheduler.calendars.invites import cancel_notice, decide_invites, request_notice
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import JobStatus, PlanningPeriod, PublishJob, ScheduleVersion
from scheduler.planning.publishing import carried_sequences
from scheduler.planning.versions import published_version

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
#: A publish running longer than this has lost its worker (the demo's takes about 12 s).
DEFAULT_TIMEOUT = 900


@dataclass
class Example:
    """One rendered message, as its recipient will read it."""

    to: str
    subject: str
    body: str


@dataclass
class Mailing:
    """What publishing a draft would send: people per kind of message, messages, examples."""

    people: dict[Change, int] = field(default_factory=dict)
    recipients: int = 0
    messages: int = 0
    examples: dict[Change, Example] = field(default_factory=dict)


def mailing(draft: ScheduleVersion, now: datetime | None = None) -> Mailing:
    """What publishing ``draft`` now would send, from the same invite-ledger comparison the
    publish runs (``calendars.invites.decide_invites``), with the SEQUENCEs the publish would
    give the sessions. Reads only."""
    now = now or utcnow()
    period = draft.period
    sequences = carried_sequences(published_version(period), draft)
    attendees, decisions = decide_invites(period, draft, now, sequences)
    kinds: dict[Change, set] = {change: set() for change in Change}
    per_person: dict = {}
    result = Mailing()
    for decision in decisions:
        kinds[decision.change].add(decision.key)
        per_person[decision.key] = per_person.get(decision.key, 0) + 1
        if decision.change not in result.examples:
            result.examples[decision.change] = _example(decision, attendees[decision.key])
    result.people = {change: len(keys) for change, keys in kinds.items()}
    result.recipients = len(per_person)
    # One message per session and, beside several, one summary (``invite_mail.queue_notices``).
    result.messages = sum(n + (1 if n > 1 else 0) for n in per_person.values())
    return result


def _example(decision, attendee) -> Example:
    if decision.change == Change.CANCEL:
        notice = cancel_notice(decision, attendee, decision.record.sequence + 1)
    else:
        notice, _ = request_notice(decision.session, attendee, decision.record)
    return Example(
        attendee.email,
        notice_subject(notice, attendee.timezone),
        notice_text(attendee.name, notice, attendee.timezone),
    )


def active_job(period: PlanningPeriod) -> PublishJob | None:
    """The period's queued or running publish, if any (there is at most one)."""
    return db.session.scalar(
        select(PublishJob)
        .where(PublishJob.period_id == period.id, PublishJob.status.in_(ACTIVE))
        .order_by(PublishJob.id.desc())
        .limit(1)
    )


def lost_jobs() -> list[PublishJob]:
    """Running jobs started longer ago than ``PUBLISH_JOB_TIMEOUT`` seconds: their worker stopped.
    (A publish is one transaction, so a job cannot beat while it runs, as a solve does.)"""
    seconds = current_app.config.get("PUBLISH_JOB_TIMEOUT", DEFAULT_TIMEOUT)
    cutoff = utcnow() - timedelta(seconds=seconds)
    return list(
        db.session.scalars(
            select(PublishJob).where(
                PublishJob.status == JobStatus.RUNNING, PublishJob.started_at < cutoff
            )
        )
    )


def recent_jobs(period: PlanningPeriod, limit: int = 5) -> list[PublishJob]:
    return list(
        db.session.scalars(
            select(PublishJob)
            .where(PublishJob.period_id == period.id)
            .order_by(PublishJob.id.desc())
            .limit(limit)
        )
    )


def summary(job: PublishJob) -> str:
    """What happened to a publish job, in a sentence."""
    number = job.version.number
    if job.status == JobStatus.QUEUED:
        return f"Version {number} is waiting for a worker to publish it."
    if job.status == JobStatus.RUNNING:
        return f"Publishing version {number}: writing the invitations."
    if job.status == JobStatus.FINISHED:
        replaced = f", replacing version {job.replaced_number}" if job.replaced_number else ""
        plural = "s" if job.messages != 1 else ""
        return (
            f"Version {number} published{replaced}; invitations are on their way "
            f"({job.messages} message{plural} queued)."
        )
    return job.error or "Failed: nothing was published."


def status_document(job: PublishJob) -> dict:
    """The job's state as the status page's script reads it."""
    started = job.started_at
    end = job.finished_at or utcnow()
    return {
        "id": job.id,
        "status": job.status.value,
        "active": job.status.active,
        "summary": summary(job),
        "elapsed_seconds": round((end - started).total_seconds(), 1) if started else 0.0,
        "messages": job.messages,
        "period_url": url_for("planning.show", period_id=job.period_id),
    }
