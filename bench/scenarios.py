"""The demo's two ready scenarios against its own plan: what answering "what if" costs and says.

    python -m bench.scenarios --time-limit 20 [--scale 1]

It loads the demo into a scratch SQLite file (deleted afterwards), solves the period (the
current plan) and both demo scenarios with the same time limit and 2 CP-SAT workers, one after
the other, through the app's own code (``scheduler.scenarios``; jobs run immediately), and prints
the comparison table and how long each step of the scenarios' own work took: copying the period
(``period_problem``), building and validating a scenario's problem, checking a schedule, and the
comparison's figures. The load average is printed with every timing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _timed(label: str, func):
    started = time.perf_counter()
    result = func()
    print(f"| {label} | {time.perf_counter() - started:.2f} | {_load()} |")
    return result


def run(time_limit: int, scale: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from scheduler import create_app
    from scheduler.demo import load_demo
    from scheduler.extensions import db
    from scheduler.models import PlanningPeriod, Scenario
    from scheduler.planning.mapping import period_problem
    from scheduler.scenarios import comparison, operations
    from scheduler.scenarios.util import problem_of
    from scheduler.solving.operations import queue_solve
    from solver import check, parse_problem

    with tempfile.TemporaryDirectory(prefix="bench-scenarios-") as scratch:
        os.environ["SCHEDULER_INSTANCE_PATH"] = scratch
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(scratch) / 'demo.sqlite3'}",
                "TRUSTED_HOSTS": None,
                "OUTBOX_PATH": str(Path(scratch) / "outbox"),
                "JOBS_SQLITE_PATH": str(Path(scratch) / "jobs.sqlite3"),
                "JOBS_IMMEDIATE": True,
                "SOLVER_WORKERS": 2,
            }
        )
        with app.app_context():
            upgrade()
            load_demo(scale=scale)
            period = db.session.scalar(select(PlanningPeriod))
            period.time_limit_seconds = time_limit
            db.session.commit()
            print("| step | seconds | load |\n|---|---|---|")
            _timed("copy the period (period_problem)", lambda: period_problem(period))
            scenarios = list(db.session.scalars(select(Scenario).order_by(Scenario.id)))
            for scenario in scenarios:
                _timed(
                    f"problem of '{scenario.name}' (apply + validate)",
                    lambda s=scenario: problem_of(s),
                )
            _timed("solve the period (current plan)", lambda: queue_solve(period, None))
            for scenario in scenarios:
                _timed(f"solve '{scenario.name}'", lambda s=scenario: operations.queue_solve(s))
            db.session.rollback()
            for scenario in db.session.scalars(select(Scenario).order_by(Scenario.id)):
                assert scenario.schedule is not None, scenario.error
                problem, _ = parse_problem(scenario.solved_problem)
                found = _timed(
                    f"check '{scenario.name}'", lambda p=problem, s=scenario: check(p, s.schedule)
                )
                assert found == [], found
            table = _timed(
                "comparison figures (3 plans)",
                lambda: comparison.compare(period, [s.id for s in scenarios]),
            )
            print()
            print("| | " + " | ".join(c.label for c in table.columns) + " |")
            print("|---" * (len(table.columns) + 1) + "|")
            for label, cells in table.rows():
                values = []
                for cell in cells:
                    value = cell.value
                    if isinstance(value, float) and cell.kind == "share":
                        value = f"{value:.1%}"
                    elif isinstance(value, float):
                        value = f"{value:,.2f}"
                    values.append(f"{value}{' (' + cell.verdict + ')' if cell.verdict else ''}")
                print(f"| {label} | " + " | ".join(values) + " |")
            db.session.remove()
            db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=int, default=20)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args(argv)
    run(args.time_limit, args.scale)


if __name__ == "__main__":
    main()
