"""The production stack on one machine, under load: PostgreSQL, Redis, gunicorn, Huey workers.

    python -m bench.stack --scale 6 --clients 50 --requests 1500

It makes a scratch PostgreSQL database (``bench_stack``), loads the demo scaled to ``--scale``
(6 ≈ 9,000 learners), solves and publishes the demo period (``bench.pages.setup``), issues a
facilitator's calendar feed, then starts the stack on loopback: gunicorn with 2 worker processes
of 4 threads each (``scheduler:create_app()``, production settings) and 2 ``flask worker``
processes on Redis. ``--clients`` concurrent keep-alive clients fetch each page ``--requests``
times: first on an idle machine, then again while the solver works on the M benchmark
(``bench.generate M --seed 1``, 2 CP-SAT workers) in another process. It prints requests per
second, median and 95th percentile per page, as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.pages import Client, load, percentile, setup, sign_in

PORT = 5078
DATABASE = "bench_stack"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/5"


def scratch_database() -> str:
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    engine.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"


def facilitator_feed(directory: Path, url: str, email: str) -> str:
    """A live calendar feed path of the facilitator ``email``."""
    from sqlalchemy import select

    from bench.pages import _app
    from scheduler.calendars.operations import issue_feed
    from scheduler.extensions import db
    from scheduler.models import Facilitator, FeedKind, User

    with _app(directory, url).app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        facilitator = db.session.scalar(select(Facilitator).where(Facilitator.user_id == user.id))
        _, token = issue_feed(FeedKind.FACILITATOR, facilitator, user)
    return f"/feeds/{token}.ics"


def start_stack(directory: Path, url: str) -> list[subprocess.Popen]:
    env = os.environ | {
        "SCHEDULER_DATABASE_URL": url,
        "SCHEDULER_REDIS_URL": REDIS_URL,
        "SCHEDULER_SECRET_KEY": "bench-only-secret-key",
        "SCHEDULER_ENV": "production",
        "SCHEDULER_INSTANCE_PATH": str(directory),
        "SCHEDULER_LOG_LEVEL": "WARNING",
    }
    bin_dir = Path(sys.executable).parent
    gunicorn = [
        str(bin_dir / "gunicorn"),
        "--workers", "2", "--threads", "4", "--worker-class", "gthread",
        "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning",
        "scheduler:create_app()",
    ]  # fmt: skip
    worker = [str(bin_dir / "flask"), "--app", "scheduler", "worker"]
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen(gunicorn, **quiet)]
    processes += [subprocess.Popen(worker, **quiet) for _ in range(2)]
    for _ in range(150):
        try:
            if Client(PORT).request("GET", "/healthz")[0] == 200:
                return processes
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the stack did not answer /healthz")


def measure(pages, clients: int, requests: int) -> list[dict]:
    rows = []
    for label, cookie, path in pages:
        Client(PORT, cookie).request("GET", path)  # warm
        started = time.perf_counter()
        latencies = load(PORT, cookie, path, clients, requests)
        seconds = time.perf_counter() - started
        rows.append(
            {
                "page": label,
                "rps": round(len(latencies) / seconds, 1),
                "median_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
            }
        )
    return rows


def solving_m(directory: Path) -> subprocess.Popen:
    problem = directory / "m1.json"
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "M", "--seed", "1", "-o", str(problem)], check=True
    )
    command = [sys.executable, "-m", "solver", "solve", str(problem), "-o", os.devnull]
    command += ["--time-limit", "600", "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(15)  # past the greedy plan: CP-SAT is searching on both cores
    return process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=6)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--solve-seconds", type=float, default=20)
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="bench-stack-"))
    url = scratch_database()
    targets = setup(directory, args.scale, args.solve_seconds, database_url=url)
    accounts = targets["accounts"]
    feed = facilitator_feed(directory, url, accounts["facilitator"])
    processes = start_stack(directory, url)
    try:
        pages = [
            ("trivial page (GET /login)", "", "/login"),
            ("facilitator availability", sign_in(PORT, accounts["facilitator"]), "/availability"),
            (
                "manager dashboard (store manager)",
                sign_in(PORT, accounts["manager_store"]),
                f"/team/training?start={targets['plan_start']}",
            ),
            ("facilitator calendar feed", "", feed),
        ]
        idle = measure(pages, args.clients, args.requests)
        solver = solving_m(directory)
        try:
            busy = measure(pages, args.clients, args.requests)
        finally:
            solver.kill()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    print(report(targets, idle, busy, args))
    return 0


def report(targets, idle, busy, args) -> str:
    lines = [
        f"{targets['learners']:,} learners (scale {targets['scale']}), "
        f"{targets['sessions']:,} published sessions; {args.clients} clients, "
        f"{args.requests} requests per page; gunicorn 2 processes × 4 threads, 2 Huey workers on "
        f"Redis, PostgreSQL; {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "",
        "| page | idle: req/s | median ms | p95 ms | M solve running: req/s | median ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for calm, loaded in zip(idle, busy, strict=True):
        lines.append(
            f"| {calm['page']} | {calm['rps']} | {calm['median_ms']} | {calm['p95_ms']} "
            f"| {loaded['rps']} | {loaded['median_ms']} | {loaded['p95_ms']} |"
        )
    return "\n".join(lines) + "\n\n" + json.dumps({"idle": idle, "busy": busy})


if __name__ == "__main__":
    raise SystemExit(main())
