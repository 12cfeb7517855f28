"""Quiz answers drive the spacing: each question is an FSRS card per learner (``fsrs`` 6).

Ratings: wrong → Again, partly right or slow → Hard, right → Good, right and sure → Easy (slow
wins over sure: FSRS's Hard is "recalled, with serious effort"). The nudges
are daily at most, so the scheduler's learning steps are whole days (fsrs defaults to minutes);
fuzzing is off so that the same answers give the same dates. An item retires once its next
review would fall after day 120 after the cohort's last session.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fsrs import Card, Rating, Scheduler

from scheduler.models import QuizQuestion, ReviewItem

RETIRE_AFTER_DAYS = 120
SCHEDULER = Scheduler(
    learning_steps=(timedelta(days=1),),
    relearning_steps=(timedelta(days=1),),
    enable_fuzzing=False,
)


def grade(question: QuizQuestion, chosen: set[int]) -> tuple[bool, bool]:
    """(right, partly right) of the choice indexes ``chosen`` for ``question``."""
    correct = {index for index, choice in enumerate(question.choices) if choice["correct"]}
    if chosen == correct:
        return True, False
    partly = question.multiple and bool(chosen & correct) and len(chosen - correct) <= 1
    return False, partly


def rating_of(right: bool, partly: bool, sure: bool, slow: bool = False) -> Rating:
    """The FSRS rating of one answer; ``slow``: it took the learner too long (``learning.py``)."""
    if right:
        if slow:
            return Rating.Hard
        return Rating.Easy if sure else Rating.Good
    return Rating.Hard if partly else Rating.Again


def review(item: ReviewItem, rating: Rating, now: datetime) -> None:
    """Apply one answer to ``item`` (flushed, so it has an id) at ``now`` (aware UTC)."""
    if item.card_json:
        card = Card.from_json(item.card_json)
    else:
        card = Card(card_id=item.id, due=now)  # an id: fsrs sleeps 1 ms to make one otherwise
    card, _log = SCHEDULER.review_card(card, rating, review_datetime=now)
    item.card_json = card.to_json()
    item.due_at = card.due
    item.reviews += 1
    item.last_rating = int(rating)
    item.retired = card.due > item.retire_after
