"""A published program with several sections, for the answer-link tests: one a learner who
declines can move to, and the three that must not be offered (full, past the cohort's
deadline, clashing with the learner's other training).

Cohort A (Léa, Mo, Zoe; deadline 31 Jan 2030) sits in S1 (7 and 9 Jan). Of the other sections
of the program (4 seats each), S2 (14 and 16 Jan, cohort B: 2 learners) fits; S3 (cohort C:
4 learners) is full; S4 (4 and 6 Feb) ends after A's deadline; S5 (22 and 24 Jan) is at the
time of Léa's other program, section T1. Times are 09:00 London (GMT) on weekdays. The default
follow-up template is attached to every seat.
"""

from __future__ import annotations

import email
import re
from datetime import UTC, date, datetime

from scheduler.extensions import db
from scheduler.followups.operations import create_default_template
from scheduler.models import InviteRecord, OutboxMessage, PlanningPeriod, Role
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)
from tests.followup_world import make_lessons
from tests.schedule_factories import Placed, publish_schedule

LINK = re.compile(r"https?://[^\s]+/answer/([0-9]+\.[A-Za-z0-9_-]+)")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_answer_world() -> dict:
    """Everything above, published (invitations queued); committed."""
    coordinator = create_user(Role.COORDINATOR, email="coord@example.com")
    site = create_site(name="London", timezone="Europe/London")
    program = create_program(name="Fire safety", sessions=(120, 120), seats_min=1, seats_max=4)
    other = create_program(name="First aid", sessions=(120, 120), seats_min=1, seats_max=4)
    lea = create_learner(site, name="Léa Martin", email="lea@example.com")
    a = create_cohort(
        program,
        site,
        [lea, create_learner(site, name="Mo Haddad"), create_learner(site, name="Zoe Price")],
        key="A",
        deadline=date(2030, 1, 31),
    )
    cohorts = {
        key: create_cohort(program, site, [create_learner(site) for _ in range(size)], key=key)
        for key, size in (("B", 2), ("C", 4), ("D", 1), ("E", 1))
    }
    first_aid = create_cohort(other, site, [lea], key="FA")
    create_default_template(make_lessons())
    period = PlanningPeriod(
        name="Winter", start=date(2030, 1, 7), end=date(2030, 2, 28), timezone="Europe/London"
    )
    db.session.add(period)
    db.session.flush()

    def placed(key, cohort, size, days):
        facilitator = create_facilitator(
            create_user(Role.FACILITATOR, name=f"Facilitator {key}", email=f"{key}@example.com"),
            site,
        )
        room = create_room(site, name=f"Room {key}")
        return Placed(key, [(cohort, size)], [(utc(*day, 9), facilitator, room) for day in days])

    sections = [
        placed("S1", a, 3, [(2030, 1, 7), (2030, 1, 9)]),
        placed("S2", cohorts["B"], 2, [(2030, 1, 14), (2030, 1, 16)]),
        placed("S3", cohorts["C"], 4, [(2030, 1, 15), (2030, 1, 17)]),
        placed("S4", cohorts["D"], 1, [(2030, 2, 4), (2030, 2, 6)]),
        placed("S5", cohorts["E"], 1, [(2030, 1, 22), (2030, 1, 24)]),
        placed("T1", first_aid, 1, [(2030, 1, 22), (2030, 1, 24)]),
    ]
    version = publish_schedule(period, sections, coordinator)
    return {"period": period, "version": version, "lea": lea, "a": a, "coordinator": coordinator}


def outbox(after: int = 0) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id)
        )
    )


def plain_text(row: OutboxMessage) -> str:
    message = email.message_from_string(row.content)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no plain part")


def answer_tokens(address: str) -> list[str]:
    """The answer tokens in the invitations to ``address``, oldest first."""
    found = []
    for row in outbox():
        if row.recipient == address:
            found += [t for t in LINK.findall(plain_text(row)) if t not in found]
    return found


def record_of(token: str) -> InviteRecord:
    return db.session.get(InviteRecord, int(token.partition(".")[0]))
