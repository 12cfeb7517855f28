"""Follow-up pages: the learner's token page, attendance by the session's own facilitator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.followups.delivery import send_due_nudges
from scheduler.models import (
    Attendance,
    FollowUpStep,
    Learner,
    OutboxMessage,
    ScheduledSession,
    StepAnswer,
    StepStatus,
    WaitingLearner,
)
from tests.drafts import utc
from tests.followup_world import follow_up_world, publish_plan, steps_of, tokens_by_recipient
from tests.test_followups import FIRST, LAST


def _sent_world(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))
        tokens = tokens_by_recipient()
        return {
            "london": tokens[w["london"].email][0],
            "new_york": tokens[w["new_york"].email][0],
            "london_id": w["london"].id,
        }


def test_a_token_opens_only_its_own_learners_step(app, client):
    tokens = _sent_world(app)
    page = client.get(f"/follow-up/{tokens['london']}").get_data(as_text=True)
    assert "Lea London" in page and "Nia NewYork" not in page
    other = client.get(f"/follow-up/{tokens['new_york']}").get_data(as_text=True)
    assert "Nia NewYork" in other and "Lea London" not in other
    assert client.get("/follow-up/" + "x" * 43).status_code == 404
    assert client.get(f"/follow-up/{tokens['london'][:-1]}").status_code == 404


def test_answering_records_the_result_once(app, client):
    tokens = _sent_world(app)
    url = f"/follow-up/{tokens['london']}"
    with app.app_context():
        step = steps_of(db.session.get(Learner, tokens["london_id"]))[0]
        question_id = step.lesson.questions[0].id
    response = client.post(url, data={f"q{question_id}": "0", "started": "0"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Recorded" in page and "100 %" in page
    client.post(url, data={f"q{question_id}": "1"})  # a second submission changes nothing
    with app.app_context():
        done = db.session.get(FollowUpStep, step.id)
        assert done.status == StepStatus.DONE and done.score == 1.0
        assert done.seconds_spent is not None
        answers = db.session.scalars(select(StepAnswer).where(StepAnswer.step_id == step.id))
        assert [answer.correct for answer in answers] == [True]


def test_withdrawn_steps_have_no_live_link(app, client):
    tokens = _sent_world(app)
    with app.app_context():
        step = db.session.scalar(
            select(FollowUpStep).where(
                FollowUpStep.learner_id == tokens["london_id"], FollowUpStep.token_hash.is_not(None)
            )
        )
        step.status = StepStatus.WITHDRAWN
        db.session.commit()
    assert client.get(f"/follow-up/{tokens['london']}").status_code == 404
    assert client.get(f"/follow-up/{tokens['new_york']}").status_code == 200


def _session_world(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        session_id = db.session.scalar(select(ScheduledSession.id).order_by(ScheduledSession.id))
        return w["london"].id, session_id


def test_the_facilitator_marks_a_no_show_who_is_flagged_and_loses_pending_steps(
    app, client, auth, monkeypatch
):
    monkeypatch.setattr("scheduler.followups.routes.utcnow", lambda: LAST + timedelta(hours=3))
    london_id, session_id = _session_world(app)
    auth.login("fac-a@example.com")
    with app.app_context():
        others = [
            learner_id
            for (learner_id,) in db.session.execute(
                select(FollowUpStep.learner_id).where(FollowUpStep.learner_id != london_id)
            )
        ]
    response = client.post(f"/attendance/{session_id}", data={"attended": [str(others[0])]})
    assert response.status_code == 302
    with app.app_context():
        statuses = {
            s.status
            for s in db.session.scalars(
                select(FollowUpStep).where(FollowUpStep.learner_id == london_id)
            )
        }
        assert statuses == {StepStatus.WITHDRAWN}
        waiting = db.session.scalar(
            select(WaitingLearner).where(WaitingLearner.learner_id == london_id)
        )
        assert waiting is not None and waiting.reason.startswith("Did not attend")
        flagged = set(
            db.session.scalars(
                select(OutboxMessage.recipient).where(OutboxMessage.subject.like("No-show:%"))
            )
        )
        assert flagged == {"coord@example.com", "boss@example.com"}
    # Marking them present again (a correction) gives the sequence back.
    client.post(f"/attendance/{session_id}", data={"attended": [str(others[0]), str(london_id)]})
    with app.app_context():
        statuses = {
            s.status
            for s in db.session.scalars(
                select(FollowUpStep).where(FollowUpStep.learner_id == london_id)
            )
        }
        assert statuses == {StepStatus.PENDING}


def test_another_facilitator_cannot_open_or_mark_the_session(app, client, auth):
    from scheduler.models import Role
    from tests.factories import create_facilitator, create_user

    london_id, session_id = _session_world(app)
    with app.app_context():
        create_facilitator(create_user(Role.FACILITATOR, email="fac-b@example.com"))
        db.session.commit()
    auth.login("fac-b@example.com")
    assert client.get(f"/attendance/{session_id}").status_code == 404
    assert client.post(f"/attendance/{session_id}", data={}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(WaitingLearner.id)) is None


def test_an_empty_quiz_submission_is_refused_and_the_step_stays_open(app, client):
    tokens = _sent_world(app)
    url = f"/follow-up/{tokens['london']}"
    response = client.post(url, data={"started": "0", "self_report": "kept"})
    assert response.status_code == 200
    assert "No answer was chosen" in response.get_data(as_text=True)
    with app.app_context():
        step = steps_of(db.session.get(Learner, tokens["london_id"]))[0]
        assert step.status == StepStatus.SENT and step.score is None
        assert db.session.scalar(select(func.count(StepAnswer.id))) == 0
        question_id = step.lesson.questions[0].id
    assert client.post(url, data={f"q{question_id}": "0"}).status_code == 302
    assert "Recorded" in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("bad", ["²", "9" * 5000, "-1", "١"])
def test_numbers_a_page_never_sends_are_ignored_in_a_submission(app, client, bad):
    """Issue 15: ``"²".isdigit()`` is true but ``int("²")`` fails, and so does int() of 5,000
    digits; each answered 500."""
    tokens = _sent_world(app)
    url = f"/follow-up/{tokens['london']}"
    with app.app_context():
        step = steps_of(db.session.get(Learner, tokens["london_id"]))[0]
        question_id = step.lesson.questions[0].id
    data = {f"q{question_id}": ["0", bad], f"t{question_id}": bad, "started": bad}
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        done = db.session.get(FollowUpStep, step.id)
        assert done.status == StepStatus.DONE and done.score == 1.0
        assert done.seconds_spent is None  # "started" was not a time


def _no_show_effects(app, london_id) -> tuple:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Attendance.id))),
            db.session.scalar(select(func.count(WaitingLearner.id))),
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.subject.like("No-show:%"))
            ),
            {
                s.status
                for s in db.session.scalars(
                    select(FollowUpStep).where(FollowUpStep.learner_id == london_id)
                )
            },
        )


def test_attendance_cannot_be_marked_before_the_session_starts(app, client, auth, monkeypatch):
    london_id, session_id = _session_world(app)
    with app.app_context():
        start = db.session.get(ScheduledSession, session_id).start
    clock = {"now": start - timedelta(minutes=1)}
    monkeypatch.setattr("scheduler.followups.routes.utcnow", lambda: clock["now"])
    auth.login("fac-a@example.com")
    url = f"/attendance/{session_id}"
    page = client.get(url).get_data(as_text=True)
    assert "has not started yet" in page and 'name="attended"' not in page
    before = _no_show_effects(app, london_id)
    assert before[:3] == (0, 0, 0)
    response = client.post(url, data={"attended": []})  # everyone a no-show, a minute early
    assert response.status_code == 200
    assert "attendance can be marked from its start" in response.get_data(as_text=True)
    assert _no_show_effects(app, london_id) == before
    clock["now"] = start  # from the start on, it can
    assert client.post(url, data={"attended": []}).status_code == 302
    attendance, waiting, flagged, statuses = _no_show_effects(app, london_id)
    assert attendance > 0 and waiting > 0 and flagged > 0
    assert statuses == {StepStatus.WITHDRAWN}
