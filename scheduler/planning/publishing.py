"""Publish a draft: atomically, once, and only if nothing changed since it was made.

The optimistic check is a conditional UPDATE of the period's ``version`` counter: of two
coordinators publishing at the same moment, the database lets exactly one UPDATE match; the
other publish changes nothing and is refused. Pins, moves and locks bump the counter too, so a
draft made before them cannot be published over them.

Other parts of the app (calendar invites, follow-up sequences) subscribe to
``schedule_published``; it is sent after the new version is in place, inside the same
transaction, so what they write commits or rolls back with the publish.
"""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy import update

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import PlanningPeriod, ScheduleVersion, User, VersionStatus
from scheduler.planning.locking import lock_period
from scheduler.planning.versions import published_version

signals = Namespace()
#: Sent as ``schedule_published.send(period, version=new, previous=old_or_None)``.
schedule_published = signals.signal("schedule-published")


class PublishRefused(Exception):
    """The draft cannot be published; the message says why, for the coordinator."""


#: The refusal of a draft the plan moved past (the page shows it, so does a late publish).
STALE = (
    "Someone published or changed this plan since you opened it. "
    "Nothing was changed; review the current plan and try again."
)


def bump_period_version(period: PlanningPeriod, expected: int) -> None:
    """Advance the period's version from ``expected``; refuse if someone else advanced it first."""
    result = db.session.execute(
        update(PlanningPeriod)
        .where(PlanningPeriod.id == period.id, PlanningPeriod.version == expected)
        .values(version=expected + 1)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise PublishRefused(STALE + _latest_change(period))
    db.session.refresh(period)


def refusal(draft: ScheduleVersion) -> str | None:
    """Why ``draft`` cannot be published now (None: it can), for the confirmation page and the
    queueing of a publish: the same reasons as ``publish`` gives, stale drafts included."""
    reason = _status_refusal(draft)
    if reason is None and draft.period_version != draft.period.version:
        reason = STALE + _latest_change(draft.period)
    return reason


def _status_refusal(draft: ScheduleVersion) -> str | None:
    if draft.status == VersionStatus.PUBLISHED:  # e.g. a second coordinator pressed Publish too
        return f"Version {draft.number} is already published: nothing to do." + _latest_change(
            draft.period
        )
    if draft.status != VersionStatus.DRAFT:
        return f"Version {draft.number} is not a draft."
    if draft.solver_status not in ("optimal", "feasible"):
        return f"Version {draft.number} has no schedule to publish."
    return None


def _latest_change(period: PlanningPeriod) -> str:
    """A sentence naming the period's latest change in the audit log (who, when, what), to tell a
    coordinator who got there first; empty when there is none."""
    from scheduler.audit.util import last_change  # the audit area imports this module

    latest = last_change(period.id)
    return f" Latest change: {latest}." if latest else ""


def publish(draft: ScheduleVersion, user: User | None) -> ScheduleVersion | None:
    """Make ``draft`` the published schedule of its period and commit; return the version it replaced.

    ``user`` is who published (None: a command run by an administrator, not in anyone's name).

    Refused when the draft is not a draft, has no schedule, or the period changed since the
    draft was made (another publish, a pin, a move).
    """
    period = draft.period
    lock_period(period.id)  # a second publisher waits here, then sees the first one's bump
    reason = _status_refusal(draft)
    if reason is not None:
        raise PublishRefused(reason)
    bump_period_version(period, draft.period_version)
    previous = published_version(period)
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        _carry_sequences(previous, draft)
        db.session.flush()  # one published version at a time, even inside the transaction
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = utcnow()
    draft.published_by_id = user.id if user is not None else None
    db.session.flush()
    schedule_published.send(period, version=draft, previous=previous)
    db.session.commit()
    return previous


def _carry_sequences(previous: ScheduleVersion, draft: ScheduleVersion) -> None:
    """A session that keeps its uid keeps its SEQUENCE, plus one if it changed (RFC 5545)."""
    sequences = carried_sequences(previous, draft)
    for section in draft.sections:
        for session in section.sessions:
            session.sequence = sequences[session.uid]


def carried_sequences(previous: ScheduleVersion | None, draft: ScheduleVersion) -> dict[str, int]:
    """The SEQUENCE of each of ``draft``'s sessions (by uid) once it replaces ``previous``:
    the published one's, plus one if the session changed; its own when new. Writes nothing (the
    publish confirmation reads it too)."""
    before = (
        {s.uid: s for section in previous.sections for s in section.sessions}
        if previous is not None
        else {}
    )
    sequences = {}
    for section in draft.sections:
        for session in section.sessions:
            old = before.get(session.uid)
            if old is None:
                sequences[session.uid] = session.sequence
                continue
            changed = (old.start, old.end, old.facilitator_id, old.room_id) != (
                session.start,
                session.end,
                session.facilitator_id,
                session.room_id,
            )
            sequences[session.uid] = old.sequence + (1 if changed else 0)
    return sequences
