"""xAPI learning records, sent to a real LRS (Ralph, file-system backend) and read back by its
xAPI GET API: registrations on publish, attendance, follow-up lessons, quiz answers and
check-ins; one statement per event however often it is recorded or sent; nothing lost while
the LRS is down."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.followups.delivery import send_due_nudges
from scheduler.followups.learning import Submission, record_submission
from scheduler.followups.operations import mark_attendance
from scheduler.learning_records.sending import send_pending_statements
from scheduler.learning_records.tasks import drain
from scheduler.models import LearningRecord, ScheduledSession, StatementStatus, StepKind, StepStatus
from tests.drafts import utc
from tests.followup_world import follow_up_world, publish_plan, steps_of
from tests.lrs_server import PASSWORD, USER, start_lrs

FIRST, LAST = utc(2027, 3, 3, 9), utc(2027, 3, 10, 9)
ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def lrs(tmp_path):
    """A fresh LRS per test: each test's statements reuse the same ids (the same world)."""
    server = start_lrs(tmp_path / "ralph")
    yield server
    server.stop()


@pytest.fixture
def xapi_app(app, lrs):
    app.config.update(XAPI_ENDPOINT=lrs.url, XAPI_USERNAME=USER, XAPI_PASSWORD=PASSWORD)
    return app


def queued(event: str | None = None) -> int:
    query = select(func.count()).select_from(LearningRecord)
    if event:
        query = query.where(LearningRecord.event == event)
    return db.session.scalar(query)


def by_id(lrs, statement_id: str) -> dict:
    [statement] = lrs.statements(statementId=statement_id)
    return statement


def test_publishing_registers_every_learner_for_every_session_once(xapi_app, lrs):
    with xapi_app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        assert queued("registered") == 4  # two learners, two sessions
        assert drain().sent == 4
        row = db.session.scalars(
            select(LearningRecord).where(LearningRecord.event == "registered")
        ).first()
        stored = by_id(lrs, row.statement_id)
        sent = json.loads(row.statement)
        assert stored["verb"]["id"] == ADL + "registered"
        assert stored["actor"]["mbox"] in (
            f"mailto:{w['london'].email}",
            f"mailto:{w['new_york'].email}",
        )
        assert (
            stored["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/meeting"
        )
        parent = stored["context"]["contextActivities"]["parent"][0]
        assert parent["definition"]["name"]["en"] == w["program"].name
        assert stored["object"] == sent["object"]

        # The same publish seen again, and a second send, add nothing anywhere.
        from scheduler.learning_records.operations import queue_registrations
        from scheduler.planning.versions import published_version

        assert queue_registrations(published_version(w["period"])) == 0
        for row in db.session.scalars(select(LearningRecord)):
            row.status = StatementStatus.PENDING  # as if the worker crashed before marking
        db.session.commit()
        assert drain().sent == 4
        mine = lrs.statements(
            verb=ADL + "registered", agent=json.dumps({"mbox": f"mailto:{w['london'].email}"})
        )
        assert len(mine) == 2


def test_attendance_and_no_shows_are_recorded(xapi_app, lrs):
    with xapi_app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        session = db.session.scalars(
            select(ScheduledSession).order_by(ScheduledSession.start)
        ).first()
        mark_attendance(
            session, {w["london"].id: True, w["new_york"].id: False}, w["coordinator"], FIRST
        )
        db.session.commit()
        mark_attendance(
            session, {w["london"].id: True, w["new_york"].id: False}, w["coordinator"], FIRST
        )
        db.session.commit()  # saved again unchanged: no new statement
        assert (queued("attended"), queued("missed")) == (1, 1)
        drain()
        attended = lrs.statements(verb=ADL + "attended")
        assert [s["actor"]["mbox"] for s in attended] == [f"mailto:{w['london'].email}"]
        missed = lrs.statements(verb="http://id.tincanapi.com/verb/skipped")
        assert [s["actor"]["mbox"] for s in missed] == [f"mailto:{w['new_york'].email}"]
        assert missed[0]["result"]["completion"] is False


def test_a_completed_lesson_and_its_quiz_are_recorded_with_score_and_success(xapi_app, lrs):
    with xapi_app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))
        step = next(s for s in steps_of(w["london"]) if s.status == StepStatus.SENT)
        assert step.kind == StepKind.LESSON
        question = step.lesson.questions[0]
        assert record_submission(
            step, Submission(chosen={question.id: {0}}, seconds=240), utc(2027, 3, 11, 17)
        )
        drain()
        mine = lrs.statements(agent=json.dumps({"mbox": f"mailto:{w['london'].email}"}))
        completed = [s for s in mine if s["verb"]["id"] == ADL + "completed"]
        answered = [s for s in mine if s["verb"]["id"] == ADL + "answered"]
        assert completed[0]["object"]["definition"]["name"]["en"] == step.lesson.title
        assert completed[0]["result"]["duration"] == "PT240S"
        assert (
            answered[0]["result"]["score"]["scaled"] == 1.0
            and answered[0]["result"]["success"] is True
        )


def test_a_check_in_is_recorded_with_its_day(xapi_app, lrs):
    with xapi_app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        check_in = next(s for s in steps_of(w["new_york"]) if s.kind == StepKind.CHECK_IN)
        check_in.status = StepStatus.SENT
        db.session.commit()
        submission = Submission(self_report="I use it daily", confidence=4)
        assert record_submission(check_in, submission, check_in.due_at)
        drain()
        [stored] = [
            s
            for s in lrs.statements(agent=json.dumps({"mbox": f"mailto:{w['new_york'].email}"}))
            if s["verb"]["id"] == ADL + "completed"
        ]
        assert stored["object"]["definition"]["name"]["en"].endswith(
            f"{check_in.day_offset}-day check-in"
        )
        assert (
            stored["object"]["definition"]["type"]
            == "http://adlnet.gov/expapi/activities/interaction"
        )


def test_nothing_is_lost_while_the_lrs_is_down(app, tmp_path):
    with app.app_context():
        down = start_lrs(tmp_path / "ralph-down")
        port = down.url.split(":")[2].split("/")[0]
        down.stop()  # the LRS is down from the start
        app.config.update(XAPI_ENDPOINT=down.url, XAPI_USERNAME=USER, XAPI_PASSWORD=PASSWORD)
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        report = send_pending_statements()
        assert (report.sent, report.waiting) == (0, 4)
        rows = db.session.scalars(select(LearningRecord)).all()
        assert all(r.status == StatementStatus.PENDING and r.attempts == 1 for r in rows)
        assert all("cannot be reached" in r.last_error for r in rows)
        assert all(r.next_attempt_at > r.created_at for r in rows)  # backed off

        back = start_lrs(tmp_path / "ralph-down", port=int(port))  # same LRS, back up
        try:
            for row in rows:
                row.next_attempt_at = row.created_at  # the back-off has passed
            db.session.commit()
            assert drain().sent == 4
            assert len(back.statements(verb=ADL + "registered")) == 4
        finally:
            back.stop()


def test_a_statement_the_lrs_refuses_is_failed_alone_and_shown_to_the_coordinator(
    xapi_app, lrs, client, auth
):
    with xapi_app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        bad = db.session.scalars(select(LearningRecord)).first()
        broken = json.loads(bad.statement) | {"actor": {"objectType": "Agent", "name": "nobody"}}
        bad.statement = json.dumps(broken)
        db.session.commit()
        bad_id = bad.statement_id
        report = send_pending_statements()
        assert (report.sent, report.refused) == (3, 1)
        assert (
            db.session.scalar(
                select(LearningRecord.status).where(LearningRecord.statement_id == bad_id)
            )
            == StatementStatus.FAILED
        )
    auth.login("coord@example.com")
    page = client.get("/learning-records").get_data(as_text=True)
    assert "the LRS answered 422" in page and "Send failed statements again" in page
    assert client.post("/learning-records/retry").status_code == 302
    with xapi_app.app_context():
        assert (
            db.session.scalar(
                select(LearningRecord.status).where(LearningRecord.statement_id == bad_id)
            )
            == StatementStatus.PENDING
        )


def test_people_can_be_identified_by_account_instead_of_e_mail(xapi_app, lrs):
    xapi_app.config["XAPI_ACCOUNT_HOMEPAGE"] = "https://hr.example.com"
    with xapi_app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        drain()
        account = {"homePage": "https://hr.example.com", "name": w["london"].key}
        mine = lrs.statements(agent=json.dumps({"account": account}))
        assert len(mine) == 2 and "mbox" not in mine[0]["actor"]


def test_without_an_lrs_nothing_is_queued(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        assert queued() == 0


def test_only_coordinators_see_learning_records(app, client, auth):
    with app.app_context():
        follow_up_world()
        db.session.commit()
    auth.login("fac-a@example.com")
    assert client.get("/learning-records").status_code == 403
    assert client.post("/learning-records/retry").status_code == 403
