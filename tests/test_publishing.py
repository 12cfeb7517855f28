"""Publishing from the page: the confirmation (who gets which mail, read from the same invite
ledger comparison the publish runs; what moves; stale drafts refused), the publish job (queued,
run by a worker, all or nothing when it fails mid-way, a lost worker), and access."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from scheduler.calendars.invite_mail import Change
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    CohortMember,
    InviteRecord,
    JobStatus,
    PlanningPeriod,
    PublishJob,
    Role,
    ScheduledSection,
    ScheduleVersion,
    VersionStatus,
)
from scheduler.planning.publishing import publish
from scheduler.planning.versions import published_version
from scheduler.publishing.operations import LOST_WORKER
from scheduler.publishing.util import mailing
from tests.calendar_world import first_plan, make_world, outbox, publish_plan
from tests.drafts import Planned, store_draft, utc
from tests.factories import create_learner, create_user
from tests.publish_jobs import publish_from_the_page, run_queued_publishes
from tests.test_learners import count_queries

NOW = utc(2027, 3, 1, 12)
PASSWORD = "correct horse battery"  # the factories' default


@pytest.fixture
def world(app, monkeypatch):
    """The calendar tests' organisation with ``first_plan`` published; its period's id."""
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    monkeypatch.setattr("scheduler.publishing.util.utcnow", lambda: NOW)
    with app.app_context():
        w = make_world()
        publish_plan(w, first_plan(w))
        period_id = w.period.id
        db.session.remove()  # no transaction held while the test runs
    return {"period": period_id}


def replan(o) -> list[Planned]:
    """S1's second session moves; S2 changes facilitator from Ben to Ana."""
    return [
        Planned(
            "S1",
            o["program"],
            [(o["london"], 3)],
            [
                (utc(2027, 3, 16, 9), o["ana"], o["thames"]),
                (utc(2027, 4, 6, 8), o["ana"], o["thames"]),
            ],
        ),
        Planned(
            "S2",
            o["program"],
            [(o["leeds"], 1)],
            [
                (utc(2027, 3, 17, 9), o["ana"], o["aire"]),
                (utc(2027, 3, 24, 9), o["ana"], o["aire"]),
            ],
        ),
    ]


def make_draft(app, sections=replan) -> int:
    with app.app_context():
        period = db.session.scalars(select(PlanningPeriod)).one()
        o = make_world_objects()
        draft = store_draft(period, sections(o))
        db.session.commit()
        return draft.id


def make_world_objects() -> dict:
    """The world's objects again, in this session, by their names."""
    from scheduler.models import Cohort, Facilitator, Program, Room

    facilitators = {f.name: f for f in db.session.scalars(select(Facilitator))}
    rooms = {r.name: r for r in db.session.scalars(select(Room))}
    cohorts = {c.key: c for c in db.session.scalars(select(Cohort))}
    return {
        "program": db.session.scalars(select(Program)).one(),
        "london": cohorts["fire-london"],
        "leeds": cohorts["fire-leeds"],
        "ana": facilitators["Ana Duarte"],
        "ben": facilitators["Ben Okafor"],
        "thames": rooms["Thames room"],
        "aire": rooms["Aire room"],
    }


@pytest.fixture
def coordinator(client, auth, world):
    auth.login("coord@example.com")
    return client


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def words(response) -> str:
    """The page's text as read: no tags, one space between words."""
    return " ".join(re.sub(r"<[^>]+>", " ", page(response)).split())


def ledger() -> list[tuple]:
    rows = db.session.scalars(select(InviteRecord).order_by(InviteRecord.id))
    return [(r.uid, r.facilitator_id, r.learner_id, r.method, r.sequence) for r in rows]


# --- the confirmation ---------------------------------------------------------------------------


def test_the_confirmation_counts_what_the_publish_then_sends(app, world, coordinator):
    draft_id = make_draft(app)
    with app.app_context():
        before = {row.id for row in outbox()}
        ledger_before = ledger()
        predicted = mailing(db.session.get(ScheduleVersion, draft_id))
        # Reading wrote nothing.
        assert {row.id for row in outbox()} == before and ledger() == ledger_before
    # Ana gains S2 (2 invitations) and her moved session (an update); the London learners get
    # the move, Sam his new facilitator, Ben two cancellations; summaries beside several.
    assert predicted.people == {Change.NEW: 1, Change.UPDATE: 5, Change.CANCEL: 1}
    assert (predicted.recipients, predicted.messages) == (6, 13)

    shown = words(coordinator.get(f"/planning/versions/{draft_id}/publish"))
    assert "Publishing sends 13 messages to 6 people" in shown
    assert "1 get invitations to new sessions" in shown
    assert "5 get updates of sessions that changed" in shown
    assert "1 get cancellations of sessions they no longer attend" in shown
    assert "3 sessions move, 0 added, 0 cancelled, 1 unchanged" in shown
    # One rendered example of each mail.
    assert "Subject: Cancelled: Fire safety" in shown and "To: ben@example.com" in shown
    assert "Subject: Invitation: Fire safety" in shown
    assert "Subject: Updated: Fire safety (1/2), now Wed 17 Mar 09:00 GMT" in shown
    assert "has changed: new facilitator: Ana Duarte" in shown
    assert "Publish version 2 and send 13 messages" in shown

    publish_from_the_page(coordinator, app, draft_id)
    with app.app_context():
        sent = [row for row in outbox() if row.id not in before]
        assert len(sent) == predicted.messages
        kinds: dict[str, set] = {"Invitation": set(), "Updated": set(), "Cancelled": set()}
        for row in sent:
            kind = row.subject.split(":")[0]
            if kind in kinds:
                kinds[kind].add(row.recipient)
        assert {kind: len(people) for kind, people in kinds.items()} == {
            change.value: count for change, count in predicted.people.items()
        }
        assert kinds["Cancelled"] == {"ben@example.com"}


def test_a_stale_draft_is_refused_on_the_confirmation_and_when_confirmed(app, world, coordinator):
    stale = make_draft(app)
    current = make_draft(app)
    with app.app_context():
        db.session.get(ScheduleVersion, stale).period_version = 0  # made before the publish
        db.session.get(ScheduleVersion, current).period_version = 1
        db.session.commit()
    shown = page(coordinator.get(f"/planning/versions/{stale}/publish"))
    assert 'id="publish-refused"' in shown
    shown = words(coordinator.get(f"/planning/versions/{stale}/publish"))
    assert "Someone published or changed this plan since you opened it." in shown
    assert "Solve again to get a current draft." in shown
    assert "and send" not in shown  # no Publish button
    response = coordinator.post(f"/planning/versions/{stale}/publish")
    assert response.headers["Location"] == f"/planning/versions/{stale}"
    assert run_queued_publishes(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(PublishJob.id))) == 0
        assert db.session.get(ScheduleVersion, stale).status == VersionStatus.DRAFT
    assert 'id="confirm-publish"' in page(coordinator.get(f"/planning/versions/{current}/publish"))


def test_confirming_without_the_csrf_token_publishes_nothing(csrf_app, monkeypatch):
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    with csrf_app.app_context():
        w = make_world()
        draft = store_draft(w.period, first_plan(w))
        db.session.commit()
        draft_id = draft.id
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login"))
    client.post(
        "/login", data={"email": "coord@example.com", "password": PASSWORD, "csrf_token": token}
    )
    response = client.post(f"/planning/versions/{draft_id}/publish")
    assert response.status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count(PublishJob.id))) == 0
    token = csrf_token(client.get(f"/planning/versions/{draft_id}/publish"))
    response = client.post(f"/planning/versions/{draft_id}/publish", data={"csrf_token": token})
    assert response.headers["Location"].startswith("/publish-jobs/")


def csrf_token(response) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page(response)).group(1)


def test_only_coordinators_reach_the_confirmation_and_the_job(app, world, client, auth):
    draft_id = make_draft(app)
    with app.app_context():
        create_user(Role.FACILITATOR, email="fac@example.com")
        db.session.commit()
    auth.login("fac@example.com")
    assert client.get(f"/planning/versions/{draft_id}/publish").status_code == 403
    assert client.post(f"/planning/versions/{draft_id}/publish").status_code == 403
    assert client.get("/publish-jobs/1").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(PublishJob.id))) == 0


# --- the job ------------------------------------------------------------------------------------


def test_the_job_page_shows_the_publish_queued_then_done(app, world, coordinator):
    draft_id = make_draft(app)
    response = coordinator.post(f"/planning/versions/{draft_id}/publish")
    job_url = response.headers["Location"]
    status = coordinator.get(f"{job_url}/status").get_json()
    assert (status["status"], status["active"]) == ("queued", True)
    assert "waiting for a worker" in status["summary"]
    assert "publish-progress.js" in page(coordinator.get(job_url))
    # A second confirmation meanwhile is refused: one publish of a period at a time.
    assert 'id="publish-active"' in page(coordinator.get(f"/planning/versions/{draft_id}/publish"))
    run_queued_publishes(app)
    status = coordinator.get(f"{job_url}/status").get_json()
    assert (status["status"], status["active"]) == ("finished", False)
    assert status["summary"] == (
        "Version 2 published, replacing version 1; invitations are on their way "
        "(13 messages queued)."
    )
    period_page = page(coordinator.get(f"/planning/{world['period']}"))
    assert 'id="publish-jobs"' in period_page and "replacing version 1" in period_page


def test_a_job_failing_mid_way_leaves_the_published_plan_outbox_and_ledger_as_they_were(
    app, world, coordinator, monkeypatch
):
    draft_id = make_draft(app)
    with app.app_context():
        period = db.session.get(PlanningPeriod, world["period"])
        first = published_version(period).id
        before = (len(outbox()), ledger(), period.version)
    queued = []
    from scheduler.calendars import invites

    real = invites.queue_notices

    def fail_on_the_third_person(**kwargs):
        queued.append(kwargs["email"])
        if len(queued) == 3:  # two people's messages are already in the transaction
            raise ConnectionError("the mail composer crashed")
        return real(**kwargs)

    monkeypatch.setattr(invites, "queue_notices", fail_on_the_third_person)
    response = publish_from_the_page(coordinator, app, draft_id)
    assert len(queued) == 3
    with app.app_context():
        job = db.session.get(PublishJob, int(response.headers["Location"].rsplit("/", 1)[1]))
        assert job.status == JobStatus.FAILED
        assert "the mail composer crashed" in job.error
        assert "the last published schedule is unchanged" in job.error
        period = db.session.get(PlanningPeriod, world["period"])
        assert published_version(period).id == first
        assert db.session.get(ScheduleVersion, draft_id).status == VersionStatus.DRAFT
        assert (len(outbox()), ledger(), period.version) == before
    shown = page(coordinator.get(response.headers["Location"]))
    assert "the mail composer crashed" in shown and "Back to the confirmation" in shown
    # Fixed, the same draft publishes.
    monkeypatch.setattr(invites, "queue_notices", real)
    publish_from_the_page(coordinator, app, draft_id)
    with app.app_context():
        assert db.session.get(ScheduleVersion, draft_id).status == VersionStatus.PUBLISHED


def test_a_job_whose_worker_stopped_is_failed_unless_its_publish_committed(app, world, coordinator):
    draft_id = make_draft(app)
    long_ago = utcnow() - timedelta(hours=2)
    with app.app_context():
        lost = PublishJob(
            period_id=world["period"], version_id=draft_id, status=JobStatus.RUNNING,
            started_at=long_ago,
        )  # fmt: skip
        done = PublishJob(
            period_id=world["period"], version_id=1, status=JobStatus.RUNNING, started_at=long_ago
        )
        db.session.add_all([lost, done])
        db.session.commit()
        lost_id, done_id = lost.id, done.id
    assert coordinator.get(f"/publish-jobs/{lost_id}/status").get_json()["summary"] == LOST_WORKER
    with app.app_context():
        assert db.session.get(PublishJob, lost_id).status == JobStatus.FAILED
        # Version 1 was published: that job's publish committed before its worker stopped.
        assert db.session.get(PublishJob, done_id).status == JobStatus.FINISHED
    # The period is free again: the draft can be confirmed.
    assert 'id="confirm-publish"' in page(coordinator.get(f"/planning/versions/{draft_id}/publish"))


def test_the_first_publish_counts_everyone_as_invited(app, monkeypatch):
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    monkeypatch.setattr("scheduler.publishing.util.utcnow", lambda: NOW)
    with app.app_context():
        w = make_world()
        draft = store_draft(w.period, first_plan(w))
        db.session.commit()
        predicted = mailing(draft)
        assert predicted.people == {Change.NEW: 6, Change.UPDATE: 0, Change.CANCEL: 0}
        assert set(predicted.examples) == {Change.NEW}
        publish(draft, w.coordinator)
        assert len(outbox()) == predicted.messages
        recipients = Counter(row.recipient for row in outbox())
        assert len(recipients) == predicted.recipients


def test_the_confirmation_reads_in_a_fixed_number_of_statements_however_many_cancellations(
    app, world, coordinator
):
    """Cancellations are looked up together, not one query per cancelled session or person:
    S2 dropped cancels Ben's and Sam's sessions; one London learner less in S1 cancels theirs
    too (both drafts cancel sessions of a facilitator and of learners)."""

    def fewer_in_s1(o) -> list[Planned]:
        return [dataclasses.replace(replan(o)[0], cohorts=[(o["london"], 2)])]

    drafts = {"few": lambda o: replan(o)[:1], "many": fewer_in_s1}
    counts, cancelled = {}, {}
    for name, sections in drafts.items():
        draft_id = make_draft(app, sections)  # the newest draft: the other one is now stale
        with count_queries(app) as statements:
            response = coordinator.get(f"/planning/versions/{draft_id}/publish")
        assert response.status_code == 200
        assert 'id="confirm-publish"' in page(response)
        counts[name] = statements["n"]
        with app.app_context():
            found = mailing(db.session.get(ScheduleVersion, draft_id))
            cancelled[name] = found.people[Change.CANCEL]
    assert cancelled["many"] > cancelled["few"]
    assert counts["many"] <= counts["few"], counts


def test_the_confirmation_reads_as_many_statements_for_more_learners(app, world, coordinator):
    """The diff and the mail count read every seat and learner of the draft: in one go, not one
    query per section and per learner."""
    counts = {}
    few_id = make_draft(app)
    with count_queries(app) as statements:
        assert coordinator.get(f"/planning/versions/{few_id}/publish").status_code == 200
    counts["few"] = statements["n"]
    with app.app_context():
        london = db.session.scalar(select(Cohort).where(Cohort.key == "fire-london"))
        for k in range(5):
            learner = create_learner(london.site, email=f"extra{k}@example.com")
            london.members.append(CohortMember(learner=learner))
        db.session.commit()

    def more(o) -> list[Planned]:
        sections = replan(o)
        return [dataclasses.replace(sections[0], cohorts=[(o["london"], 8)]), sections[1]]

    many_id = make_draft(app, more)
    with count_queries(app) as statements:
        response = coordinator.get(f"/planning/versions/{many_id}/publish")
    assert "3 sessions move" in words(response)
    counts["many"] = statements["n"]
    with app.app_context():
        seats = db.session.scalars(
            select(ScheduledSection).where(ScheduledSection.version_id == many_id)
        )
        assert sum(len(section.seats) for section in seats) == 8 + 1
    assert counts["many"] <= counts["few"], counts
