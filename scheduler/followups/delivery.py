"""Sending due nudges: each due step once, through the mail outbox, with a personal link.

Every worker runs the job (``tasks.py``), so two runs may meet. A step is claimed by a
conditional UPDATE (``pending`` → ``sent``, with its new token's hash) and its message is
queued in the same transaction: of two runs, the database lets one UPDATE match; the other
changes nothing and moves on. A crash before the commit leaves the step pending for the next run.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.followups import util
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message
from scheduler.models import FollowUpStep, ReviewItem, StepKind, StepStatus
from scheduler.tokens import hash_token, new_token

#: Review items appended to one step at most.
MAX_REVIEW_ITEMS = 5
#: The path of a step's page: ``/follow-up/<token>`` (routes.py serves it).
STEP_PATH = "/follow-up/"


def step_link(token: str) -> str:
    """The absolute link of a step's page, for the message."""
    base = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
    return f"{base.rstrip('/')}{STEP_PATH}{token}"


def send_due_nudges(now: datetime | None = None, limit: int = 500) -> int:
    """Queue a nudge for every pending step due at ``now``, each once; return how many.

    Commits after each step (its claim and its message together).
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(FollowUpStep.id)
        .where(FollowUpStep.status == StepStatus.PENDING, FollowUpStep.due_at <= now)
        .order_by(FollowUpStep.due_at, FollowUpStep.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = 0
    for step_id in due:
        if _send_one(step_id, now):
            sent += 1
    return sent


def _send_one(step_id: int, now: datetime) -> bool:
    token = new_token()
    claimed = db.session.execute(
        update(FollowUpStep)
        .where(FollowUpStep.id == step_id, FollowUpStep.status == StepStatus.PENDING)
        .values(status=StepStatus.SENT, token_hash=hash_token(token), sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()  # another run sent it, or it was withdrawn meanwhile
        return False
    step = db.session.get(FollowUpStep, step_id, populate_existing=True)
    own = {question.id for question in step.lesson.questions} if step.lesson else set()
    items = [item for item in _due_items(step.learner_id, now) if item.question_id not in own]
    if step.kind == StepKind.REVIEW and not items:
        step.status = StepStatus.SKIPPED  # a review is sent only when something is due
        step.token_hash = None
        db.session.commit()
        return False
    step.review_question_ids = [item.question_id for item in items[:MAX_REVIEW_ITEMS]]
    queue_message(_message(step, token))
    db.session.commit()
    return True


def _due_items(learner_id: int, now: datetime) -> list[ReviewItem]:
    return list(
        db.session.scalars(
            select(ReviewItem)
            .where(
                ReviewItem.learner_id == learner_id,
                ReviewItem.retired.is_(False),
                ReviewItem.due_at <= now,
            )
            .order_by(ReviewItem.due_at, ReviewItem.id)
            .limit(MAX_REVIEW_ITEMS + 5)
        )
    )


def _message(step: FollowUpStep, token: str):
    learner = step.learner
    title = util.step_title(step)
    minutes = util.step_minutes(step)
    program = step.cohort.program.name
    lines = [
        f"Hello {learner.name},",
        "",
        f"Your next {minutes}-minute follow-up to {program} is ready: {title}.",
        "",
        f"Open it here (no password needed; this link is yours alone): {step_link(token)}",
        "",
        "Short, spaced practice after a workshop is what makes it stick.",
    ]
    return compose(learner.email, f"{minutes} minutes: {title}", "\n".join(lines) + "\n")
