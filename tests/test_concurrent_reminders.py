"""Two reminder runs at once (every worker schedules the job): each person is reminded once.

Only PostgreSQL lets the two runs overlap; SQLite's ``BEGIN IMMEDIATE`` already makes the second
run wait for the first one's commit, so the test is skipped there.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from scheduler.calendars import invites
from scheduler.extensions import db
from tests.calendar_world import first_plan, make_world, outbox, publish_plan
from tests.drafts import utc

NOW = utc(2027, 3, 1, 12)
TWO_DAYS_BEFORE = utc(2027, 3, 14, 10)  # the 16 March 09:00 session is due


def test_two_reminder_runs_at_once_remind_each_person_once(app, monkeypatch):
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite runs one writer at a time: two runs cannot overlap")
        world = make_world()
        publish_plan(world, first_plan(world))
        before = len(outbox())
        db.session.commit()

    # Each run, at its first reminder, waits for the other run to get there too: without a claim
    # both have read "not reminded yet" and both queue. With one, the second run's claim waits
    # for the first run's commit and then finds the reminder taken (the wait then times out).
    arrived = [threading.Event(), threading.Event()]
    queue_message = invites.queue_message
    local = threading.local()

    def meeting_queue_message(message):
        if not getattr(local, "met", False):
            local.met = True
            arrived[local.run].set()
            arrived[1 - local.run].wait(timeout=5)
        return queue_message(message)

    monkeypatch.setattr("scheduler.calendars.invites.queue_message", meeting_queue_message)
    counts = [None, None]

    def run(index: int) -> None:
        local.run = index
        with app.app_context():
            counts[index] = invites.queue_due_reminders(now=TWO_DAYS_BEFORE)

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with app.app_context():
        reminded = Counter(row.recipient for row in outbox()[before:])
    assert sum(c or 0 for c in counts) == 4, counts  # Ana and three learners, once in all
    assert set(reminded.values()) == {1}, reminded
