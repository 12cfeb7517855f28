"""Two coordinators confirm Publish on the same draft at the same moment: exactly one publish
job is queued, the other is refused with the reason, a replayed job publishes once, and the
invitations, follow-up steps, invite ledger and audit entry exist once, as many as one publish
on its own writes."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import (
    AuditEntry,
    FollowUpStep,
    InviteRecord,
    OutboxMessage,
    PlanningPeriod,
    Role,
    ScheduleVersion,
    User,
    VersionStatus,
)
from scheduler.planning.publishing import PublishRefused, publish
from tests.conftest import _empty_all_tables
from tests.drafts import Planned, store_draft, utc
from tests.factories import create_user
from tests.followup_world import follow_up_world
from tests.publish_jobs import run_queued_publishes
from tests.test_concurrent_moves import race, signed_in

#: What the loser may be told. SQLite lets one writing request in at a time, so the loser reads
#: the draft after the winner's commit ("already published"); on PostgreSQL both read it as a
#: draft and the loser waits on the period's row lock, then finds the period's version moved on.
REFUSALS = (
    "Version 1 is already published: nothing to do.",
    "Someone published or changed this plan since you opened it.",
)


def world_with_a_draft() -> tuple[int, int]:
    """The follow-up world (two learners, a facilitator, the default follow-up template) with one
    draft of a two-session section in March 2027 and a second coordinator; committed. Returns
    (draft id, period id)."""
    w = follow_up_world()
    create_user(Role.COORDINATOR, email="ben@example.com", name="Ben Coordinator")
    draft = store_draft(
        w["period"],
        [
            Planned(
                "S1",
                w["program"],
                [(w["cohort"], 2)],
                [
                    (utc(2027, 3, 2, 9), w["facilitator"], w["room"]),
                    (utc(2027, 3, 9, 9), w["facilitator"], w["room"]),
                ],
            )
        ],
    )
    db.session.commit()
    return draft.id, w["period"].id


def footprint() -> dict[str, int]:
    """How many rows of each kind a publish writes exist now."""

    def count(column, *where) -> int:
        return db.session.scalar(select(func.count(column)).where(*where))

    return {
        "published versions": count(
            ScheduleVersion.id, ScheduleVersion.status == VersionStatus.PUBLISHED
        ),
        "outbox messages": count(OutboxMessage.id),
        "invite records": count(InviteRecord.id),
        "follow-up steps": count(FollowUpStep.id),
        "publish audit entries": count(AuditEntry.id, AuditEntry.action == "publish"),
        "period version": db.session.scalar(select(func.max(PlanningPeriod.version))),
    }


def test_two_coordinators_publishing_one_draft_at_once_publish_it_once(app):
    # The control: what one publish, on its own, writes for this world.
    with app.app_context():
        draft_id, _ = world_with_a_draft()
        coordinator = db.session.scalar(select(User).where(User.email == "coord@example.com"))
        publish(db.session.get(ScheduleVersion, draft_id), coordinator)
        one_publish = footprint()
        # Three attendees (the facilitator and two learners), each with a summary and one
        # invitation per session (two), and steps for both learners: the control really
        # measures the outbox and the follow-ups.
        assert one_publish["outbox messages"] == 9, one_publish
        assert one_publish["follow-up steps"] > 0 and one_publish["follow-up steps"] % 2 == 0
        assert one_publish["published versions"] == 1 and one_publish["period version"] == 1
        db.session.remove()
        _empty_all_tables()

    # The race: the same world again, and two coordinators confirm Publish together.
    with app.app_context():
        draft_id, period_id = world_with_a_draft()
        db.session.remove()  # this thread holds no connection or transaction meanwhile
    clients = [signed_in(app, "coord@example.com"), signed_in(app, "ben@example.com")]
    responses = race(
        [lambda c=client: c.post(f"/planning/versions/{draft_id}/publish") for client in clients]
    )

    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    # The winner follows its publish job; the loser stays on the draft, told why.
    where = sorted(r.headers["Location"] for r in responses)
    assert where[0] == f"/planning/versions/{draft_id}", where
    assert where[1].startswith("/publish-jobs/"), where
    job_page = where[1]
    loser = next(
        c for c, r in zip(clients, responses, strict=True)
        if r.headers["Location"] == f"/planning/versions/{draft_id}"
    )  # fmt: skip
    winner = clients[1 - clients.index(loser)]
    told = loser.get(f"/planning/versions/{draft_id}").get_data(as_text=True)
    assert "Version 1 of Spring is already being published" in told, told

    # A worker gets the one queued job, and a replayed delivery of it changes nothing.
    assert run_queued_publishes(app, times=2) == 1
    assert "Version 1 published; invitations are on their way" in winner.get(job_page).get_data(
        as_text=True
    )
    with app.app_context():
        assert footprint() == one_publish
        assert db.session.get(ScheduleVersion, draft_id).status == VersionStatus.PUBLISHED
        recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
        assert set(Counter(recipients).values()) == {3}, recipients  # each sent once
    # The one publish asked for the outbox to be sent at once.
    assert [task.name for task in queue.huey(app).pending()] == ["calendars.send_mail"]


def test_a_second_job_for_a_published_draft_fails_and_changes_nothing(app):
    """A cron ``plan publish`` publishes the draft while a page's job waits in the queue: the
    job, when a worker reaches it, is refused and writes nothing."""
    from scheduler.publishing.operations import create_job
    from scheduler.publishing.tasks import run_publish_job

    with app.app_context():
        draft_id, _ = world_with_a_draft()
        coordinator = db.session.scalar(select(User).where(User.email == "coord@example.com"))
        waiting = create_job(db.session.get(ScheduleVersion, draft_id), coordinator)
        # The queued job holds the period: the command line is refused too, until it ends ...
        with pytest.raises(PublishRefused, match="already being published"):
            create_job(db.session.get(ScheduleVersion, draft_id), None)
        # ... so the draft is published behind its back directly.
        publish(db.session.get(ScheduleVersion, draft_id), coordinator)
        after_one = footprint()
        job = run_publish_job(waiting)
        assert job.status.value == "failed"
        assert job.error.startswith("Version 1 is already published: nothing to do.")
        assert footprint() == after_one
