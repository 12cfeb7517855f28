"""When a coordinator sees the first schedule: seconds from a solve job's start to its first cost
in the job's row (what the progress page shows), on the demo scaled up.

    python -m bench.first_progress --scales 1 8 34 --time-limit 20
    python -m bench.first_progress --scales 167 --staff 70 --dir /tmp/fp --keep

``bench.first_schedule`` times the engine alone, from ``solve()`` on a parsed problem. This times
what comes before it too: the period read from the database (``planning.mapping``), the problem
checked (``solver.validate``), above the split threshold the whole problem's greedy plan as a
document (``solving.tasks._first_pass``), and the monitor's write of the first cost. Each scale
gets a fresh SQLite database with ``load_demo(scale=...)`` (scale 1: 60 cohorts, 1,500 learners);
the job runs ``solving.tasks.solve_period`` in a thread, as a worker does (started, so the engine
is loaded: ``solving.tasks.load_engine``), and a process of its own reads the job's row every
10 ms in short transactions, as the progress page does from the web process. The job is
cancelled once its first cost is seen (a split one runs its parts to their time limit: immediate
mode). The row's first count of the first
schedule's sections (``SolveJob.stage``, what the page says before the first cost) is timed too.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path


def first_cost(app, job_id: int, limit: float) -> tuple[float | None, float | None, float | None]:
    """(seconds from the job's start to its first cost in its row, that cost, seconds to the
    first count of the first schedule's sections in its row: ``SolveJob.stage``); the job runs
    in a thread of its own and is cancelled once the cost is seen.

    The row is read from a process of its own (``_read_row``), as the progress page reads it
    from the web process: read from the worker's process, every 10 ms, it took the GIL from the
    job and made the first cost 0.07-0.3 s later on 10,000 cohorts (bench/results/log.md)."""
    import multiprocessing

    from sqlalchemy import update

    from scheduler.extensions import db
    from scheduler.models import SolveJob
    from scheduler.solving.tasks import solve_period

    def work() -> None:
        with app.app_context():
            solve_period(job_id)

    url = db.engine.url.render_as_string(hide_password=False)  # str() masks the password
    spawn = multiprocessing.get_context("spawn")
    seen, sent = spawn.Pipe(duplex=False)
    reader = spawn.Process(target=_read_row, args=(url, job_id, limit, sent), daemon=True)
    reader.start()
    sent.close()
    if not seen.poll(60) or seen.recv() != "ready":
        raise RuntimeError("the process reading the job's row did not start")
    worker = threading.Thread(target=work, daemon=True)
    started = time.monotonic()
    worker.start()
    found: tuple[float | None, float | None, float | None] = (None, None, None)
    while time.monotonic() - started < limit and (worker.is_alive() or seen.poll()):
        if seen.poll(0.05):
            cost_at, cost, counted_at = seen.recv()
            found = (
                None if cost_at is None else cost_at - started,
                cost,
                None if counted_at is None else counted_at - started,
            )
            break
    reader.kill()
    reader.join()
    with db.engine.begin() as connection:
        connection.execute(
            update(SolveJob).where(SolveJob.id == job_id).values(cancel_requested=True)
        )
    worker.join()
    return found


def _read_row(url: str, job_id: int, limit: float, sent) -> None:
    """The job's row read every 10 ms in short transactions, in a process of its own; sends
    "ready" once connected, then (when the first cost was seen, that cost, when the first count
    of sections was seen) as ``time.monotonic`` times (one clock for all processes)."""
    from sqlalchemy import create_engine, select

    from scheduler.models import SolveJob

    engine = create_engine(url)
    with engine.connect() as connection:  # connected, the model's columns compiled
        connection.execute(select(SolveJob.best_cost).where(SolveJob.id == job_id)).all()
    sent.send("ready")
    counted = None
    ends = time.monotonic() + limit
    while time.monotonic() < ends:
        with engine.connect() as connection:
            cost, stage = connection.execute(
                select(SolveJob.best_cost, SolveJob.stage).where(SolveJob.id == job_id)
            ).one()
        now = time.monotonic()
        if counted is None and stage in ("previous", "new"):
            counted = now
        if cost is not None:
            sent.send((now, cost, counted))
            return
        time.sleep(0.01)
    sent.send((None, None, counted))


def measure(
    scale: int, time_limit: int, directory: Path, staff: int = 1, keep: bool = False
) -> dict:
    """One row: a fresh database with the demo at ``scale`` (its facilitators and rooms times
    ``staff``), one solve job timed. With ``keep``, a database left in ``directory`` by an earlier
    run of the same scale and staff is used again (loading 10,000 cohorts takes minutes): the
    job's answer is a draft, which the next job's problem does not read."""
    from bench.pages import _app

    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "bench.sqlite3"
    loaded = keep and database.exists()
    if not loaded:
        database.unlink(missing_ok=True)
    app = _app(directory)
    app.config["JOBS_IMMEDIATE"] = True  # a split job's parts run in its thread
    with app.app_context():
        from flask_migrate import upgrade
        from sqlalchemy import func, select

        from scheduler.demo import load_demo
        from scheduler.extensions import db
        from scheduler.jobs import queue
        from scheduler.models import Cohort, Facilitator, Learner, PlanningPeriod, SolveJob
        from solver.decompose import MAX_PART_COHORTS

        upgrade()
        if not loaded:
            load_demo(scale=scale, staff=staff)
            db.session.commit()
        period = db.session.scalar(select(PlanningPeriod))
        cohorts = db.session.scalar(select(func.count(Cohort.id)))
        learners = db.session.scalar(select(func.count(Learner.id)))
        job = SolveJob(period_id=period.id, time_limit_seconds=time_limit)
        db.session.add(job)
        db.session.flush()
        job_id = job.id  # read before the commit: a reload would hold SQLite's write lock
        db.session.commit()
        db.session.close()
        queue.worker_starting(app)  # as a worker does before its first job: loads the engine
        load = os.getloadavg()[0]
        seconds, cost, counted = first_cost(app, job_id, limit=time_limit + 60)
        facilitators = db.session.scalar(select(func.count(Facilitator.id)))
        return {
            "scale": scale,
            "facilitators": facilitators,
            "load": round(load, 1),
            "cohorts": cohorts,
            "learners": learners,
            "split": cohorts > app.config.get("SOLVE_PART_COHORTS", MAX_PART_COHORTS),
            "seconds": seconds,
            "cost": cost,
            "counted": counted,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 8, 34])
    parser.add_argument("--time-limit", type=int, default=20)
    parser.add_argument(
        "--staff", type=int, default=1,
        help="facilitators and rooms times this (default 1: the demo's 25 and 15 at every scale)",
    )  # fmt: skip
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument(
        "--keep", action="store_true",
        help="use again a database an earlier run left in --dir for the same scale and staff",
    )  # fmt: skip
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="bench-first-progress-"))
    print(
        "| demo scale | load | cohorts | learners | facilitators | split "
        "| sections counted in the row | first cost in the job's row | cost |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        where = directory / f"scale-{scale}-staff-{args.staff}"
        r = measure(scale, args.time_limit, where, args.staff, args.keep)
        seconds = "none" if r["seconds"] is None else f"{r['seconds']:.2f} s"
        counted = "none" if r["counted"] is None else f"{r['counted']:.2f} s"
        cost = "—" if r["cost"] is None else f"{r['cost']:,.0f}"
        print(
            f"| {r['scale']} | {r['load']} | {r['cohorts']:,} | {r['learners']:,} "
            f"| {r['facilitators']:,} | {'yes' if r['split'] else 'no'} | {counted} | {seconds} "
            f"| {cost} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
