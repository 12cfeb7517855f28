"""Follow-ups and time: slow answers rated Hard, sequences attached late re-dated from now, and
items retired after day 120."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.followups.attaching import attach_version
from scheduler.followups.dating import WORKING_DAYS, catch_up_anchor, step_due
from scheduler.followups.delivery import send_due_nudges
from scheduler.followups.learning import SLOW_QUESTION_SECONDS, Submission, record_submission
from scheduler.models import Learner, ReviewItem, ScheduleVersion, StepAnswer, StepStatus
from tests.drafts import utc
from tests.followup_world import follow_up_world, publish_plan, steps_of, tokens_by_recipient
from tests.test_followups import FIRST, LAST

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
# The day-1 step is lesson 1 (5 minutes) with one question: its page allowance is
# 2 × 5 minutes of reading + 45 s for the question = 645 s.


@pytest.mark.parametrize(
    ("seconds", "per_question", "sure", "rating"),
    [
        (300, 20, False, GOOD),
        (300, 20, True, EASY),
        (300, SLOW_QUESTION_SECONDS + 15, False, HARD),  # one slow question
        (300, SLOW_QUESTION_SECONDS + 15, True, HARD),  # slow wins over "I am sure"
        (700, None, False, HARD),  # the whole page, without per-question times
        (700, None, True, HARD),
        (3600, None, False, GOOD),  # the page was left open: says nothing about memory
        (300, 15 * 60, False, GOOD),  # so was the question
        (None, None, True, EASY),
    ],
)
def test_a_right_answer_that_took_long_is_rated_hard(app, seconds, per_question, sure, rating):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))
        step = steps_of(w["london"])[0]
        question = step.lesson.questions[0]
        submission = Submission(
            chosen={question.id: {0}},
            sure={question.id} if sure else set(),
            seconds=seconds,
            question_seconds={question.id: per_question} if per_question is not None else {},
        )
        assert record_submission(step, submission, utc(2027, 3, 11, 17))
        answer = db.session.scalar(select(StepAnswer).where(StepAnswer.step_id == step.id))
        assert answer.correct and answer.rating == rating
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.question_id == question.id))
        assert item.last_rating == rating


def test_a_slow_right_answer_comes_back_sooner_than_a_quick_one(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))
        now = utc(2027, 3, 11, 17)
        for learner, per_question in ((w["london"], 10), (w["new_york"], 120)):
            step = steps_of(learner)[0]
            question = step.lesson.questions[0]
            submission = Submission(
                chosen={question.id: {0}}, question_seconds={question.id: per_question}
            )
            record_submission(step, submission, now)
        quick, slow = (
            db.session.scalar(select(ReviewItem).where(ReviewItem.learner_id == learner.id))
            for learner in (w["london"], w["new_york"])
        )
        assert (quick.last_rating, slow.last_rating) == (GOOD, HARD)
        assert now < slow.due_at < quick.due_at


def test_the_step_page_sends_each_questions_time(app, client):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))
        step = steps_of(w["london"])[0]
        step_id, question_id = step.id, step.lesson.questions[0].id
        token = tokens_by_recipient()[w["london"].email][0]
    page = client.get(f"/follow-up/{token}").get_data(as_text=True)
    assert f'name="t{question_id}"' in page and "followup-quiz.js" in page
    client.post(f"/follow-up/{token}", data={f"q{question_id}": "0", f"t{question_id}": "90"})
    with app.app_context():
        answer = db.session.scalar(select(StepAnswer).where(StepAnswer.step_id == step_id))
        assert answer.correct and answer.rating == HARD


# --- sequences attached after the workshop -------------------------------------------------------


def test_catching_up_starts_the_first_pending_step_on_the_next_working_morning():
    anchor = utc(2027, 1, 6, 17)  # a Wednesday
    now = utc(2027, 3, 12, 14)  # Friday afternoon, after 10:00 in London
    caught_up = catch_up_anchor(anchor, 3, "Europe/London", now)
    assert step_due(caught_up, 3, "Europe/London") == utc(2027, 3, 15, 10)  # Monday 10:00
    assert (caught_up - anchor) % timedelta(days=1) == timedelta(0)
    on_time = catch_up_anchor(anchor, 3, "Europe/London", utc(2027, 1, 8))
    assert on_time == anchor


def _past_world(app):
    """A cohort whose workshop ended weeks before today, published today."""
    with app.app_context():
        w = follow_up_world()
        today = datetime.now(UTC).replace(microsecond=0)
        version = publish_plan(w, today - timedelta(days=35), today - timedelta(days=28))
        return w["london"].id, w["new_york"].id, version.id, today


def test_a_plan_published_after_its_workshop_does_not_send_the_whole_sequence_at_once(app):
    london_id, new_york_id, _version_id, published = _past_world(app)
    with app.app_context():
        for learner_id in (london_id, new_york_id):
            learner = db.session.get(Learner, learner_id)
            steps = steps_of(learner)
            zone = ZoneInfo(learner.timezone)
            first = steps[0]
            assert first.day_offset == 1
            assert published <= first.due_at <= published + timedelta(days=4)
            assert first.due_at.astimezone(zone).weekday() in WORKING_DAYS
            assert first.due_at.astimezone(zone).hour == 10
            anchor = first.anchor_at
            # Order and spacing kept: every step is its offset after the same (later) anchor.
            assert [s.due_at for s in steps] == [
                step_due(anchor, s.day_offset, learner.timezone) for s in steps
            ]
            assert [s.day_offset for s in steps] == sorted(s.day_offset for s in steps)
            assert {s.anchor_at for s in steps} == {anchor}
        # The next run of the job sends nothing yet, let alone nine steps.
        assert send_due_nudges(now=published) == 0


def test_a_re_publish_keeps_a_caught_up_sequence_where_it_is(app):
    london_id, _new_york_id, version_id, published = _past_world(app)
    with app.app_context():
        learner = db.session.get(Learner, london_id)
        before = [(s.id, s.due_at) for s in steps_of(learner)]
        first = steps_of(learner)[0]
        send_due_nudges(now=first.due_at)
        attach_version(db.session.get(ScheduleVersion, version_id), now=first.due_at)
        db.session.commit()
        after = [(s.id, s.due_at) for s in steps_of(learner)]
        assert after == before
        assert steps_of(learner)[0].status == StepStatus.SENT


# --- retirement after day 120 ------------------------------------------------------------------


def test_an_item_whose_next_review_falls_after_day_120_retires_and_never_comes_back(app):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        learner = w["london"]
        send_due_nudges(now=utc(2027, 3, 31, 12))  # days 1 to 21
        steps = {s.day_offset: s for s in steps_of(learner)}
        anchor = steps[1].anchor_at
        kept, retired = steps[14].lesson.questions[0], steps[21].lesson.questions[0]
        record_submission(steps[14], Submission(chosen={kept.id: {0}}), anchor + timedelta(days=14))
        # Answered wrong very late, on day 119: due again the next day, after day 120.
        late = anchor + timedelta(days=119, hours=2)
        assert record_submission(steps[21], Submission(chosen={retired.id: {1}}), late)
        items = {
            item.question_id: item
            for item in db.session.scalars(
                select(ReviewItem).where(ReviewItem.learner_id == learner.id)
            )
        }
        assert items[retired.id].retired and items[retired.id].last_rating == AGAIN
        assert items[retired.id].due_at > anchor + timedelta(days=120)
        assert not items[kept.id].retired and items[kept.id].due_at < late
        assert not [s for s in steps_of(learner) if s.extra]  # no extra review for it
        send_due_nudges(now=anchor + timedelta(days=130))  # days 30 to 90
        later = [s for s in steps_of(learner) if s.day_offset >= 30]
        assert all(s.status in (StepStatus.SENT, StepStatus.SKIPPED) for s in later)
        appended = [q for s in later for q in s.review_question_ids]
        assert kept.id in appended and retired.id not in appended
