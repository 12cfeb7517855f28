"""A published cohort with follow-ups, for the follow-up tests: lessons with quizzes, the default
template, learners in London and New York, and helpers to publish and read nudge links."""

from __future__ import annotations

import re
from datetime import date
from email import message_from_string, policy

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.followups.operations import create_default_template, save_lesson
from scheduler.models import FollowUpStep, OutboxMessage, PlanningPeriod, Role
from scheduler.planning.publishing import publish
from tests.drafts import Planned, store_draft
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)

LINK = re.compile(r"/follow-up/([A-Za-z0-9_-]+)")


def make_lessons(count: int = 6):
    """``count`` lessons, each with one single-choice question (the first choice is right)."""
    return [
        save_lesson(
            None,
            {
                "key": f"lesson-{n}",
                "title": f"Lesson {n}",
                "minutes": 5,
                "body": f"Body of **lesson {n}**.",
                "lms_url": "",
            },
            [
                {
                    "prompt": f"Question of lesson {n}?",
                    "choices": [
                        {"text": "Right", "correct": True},
                        {"text": "Wrong", "correct": False},
                    ],
                    "feedback": "Because.",
                }
            ],
        )
        for n in range(1, count + 1)
    ]


def follow_up_world() -> dict:
    """A two-session program, its cohort (a London and a New York learner), a facilitator, the
    "Spring" period and the default template over six lessons; nothing published yet."""
    coordinator = create_user(Role.COORDINATOR, email="coord@example.com")
    manager = create_user(Role.MANAGER, email="boss@example.com")
    site = create_site(name="London")
    room = create_room(site)
    program = create_program(sessions=(120, 120), seats_min=1)
    london = create_learner(site, manager=manager, name="Lea London", timezone="Europe/London")
    new_york = create_learner(site, name="Nia NewYork", timezone="America/New_York")
    cohort = create_cohort(program, site, learners=[london, new_york], key="c1")
    facilitator_user = create_user(Role.FACILITATOR, email="fac-a@example.com")
    facilitator = create_facilitator(facilitator_user, site)
    period = PlanningPeriod(
        name="Spring", start=date(2027, 2, 1), end=date(2027, 4, 30), timezone="Europe/London"
    )
    db.session.add(period)
    lessons = make_lessons()
    template = create_default_template(lessons)
    db.session.flush()
    return {
        "coordinator": coordinator,
        "manager": manager,
        "program": program,
        "cohort": cohort,
        "london": london,
        "new_york": new_york,
        "facilitator": facilitator,
        "facilitator_user": facilitator_user,
        "room": room,
        "period": period,
        "lessons": lessons,
        "template": template,
    }


def publish_plan(w: dict, first, last, learners: int = 2):
    """Store and publish a draft whose section's sessions start at ``first`` and ``last``."""
    draft = store_draft(
        w["period"],
        [
            Planned(
                "S1",
                w["program"],
                [(w["cohort"], learners)],
                [(first, w["facilitator"], w["room"]), (last, w["facilitator"], w["room"])],
            )
        ],
    )
    db.session.commit()
    publish(draft, w["coordinator"])
    return draft


def steps_of(learner) -> list[FollowUpStep]:
    return list(
        db.session.scalars(
            select(FollowUpStep)
            .where(FollowUpStep.learner_id == learner.id)
            .order_by(FollowUpStep.due_at, FollowUpStep.id)
        )
    )


def tokens_by_recipient() -> dict[str, list[str]]:
    """The step tokens in the outbox's messages, per recipient, oldest first."""
    found: dict[str, list[str]] = {}
    for row in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        text = message_from_string(row.content, policy=policy.default).get_body(("plain",))
        match = LINK.search(text.get_content())
        if match:
            found.setdefault(row.recipient, []).append(match.group(1))
    return found
