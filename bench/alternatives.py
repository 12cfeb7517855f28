"""Benchmark the move assistant: how long ``solver.alternatives`` takes per session on the demo.

    python -m bench.alternatives --dir /tmp/bench-move --sessions 20 --time-limit 20

Loads ``load_demo(scale=...)`` into a fresh SQLite file in ``--dir``, solves the demo period
(``solver.solve`` for ``--time-limit`` seconds) and times the alternatives of ``--sessions``
sessions spread evenly over the schedule, with the schedule as the published one (the page
passes the published schedule too). Prints a Markdown table: per session the seconds, the
alternatives listed, and the best cost change; then the median and the slowest.

The assistant reads and checks a draft's documents once for all its sessions
(``solver.check_move.read_and_check``): the first session pays for it. ``--cold`` forgets them
before every session, to time the first question about a draft.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path


def demo_documents(directory: Path, scale: int, time_limit: float) -> tuple[dict, dict]:
    """The demo period's problem document and a solved schedule of it."""
    os.environ["SCHEDULER_INSTANCE_PATH"] = str(directory)
    from flask_migrate import upgrade
    from sqlalchemy import select

    from scheduler import create_app
    from scheduler.demo import load_demo
    from scheduler.extensions import db
    from scheduler.models import PlanningPeriod
    from scheduler.planning.mapping import period_problem
    from solver import parse_problem
    from solver.solve import solve

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bench.sqlite3").unlink(missing_ok=True)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.sqlite3'}",
            "TRUSTED_HOSTS": None,
            "OUTBOX_PATH": str(directory / "outbox"),
            "JOBS_SQLITE_PATH": str(directory / "jobs.sqlite3"),
        }
    )
    with app.app_context():
        upgrade()
        load_demo(scale=scale)
        db.session.commit()
        document = period_problem(db.session.scalar(select(PlanningPeriod)))
    problem, errors = parse_problem(document)
    assert problem is not None, errors
    return document, solve(problem, time_limit=time_limit, workers=2)


def measure(
    problem: dict, schedule: dict, sessions: int, cold: bool = False
) -> list[tuple[str, int, float, int, float]]:
    """(section, session from 1, seconds, alternatives listed, best cost change) per session."""
    from solver.alternatives import alternatives
    from solver.check_move import forget

    every = [(s["id"], x["index"]) for s in schedule["sections"] for x in s["sessions"]]
    step = max(1, len(every) // sessions)
    out = []
    for section, index in every[::step][:sessions]:
        if cold:
            forget()
        started = time.monotonic()
        listed = alternatives(problem, schedule, section, index, published=schedule)
        seconds = time.monotonic() - started
        best = listed[0].cost_change if listed else float("nan")
        out.append((section, index + 1, seconds, len(listed), best))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bench-move"))
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--cold", action="store_true", help="read the documents for every session")
    args = parser.parse_args(argv)
    problem, schedule = demo_documents(args.dir, args.scale, args.time_limit)
    rows = measure(problem, schedule, args.sessions, args.cold)
    total = sum(len(s["sessions"]) for s in schedule["sections"])
    print(
        f"Demo scale {args.scale}: {len(problem['cohorts'])} cohorts, "
        f"{len(problem['facilitators'])} facilitators, {len(problem['rooms'])} rooms, "
        f"{total} sessions ({schedule['status']}); Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}{', cold' if args.cold else ''}\n"
    )
    print("| section | session | seconds | listed | best cost change |\n|---|---|---|---|---|")
    for section, index, seconds, listed, best in rows:
        print(f"| {section} | {index} | {seconds:.2f} | {listed} | {best:+.2f} |")
    times = [row[2] for row in rows]
    print(f"\nmedian {statistics.median(times):.2f} s, slowest {max(times):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
