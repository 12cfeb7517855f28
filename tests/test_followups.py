"""Follow-ups: attaching on publish at local dates, shifting, withdrawing, sending once, and
the adaptive spacing of quiz answers."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from scheduler.adjustments.late_joiners import place_late_joiner
from scheduler.cohorts.operations import remove_members
from scheduler.extensions import db
from scheduler.followups.delivery import send_due_nudges
from scheduler.followups.learning import Submission, record_submission
from scheduler.followups.rendering import render_markdown
from scheduler.models import (
    CohortMember,
    FollowUpStep,
    OutboxMessage,
    ReviewItem,
    StepKind,
    StepStatus,
)
from tests.drafts import utc
from tests.factories import create_learner
from tests.followup_world import follow_up_world, publish_plan, steps_of, tokens_by_recipient

FIRST = utc(2027, 3, 3, 9)
LAST = utc(2027, 3, 10, 9)  # Wednesday; ends 11:00 UTC. UK clocks go forward on 28 March 2027,
# US clocks on 14 March 2027.


def test_published_cohort_gets_its_template_steps_at_local_working_day_dates(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        london = steps_of(w["london"])
        assert [(s.day_offset, s.kind) for s in london] == [
            (s.day_offset, s.kind) for s in w["template"].steps
        ]
        due = {s.day_offset: s.due_at for s in london}
        assert due[1] == utc(2027, 3, 11, 10)  # Thursday 10:00 GMT
        assert due[3] == utc(2027, 3, 15, 10)  # Saturday 13th moves to Monday
        assert due[21] == utc(2027, 3, 31, 9)  # 10:00 BST, after the clocks changed
        new_york = {s.day_offset: s.due_at for s in steps_of(w["new_york"])}
        assert new_york[1] == utc(2027, 3, 11, 15)  # 10:00 EST
        assert new_york[7] == utc(2027, 3, 17, 14)  # 10:00 EDT
        assert all(s.status == StepStatus.PENDING for s in london)


def test_moving_the_workshop_shifts_pending_steps_only(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        steps = steps_of(w["london"])
        done = steps[0]
        done.status, done_due = StepStatus.DONE, done.due_at
        db.session.commit()
        publish_plan(w, FIRST + timedelta(days=7), LAST + timedelta(days=7))
        after = {s.id: s for s in steps_of(w["london"])}
        assert len(after) == len(steps)
        assert after[done.id].due_at == done_due and after[done.id].status == StepStatus.DONE
        day_3 = next(s for s in after.values() if s.day_offset == 3)
        assert day_3.due_at == utc(2027, 3, 22, 10)  # Saturday 20th moves to Monday 22nd


def test_leaving_the_cohort_withdraws_pending_steps_and_a_late_joiner_gets_them(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, utc(2027, 4, 5, 9), utc(2027, 4, 12, 9))
        remove_members(w["cohort"], [w["new_york"].id])
        db.session.commit()
        assert {s.status for s in steps_of(w["new_york"])} == {StepStatus.WITHDRAWN}
        newcomer = create_learner(timezone="Europe/London")
        db.session.add(CohortMember(cohort_id=w["cohort"].id, learner_id=newcomer.id))
        db.session.flush()
        place_late_joiner(w["cohort"], newcomer, now=utc(2027, 3, 1))
        db.session.commit()
        assert len(steps_of(newcomer)) == len(w["template"].steps)


def test_the_job_sends_each_due_nudge_once_when_run_twice_at_once(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        steps_due = db.session.scalar(
            select(func.count())
            .select_from(FollowUpStep)
            .where(FollowUpStep.kind != StepKind.REVIEW)
        )
    now = utc(2027, 9, 1)
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                results.append(send_due_nudges(now=now))
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with app.app_context():
        tokens = tokens_by_recipient()
        sent = sum(len(found) for found in tokens.values())
        assert sum(results) == sent == steps_due  # reviews with nothing due are skipped
        assert len({t for found in tokens.values() for t in found}) == sent
        statuses = db.session.scalars(select(FollowUpStep.status)).all()
        assert statuses.count(StepStatus.SENT) == steps_due
        assert send_due_nudges(now=now) == 0


def test_a_wrong_answer_brings_the_item_back_sooner_than_a_right_one(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))  # 10:00 in London and in New York
        now = utc(2027, 3, 11, 17)
        answers = {}
        for learner, choice in ((w["london"], 0), (w["new_york"], 1)):
            step = next(s for s in steps_of(learner) if s.status == StepStatus.SENT)
            question = step.lesson.questions[0]
            assert record_submission(step, Submission(chosen={question.id: {choice}}), now)
            answers[learner.id] = db.session.scalar(
                select(ReviewItem).where(ReviewItem.learner_id == learner.id)
            )
        right, wrong = answers[w["london"].id], answers[w["new_york"].id]
        assert wrong.due_at < right.due_at
        assert wrong.due_at - now <= timedelta(days=1)
        assert wrong.last_rating == 1 and right.last_rating == 3


def test_a_wrong_answer_gets_at_most_one_extra_nudge_a_week_and_due_items_ride_along(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        learner = w["london"]
        send_due_nudges(now=utc(2027, 3, 31, 9))  # days 1 to 21
        step = next(s for s in steps_of(learner) if s.day_offset == 21)
        question = step.lesson.questions[0]
        record_submission(step, Submission(chosen={question.id: {1}}), utc(2027, 3, 31, 12))
        extras = [s for s in steps_of(learner) if s.extra]
        # Due again Thursday noon; the next regular step is the day-30 check-in (9 April), so
        # an extra review goes out the next working morning: Friday 10:00 BST.
        assert len(extras) == 1 and extras[0].due_at == utc(2027, 4, 2, 9)
        send_due_nudges(now=utc(2027, 4, 2, 9))
        extra = db.session.get(FollowUpStep, extras[0].id)
        assert extra.status == StepStatus.SENT and extra.review_question_ids == [question.id]
        record_submission(extra, Submission(chosen={question.id: {1}}), utc(2027, 4, 2, 12))
        assert len([s for s in steps_of(learner) if s.extra]) == 1  # one a week at most
        send_due_nudges(now=utc(2027, 4, 9, 9))
        check_in = next(s for s in steps_of(learner) if s.day_offset == 30)
        assert check_in.status == StepStatus.SENT
        assert question.id in check_in.review_question_ids


def test_markdown_is_rendered_without_scripts_or_javascript_links():
    html = render_markdown(
        "# Title\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> [ok](https://example.com) **bold**'
    )
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://example.com">ok</a>' in html and "<strong>bold</strong>" in html
    assert "<h1>Title</h1>" in html


def test_the_outbox_holds_each_nudge_for_its_learner(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))
        tokens = tokens_by_recipient()
        assert set(tokens) == {w["london"].email, w["new_york"].email}
        subjects = db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.recipient == w["london"].email)
        ).all()
        assert "5 minutes: Lesson 1" in subjects


def test_a_learner_who_manages_people_gets_the_managers_variant_of_the_template(app):
    from scheduler.followups.operations import save_template
    from scheduler.models import Audience, Role, StepKind
    from tests.factories import create_user

    with app.app_context():
        w = follow_up_world()
        # Lea London manages someone: her address is a manager account a learner reports to.
        lea_as_manager = create_user(Role.MANAGER, email=w["london"].email)
        create_learner(manager=lea_as_manager)
        save_template(
            None,
            {"name": "For managers", "program_id": w["program"].id, "audience": Audience.MANAGERS},
            [(2, StepKind.LESSON, w["lessons"][0].id), (30, StepKind.CHECK_IN, None)],
        )
        publish_plan(w, FIRST, LAST)
        assert [(s.day_offset, s.kind) for s in steps_of(w["london"])] == [
            (2, StepKind.LESSON),
            (30, StepKind.CHECK_IN),
        ]
        # Nia manages nobody: she keeps the default template for everyone.
        assert [(s.day_offset, s.kind) for s in steps_of(w["new_york"])] == [
            (s.day_offset, s.kind) for s in w["template"].steps
        ]


def test_a_check_in_records_the_self_report_confidence_and_score(app):
    from scheduler.models import StepKind

    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        check_in = next(s for s in steps_of(w["london"]) if s.kind == StepKind.CHECK_IN)
        check_in.status = StepStatus.SENT
        db.session.commit()
        submission = Submission(self_report="  I use the new till every shift.  ", confidence=4)
        assert record_submission(check_in, submission, check_in.due_at + timedelta(hours=1))
        db.session.expire_all()
        done = db.session.get(type(check_in), check_in.id)
        assert done.status == StepStatus.DONE
        assert (done.self_report, done.confidence) == ("I use the new till every shift.", 4)
        assert done.completed_at is not None
