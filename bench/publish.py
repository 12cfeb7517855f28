"""Publishing the demo: the confirmation page's reading, the Publish request, and the job.

    python -m bench.publish [--database-url postgresql://...]

Loads the demo (about 1,500 learners) into a fresh database (a temporary SQLite file unless
``--database-url``), stores the greedy plan as a draft, then measures, in this one process:
``mailing(draft)`` (what the confirmation page reads: the invite ledger comparison, one example
of each mail), a GET of the confirmation page, the POST of its button (it only queues the job),
and the job itself run as a worker runs it. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    url = args.database_url or f"sqlite:///{directory / 'bench.sqlite3'}"

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from scheduler import create_app
    from scheduler.demo import load_demo
    from scheduler.extensions import db
    from scheduler.jobs import queue
    from scheduler.models import PlanningPeriod, PublishJob, Role, User, VersionOrigin
    from scheduler.planning.mapping import period_problem
    from scheduler.planning.versions import store_version
    from scheduler.publishing.operations import PUBLISH_TASK
    from scheduler.publishing.util import mailing
    from solver.greedy import greedy
    from solver.validate import parse_problem

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "TRUSTED_HOSTS": None,
            "OUTBOX_PATH": str(directory / "outbox"),
            "JOBS_SQLITE_PATH": str(directory / "jobs.sqlite3"),
        }
    )
    rows = []
    with app.app_context():
        if args.database_url:
            downgrade(revision="base")
        upgrade()
        load_demo(today=date.today())
        coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
        coordinator.set_password("bench-password")
        period = db.session.scalar(select(PlanningPeriod))
        problem = period_problem(period)
        parsed, _ = parse_problem(problem)
        draft = store_version(period, problem, greedy(parsed), origin=VersionOrigin.SOLVE)
        db.session.commit()
        draft_id, email = draft.id, coordinator.email
        started = time.perf_counter()
        found = mailing(draft)
        rows.append(("mailing(draft) (the confirmation's reading)", time.perf_counter() - started))
        people, messages = found.recipients, found.messages
        db.session.remove()

    client = app.test_client()
    client.post("/login", data={"email": email, "password": "bench-password"})
    started = time.perf_counter()
    page = client.get(f"/planning/versions/{draft_id}/publish")
    rows.append(("GET confirmation page", time.perf_counter() - started))
    assert page.status_code == 200, page.status_code
    started = time.perf_counter()
    posted = client.post(f"/planning/versions/{draft_id}/publish")
    rows.append(("POST Publish (queues the job)", time.perf_counter() - started))
    assert posted.headers["Location"].startswith("/publish-jobs/"), posted.headers
    huey = queue.huey(app)
    task = next(t for t in iter(huey.dequeue, None) if t.name == PUBLISH_TASK)
    started = time.perf_counter()
    huey.execute(task)
    rows.append(("the publish job (worker)", time.perf_counter() - started))
    with app.app_context():
        job = db.session.scalar(select(PublishJob))
        assert job.status.value == "finished", job.error
        queued = job.messages

    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Demo: {people:,} people, {messages:,} messages predicted, {queued:,} queued ({backend})\n"
    )
    print("| step | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
