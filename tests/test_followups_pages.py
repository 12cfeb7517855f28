"""Follow-up pages: the learner's token page, attendance by the session's own facilitator."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.followups.delivery import send_due_nudges
from scheduler.models import (
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


def test_the_facilitator_marks_a_no_show_who_is_flagged_and_loses_pending_steps(app, client, auth):
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
