"""Many people saving availability at the same moment: nothing is lost, nothing is mixed.

Each thread has its own test client, signs in first, then waits at a barrier so that all the
saves hit the app together. On SQLite this exercises WAL, the busy timeout and ``BEGIN
IMMEDIATE`` (scheduler/database.py); on PostgreSQL the row lock taken by the save.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import AvailabilityKind, AvailabilityRule, Role
from tests.factories import PASSWORD, create_facilitator, create_user

FACILITATORS = 50


def pattern(n: int) -> dict[str, str]:
    """A form unique to facilitator ``n``: its Monday start, leave dates and note differ."""
    return {
        "timezone": "UTC",
        "monday": f"{6 + n // 60:02d}:{n % 60:02d}-18:00",
        "wednesday": "09:00-12:00, 13:00-17:00",
        "blocked-0-start": f"2027-05-{1 + n % 28:02d}T00:00",
        "blocked-0-end": f"2027-05-{1 + n % 28:02d}T12:00",
        "blocked-0-note": f"Leave of facilitator {n}",
    }


def expected_rules(n: int) -> set[tuple]:
    day = 1 + n % 28
    return {
        (AvailabilityKind.WEEKLY, 0, time(6 + n // 60, n % 60), time(18), None, None, ""),
        (AvailabilityKind.WEEKLY, 2, time(9), time(12), None, None, ""),
        (AvailabilityKind.WEEKLY, 2, time(13), time(17), None, None, ""),
        (
            AvailabilityKind.UNAVAILABLE,
            None,
            None,
            None,
            datetime(2027, 5, day, 0, tzinfo=UTC),
            datetime(2027, 5, day, 12, tzinfo=UTC),
            f"Leave of facilitator {n}",
        ),
    }


def saved_rules(facilitator_id: int) -> set[tuple]:
    rules = db.session.scalars(
        select(AvailabilityRule).where(AvailabilityRule.facilitator_id == facilitator_id)
    )
    return {(r.kind, r.weekday, r.start_time, r.end_time, r.start, r.end, r.note) for r in rules}


def signed_in_client(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"could not sign in {email}"
    return client


def post_all_at_once(jobs: list[tuple]) -> list:
    """POST every (client, url, data) job from its own thread, released together; the outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index: int, client, url: str, data: dict) -> None:
        barrier.wait()
        try:
            response = client.post(url, data=data)
            outcomes[index] = response.status_code
        except Exception as error:  # reported by the assertion below, with its message
            outcomes[index] = repr(error)

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_fifty_facilitators_saving_at_the_same_moment_lose_nothing(app):
    with app.app_context():
        ids = [
            create_facilitator(
                user=create_user(Role.FACILITATOR, email=f"f{n}@example.com"),
                timezone="Europe/Paris",
            ).id
            for n in range(FACILITATORS)
        ]
        db.session.commit()
    clients = [signed_in_client(app, f"f{n}@example.com") for n in range(FACILITATORS)]

    outcomes = post_all_at_once(
        [(clients[n], "/availability", pattern(n)) for n in range(FACILITATORS)]
    )

    failures = [(n, outcome) for n, outcome in enumerate(outcomes) if outcome != 302]
    assert failures == [], f"saves that did not succeed: {failures}"
    with app.app_context():
        for n, facilitator_id in enumerate(ids):
            assert saved_rules(facilitator_id) == expected_rules(n), f"facilitator {n}"


def test_simultaneous_saves_of_one_facilitator_leave_exactly_one_of_them(app):
    """Ten coordinators save the same facilitator at once: one save wins whole, none mix."""
    with app.app_context():
        facilitator_id = create_facilitator(timezone="UTC").id
        for n in range(10):
            create_user(Role.COORDINATOR, email=f"c{n}@example.com")
        db.session.commit()
    url = f"/facilitators/{facilitator_id}/availability"
    jobs = [(signed_in_client(app, f"c{n}@example.com"), url, pattern(n)) for n in range(10)]

    outcomes = post_all_at_once(jobs)

    assert outcomes == [302] * 10
    with app.app_context():
        saved = saved_rules(facilitator_id)
    assert saved in [expected_rules(n) for n in range(10)]
