"""A learner's answers to a step: graded, rated for FSRS, recorded, and the next review planned.

A wrong or partly right answer makes its item due again in a day or so; when the learner's next
step is further away than that, an extra review nudge is dated for the first working day the
item is due, at most one extra nudge a week.

A right answer that was slow is rated Hard, like a partly right one: retrieving something one
knows takes seconds, so a long think means it was reconstructed or half guessed. Slow is
- a question answered more than ``SLOW_QUESTION_SECONDS`` after the learner reached it (the
  page measures it per question, when scripts run), or
- the whole page sent later than its allowance: ``SLOW_QUESTION_SECONDS`` per question, plus
  twice the lesson's minutes for reading it (lesson steps) or ``CHECK_IN_ALLOWANCE`` (check-ins).
Times beyond ``LEFT_OPEN_SECONDS`` (a question) or ``LEFT_OPEN_VISIT`` (the page) say nothing
about memory (the learner left and came back) and are not held against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fsrs import Rating
from sqlalchemy import select, update

from scheduler.extensions import db
from scheduler.followups import util
from scheduler.followups.adaptive import RETIRE_AFTER_DAYS, grade, rating_of, review
from scheduler.followups.dating import working_day_on_or_after
from scheduler.learning_records import operations as learning_records
from scheduler.models import FollowUpStep, ReviewItem, StepAnswer, StepKind, StepStatus

EXTRA_NUDGE_SPACING = timedelta(days=7)
SELF_REPORT_LENGTH = 2000
LONGEST_VISIT = 2 * 60 * 60  # seconds: a page left open overnight is not time spent
#: Seconds on one question above which a right answer is rated Hard (see the docstring).
SLOW_QUESTION_SECONDS = 45
#: Reading time allowed per minute a lesson says it takes, before the page counts as slow.
READING_ALLOWANCE = 2
CHECK_IN_ALLOWANCE = 5 * 60  # seconds to write the self-report
LEFT_OPEN_SECONDS = 10 * 60  # one question
LEFT_OPEN_VISIT = 30 * 60  # the whole page


@dataclass
class Submission:
    """What the learner sent: chosen choice indexes per question id, and how sure they were."""

    chosen: dict[int, set[int]] = field(default_factory=dict)
    sure: set[int] = field(default_factory=set)
    seconds: int | None = None
    #: Seconds from reaching each question to answering it, by question id (sent by the page).
    question_seconds: dict[int, int] = field(default_factory=dict)
    self_report: str = ""
    confidence: int | None = None


def record_submission(step: FollowUpStep, submission: Submission, now: datetime) -> bool:
    """Record ``submission`` as the completion of ``step`` (sent, not done yet) and commit.

    False when the step was already done (a second tab, a double click): nothing changes.
    """
    done = db.session.execute(
        update(FollowUpStep)
        .where(FollowUpStep.id == step.id, FollowUpStep.status == StepStatus.SENT)
        .values(status=StepStatus.DONE, completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        return False
    db.session.refresh(step)
    questions = util.step_questions(step)
    right = 0
    struggled: list[ReviewItem] = []
    page_slow = _page_slow(step, len(questions), submission.seconds)
    for question in questions:
        chosen = submission.chosen.get(question.id, set())
        correct, partly = grade(question, chosen)
        slow = page_slow or _question_slow(submission.question_seconds.get(question.id))
        rating = rating_of(correct, partly, question.id in submission.sure, slow)
        right += correct
        db.session.add(
            StepAnswer(
                step_id=step.id,
                question_id=question.id,
                chosen=sorted(chosen),
                correct=correct,
                confident=question.id in submission.sure,
                rating=int(rating),
                answered_at=now,
            )
        )
        item = _item(step, question.id, now)
        review(item, rating, now)
        if rating in (Rating.Again, Rating.Hard) and not item.retired:
            struggled.append(item)
    step.score = right / len(questions) if questions else None
    if submission.seconds is not None:
        step.seconds_spent = max(0, min(int(submission.seconds), LONGEST_VISIT))
    if step.kind == StepKind.CHECK_IN:
        step.self_report = submission.self_report.strip()[:SELF_REPORT_LENGTH]
        step.confidence = submission.confidence
    if struggled:
        plan_extra_review(step, min(item.due_at for item in struggled))
    learning_records.queue_step(step)
    db.session.commit()
    return True


def _page_slow(step: FollowUpStep, questions: int, seconds: int | None) -> bool:
    """Whether the page was sent later than the step's allowance (and not left open)."""
    if seconds is None or seconds > LEFT_OPEN_VISIT or not questions:
        return False
    allowance = SLOW_QUESTION_SECONDS * questions
    if step.kind == StepKind.LESSON and step.lesson is not None:
        allowance += READING_ALLOWANCE * 60 * step.lesson.minutes
    elif step.kind == StepKind.CHECK_IN:
        allowance += CHECK_IN_ALLOWANCE
    return seconds > allowance


def _question_slow(seconds: int | None) -> bool:
    return seconds is not None and SLOW_QUESTION_SECONDS < seconds <= LEFT_OPEN_SECONDS


def _item(step: FollowUpStep, question_id: int, now: datetime) -> ReviewItem:
    item = db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.learner_id == step.learner_id, ReviewItem.question_id == question_id
        )
    )
    if item is None:
        item = ReviewItem(
            learner_id=step.learner_id,
            question_id=question_id,
            card_json="",
            due_at=now,
            retire_after=step.anchor_at + timedelta(days=RETIRE_AFTER_DAYS),
            reviews=0,
            retired=False,
        )
        db.session.add(item)
        db.session.flush()  # the card takes the item's id
    return item


def plan_extra_review(step: FollowUpStep, due: datetime) -> FollowUpStep | None:
    """Date an extra review for items due at ``due``, unless the learner's next step comes
    first (the items are appended to it) or they had an extra nudge within a week."""
    when = working_day_on_or_after(due, step.learner.timezone)
    next_step = db.session.scalar(
        select(FollowUpStep.due_at)
        .where(
            FollowUpStep.learner_id == step.learner_id,
            FollowUpStep.status == StepStatus.PENDING,
        )
        .order_by(FollowUpStep.due_at)
        .limit(1)
    )
    if next_step is not None and next_step <= when + timedelta(days=1):
        return None
    recent = db.session.scalar(
        select(FollowUpStep.id).where(
            FollowUpStep.learner_id == step.learner_id,
            FollowUpStep.extra.is_(True),
            FollowUpStep.status != StepStatus.WITHDRAWN,
            FollowUpStep.due_at > when - EXTRA_NUDGE_SPACING,
            FollowUpStep.due_at < when + EXTRA_NUDGE_SPACING,
        )
    )
    if recent is not None:
        return None
    extra = FollowUpStep(
        learner_id=step.learner_id,
        cohort_id=step.cohort_id,
        kind=StepKind.REVIEW,
        day_offset=(when - step.anchor_at).days,
        extra=True,
        anchor_at=step.anchor_at,
        due_at=when,
        status=StepStatus.PENDING,
        review_question_ids=[],
    )
    db.session.add(extra)
    return extra
