"""A learner opens the link of a follow-up nudge in a real browser: the lesson and its quiz, no
sign-in; they answer, send, and see the result, which is recorded in the database."""

from __future__ import annotations

import re
from email import message_from_string, policy

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.followups.delivery import send_due_nudges
from scheduler.followups.operations import save_lesson
from scheduler.models import FollowUpStep, OutboxMessage, ReviewItem, StepAnswer, StepStatus
from tests.drafts import utc
from tests.followup_world import follow_up_world, publish_plan
from tests.test_followups import FIRST, LAST

QUIZ = [
    {
        "prompt": "A customer paid by card and wants cash back. Where does the refund go?",
        "choices": [
            {"text": "In cash", "correct": False},
            {"text": "To the same card", "correct": True},
        ],
        "feedback": "Refunds go back the way the customer paid.",
    },
    {
        "prompt": "Which find the customer's loyalty account?",
        "choices": [
            {"text": "The loyalty card", "correct": True},
            {"text": "The QR code in the app", "correct": True},
            {"text": "Their name", "correct": False},
        ],
        "feedback": "A name is not unique enough.",
    },
]


LINK = re.compile(r"https?://\S+/follow-up/[A-Za-z0-9_-]+")


def _plain_text(message: OutboxMessage) -> str:
    parsed = message_from_string(message.content, policy=policy.default)
    return parsed.get_body(("plain",)).get_content()


def _nudge_link(live_server) -> tuple[str, int]:
    """Publish a cohort, send the day-1 nudges; return London's link, read from her message."""
    app = live_server.app
    app.config["PUBLIC_URL"] = live_server.url  # the address in the message, as in production
    with app.app_context():
        w = follow_up_world()
        lesson = w["lessons"][0]
        values = {"key": lesson.key, "title": "Refunds and loyalty", "minutes": 4}
        body = "Refunds go **back to the way the customer paid**."
        save_lesson(lesson, values | {"body": body, "lms_url": ""}, QUIZ)
        db.session.commit()
        publish_plan(w, FIRST, LAST)
        assert send_due_nudges(now=utc(2027, 3, 11, 16)) == 2  # day 1, London and New York
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == w["london"].email)
        )
        links = [  # her calendar invitations come first; the nudge carries the link
            found.group(0) for message in messages if (found := LINK.search(_plain_text(message)))
        ]
        assert len(links) == 1, links
        step_id = db.session.scalar(
            select(FollowUpStep.id).where(
                FollowUpStep.learner_id == w["london"].id,
                FollowUpStep.status == StepStatus.SENT,
            )
        )
        return links[0], step_id


@pytest.mark.browser
def test_a_learner_opens_the_nudge_link_answers_the_quiz_and_sees_the_result_recorded(
    live_server, browser, tmp_path
):
    link, step_id = _nudge_link(live_server)
    assert link.startswith(live_server.url)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    console_errors = []  # the question timer blocked by the CSP would show up here
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.location["url"].endswith("/favicon.ico")
            and console_errors.append(message.text)
        ),
    )
    page.goto(link)

    expect(page.get_by_role("heading", name="Refunds and loyalty")).to_be_visible()
    expect(page.locator("article.lesson strong")).to_have_text("back to the way the customer paid")
    expect(page.get_by_text("For Lea London")).to_be_visible()
    first = page.locator("fieldset.question").nth(0)
    second = page.locator("fieldset.question").nth(1)
    first.get_by_label("To the same card").check()
    first.get_by_label("I am sure").check()
    second.get_by_label("The loyalty card").check()  # one of two: partly right
    with page.expect_request(lambda request: request.method == "POST") as posted:
        page.get_by_role("button", name="Send my answers").click()
    # The page's script timed each question: both carry a whole number of seconds.
    assert len(re.findall(r"(?<![^&])t\d+=\d+(?![^&])", posted.value.post_data)) == 2

    result = page.locator("#result")
    expect(result).to_contain_text("Recorded")
    expect(page.locator("#score")).to_have_text("50 %")
    expect(result).to_contain_text("A name is not unique enough.")
    expect(result.locator(".error")).to_have_count(1)  # the second question, with the answer
    page.screenshot(path=str(tmp_path / "follow-up.png"), full_page=True)
    assert console_errors == []

    with live_server.app.app_context():
        step = db.session.get(FollowUpStep, step_id)
        assert step.status == StepStatus.DONE and step.score == 0.5
        assert step.completed_at is not None and step.seconds_spent is not None
        answers = db.session.scalars(
            select(StepAnswer).where(StepAnswer.step_id == step_id).order_by(StepAnswer.id)
        ).all()
        assert [(a.chosen, a.correct, a.confident, a.rating) for a in answers] == [
            ([1], True, True, 4),  # right and sure: Easy
            ([0], False, False, 2),  # partly right: Hard
        ]
        items = db.session.scalars(
            select(ReviewItem).where(ReviewItem.learner_id == step.learner_id)
        ).all()
        assert sorted(item.last_rating for item in items) == [2, 4]
    # The link still shows the result; sending again changes nothing.
    page.goto(link)
    expect(page.locator("#score")).to_have_text("50 %")
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
