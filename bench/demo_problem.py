"""Export the demo organisation's planning period as a solver problem document.

    python -m bench.demo_problem -o /tmp/demo-problem.json [--scale 1]

It loads ``scheduler.demo.load_demo(scale=...)`` into a scratch SQLite file (deleted afterwards)
and writes ``scheduler.planning.mapping.period_problem`` of its planning period: the problem a new
user meets first (scale 1: 60 cohorts, ~1,700 learners, 25 facilitators over 5 sites).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path


def demo_problem(scale: int = 1) -> dict:
    """The demo period's problem document, built in a scratch database."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from scheduler import create_app
    from scheduler.demo import load_demo
    from scheduler.extensions import db
    from scheduler.models import PlanningPeriod
    from scheduler.planning.mapping import period_problem

    with tempfile.TemporaryDirectory(prefix="demo-problem-") as scratch:
        os.environ["SCHEDULER_INSTANCE_PATH"] = scratch
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(scratch) / 'demo.sqlite3'}",
                "TRUSTED_HOSTS": None,
                "OUTBOX_PATH": str(Path(scratch) / "outbox"),
                "JOBS_SQLITE_PATH": str(Path(scratch) / "jobs.sqlite3"),
            }
        )
        with app.app_context():
            upgrade()
            load_demo(scale=scale)
            db.session.commit()
            period = db.session.scalar(select(PlanningPeriod).order_by(PlanningPeriod.id))
            document = period_problem(period)
            db.session.remove()
            db.engine.dispose()
    return document


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args(argv)
    document = demo_problem(args.scale)
    args.output.write_text(json.dumps(document, indent=1))
    print(f"{args.output}: {len(document['cohorts'])} cohorts, "
          f"{sum(c.get('size', len(c.get('learners', []))) for c in document['cohorts'])} learners, "
          f"{len(document['facilitators'])} facilitators")  # fmt: skip


if __name__ == "__main__":
    main()
