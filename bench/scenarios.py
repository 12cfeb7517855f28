"""The demo's two ready scenarios against its own plan: what answering "what if" costs and says.

    python -m bench.scenarios --time-limit 20 [--scale 1]

It loads the demo into a scratch SQLite file (deleted afterwards), solves the period (the
current plan) and both demo scenarios with the same time limit and 2 CP-SAT workers, one after
the other, through the app's own code (``scheduler.scenarios``; jobs run immediately), and prints
the comparison table and how long each step of the scenarios' own work took: loading the demo and,
inside it, making its two scenarios' copies, copying the period (``period_problem``), building and
validating a scenario's problem (uncached), checking a schedule, and the comparison's figures. The load average is printed with every timing.

    python -m bench.scenarios --time-limit 20 --views 10

also times the scenarios' pages afterwards, through the Flask test client (no HTTP server) as
the demo coordinator: each page ``--views`` times with the cache emptied before every view (as
a first view, or every view before the pages were cached) and ``--views`` times as it stands
(cached), interleaved so that both see the same load; medians in milliseconds.
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


def _time_demo_scenarios() -> list[float]:
    """Time the demo loader's ``demo_scenarios`` from inside it: the list gets its seconds."""
    import scheduler.demo as demo

    spent: list[float] = []
    make = demo.demo_scenarios

    def timed(period, coordinator):
        started = time.perf_counter()
        made = make(period, coordinator)
        spent.append(time.perf_counter() - started)
        return made

    demo.demo_scenarios = timed
    return spent


def _views(app, period_id: int, scenario_ids: list[int], views: int) -> None:
    """Median time of each scenario page, built afresh (the cache emptied) and as served."""
    import statistics

    from scheduler.caching import cache
    from scheduler.demo import DEMO_ACCOUNTS

    client = app.test_client()
    _, email, password = DEMO_ACCOUNTS[0]
    signed_in = client.post("/login", data={"email": email, "password": password})
    assert signed_in.status_code == 302, signed_in.status_code
    ids = "&".join(f"ids={i}" for i in scenario_ids)
    pages = [(f"scenario page {i}", f"/scenarios/{i}") for i in scenario_ids] + [
        (
            "change form (remove a facilitator)",
            f"/scenarios/{scenario_ids[0]}/changes/new?kind=remove_facilitator",
        ),
        (
            f"compare ({len(scenario_ids)} scenarios and the plan)",
            f"/planning/{period_id}/scenarios/compare?{ids}",
        ),
    ]

    def timed(path: str) -> float:
        started = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return (time.perf_counter() - started) * 1000

    print("\n| page | built afresh, median ms | cached, median ms | load |\n|---|---|---|---|")
    for label, path in pages:
        fresh, cached = [], []
        for _ in range(views):
            with app.app_context():
                cache.clear()
            fresh.append(timed(path))
            cached.append(timed(path))
        print(
            f"| {label} | {statistics.median(fresh):.1f} | {statistics.median(cached):.1f} "
            f"| {_load()} |"
        )


def run(time_limit: int, scale: int, views: int = 0) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from scheduler import create_app
    from scheduler.demo import load_demo
    from scheduler.extensions import db
    from scheduler.models import PlanningPeriod, Scenario
    from scheduler.planning.mapping import period_problem
    from scheduler.scenarios import comparison, operations
    from scheduler.scenarios.util import scenario_problem
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
                "WTF_CSRF_ENABLED": False,  # the page timings sign in with a bare POST
            }
        )
        with app.app_context():
            upgrade()
            print("| step | seconds | load |\n|---|---|---|")
            copies = _time_demo_scenarios()
            _timed(
                "load the demo (load_demo + commit)",
                lambda: (load_demo(scale=scale), db.session.commit()),
            )
            print(
                f"| of which the scenarios' copies (demo_scenarios) | {copies[0]:.2f} | {_load()} |"
            )
            period = db.session.scalar(select(PlanningPeriod))
            period.time_limit_seconds = time_limit
            db.session.commit()
            _timed("copy the period (period_problem)", lambda: period_problem(period))
            scenarios = list(db.session.scalars(select(Scenario).order_by(Scenario.id)))
            for scenario in scenarios:
                _timed(
                    f"problem of '{scenario.name}' (apply + validate)",
                    lambda s=scenario: scenario_problem(s.base, s.changes),
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
            period_id, scenario_ids = period.id, [s.id for s in scenarios]
            db.session.remove()
        if views:
            _views(app, period_id, scenario_ids, views)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=int, default=20)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument(
        "--views", type=int, default=0, help="then time each scenario page this many times"
    )
    args = parser.parse_args(argv)
    run(args.time_limit, args.scale, args.views)


if __name__ == "__main__":
    main()
