"""Benchmark the updates sent when a place changes: the invite-ledger diff over a published
demo period, as a site's street address is saved.

    python -m bench.place_updates --dir /tmp/bench-place

Loads the demo (scale 1) into a fresh SQLite file, plans it with the greedy baseline, publishes
it (which queues every invitation), then times, each in its own transaction:

- ``update_site`` of the site with the most published sessions, with a new street address: the
  diff over the period plus the updates it queues (one REQUEST per person and future session
  there);
- the same address saved again: no change, no diff run;
- the diff alone over the period with nothing left to send (``place_updates.send_updates``, what
  a later change elsewhere in the period costs before its own updates).

Prints the times and the messages queued. Numbers in docs/calendar.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import Counter
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    database = args.dir / "bench.sqlite3"
    database.unlink(missing_ok=True)
    os.environ["SCHEDULER_INSTANCE_PATH"] = str(args.dir)
    from unittest import mock

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from scheduler import create_app
    from scheduler.demo import load_demo
    from scheduler.extensions import db
    from scheduler.models import (
        OutboxMessage,
        PlanningPeriod,
        Role,
        Room,
        ScheduledSession,
        User,
        VersionOrigin,
    )
    from scheduler.planning.mapping import period_problem
    from scheduler.planning.publishing import publish
    from scheduler.planning.versions import published_version, store_version
    from scheduler.sites.operations import update_site
    from solver.greedy import greedy
    from solver.validate import parse_problem

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "TRUSTED_HOSTS": None,
            "OUTBOX_PATH": str(args.dir / "outbox"),
            "JOBS_SQLITE_PATH": str(args.dir / "jobs.sqlite3"),
        }
    )
    # The demo's sessions are in March 2027: "now" is before them, as in the tests.
    now = mock.patch(
        "scheduler.calendars.invites.utcnow",
        lambda: __import__("datetime").datetime(2027, 3, 1, tzinfo=__import__("datetime").UTC),
    )
    with app.app_context(), now:
        upgrade()
        load_demo(today=date(2027, 3, 10))
        db.session.commit()
        period = db.session.scalar(select(PlanningPeriod))
        coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
        problem = period_problem(period)
        parsed, errors = parse_problem(problem)
        assert errors == []
        draft = store_version(period, problem, greedy(parsed), origin=VersionOrigin.SOLVE)
        db.session.commit()
        started = time.perf_counter()
        publish(draft, coordinator)
        published = time.perf_counter() - started
        sent = db.session.scalar(select(func.count(OutboxMessage.id)))
        sites = Counter(
            session.room.site
            for section in published_version(period).sections
            for session in section.sessions
            if session.room is not None
        )
        site, sessions = sites.most_common(1)[0]
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        )
        print(f"publish: {published:.2f} s, {sent} messages queued")
        print(
            f"site {site.name}: {sessions} published sessions in its rooms "
            f"({db.session.scalar(select(func.count(Room.id)).where(Room.site_id == site.id))} rooms)"
        )

        def save(address: str, label: str) -> None:
            before = db.session.scalar(select(func.count(OutboxMessage.id)))
            started = time.perf_counter()
            update_site(
                site, site.key, site.name, site.timezone, site.country, site.subdivision, address
            )
            db.session.commit()
            elapsed = time.perf_counter() - started
            queued = db.session.scalar(select(func.count(OutboxMessage.id))) - before
            print(f"{label}: {elapsed:.2f} s, {queued} messages queued")

        save(site.address + " (new entrance)", "new street address")
        save(site.address, "same address saved again")
        from scheduler.calendars.place_updates import send_updates

        db.session.expire_all()
        started = time.perf_counter()
        queued = send_updates([period.id])
        db.session.commit()
        print(f"diff alone: {time.perf_counter() - started:.2f} s, {queued} messages queued")
        db.session.expire_all()
        total = db.session.scalar(select(func.count(ScheduledSession.id)))
        print(f"period: {total} sessions in all versions")


if __name__ == "__main__":
    main()
