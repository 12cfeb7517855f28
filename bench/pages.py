"""Benchmark pages under load: the manager's team view, a cost report, the facilitator's
availability page and the review page with its calendar's events against a trivial page, on the demo scaled up, served by waitress on loopback.

    python -m bench.pages setup --scale 6 --dir /tmp/bench-pages     # once: demo, solve, publish
    python -m bench.pages run --dir /tmp/bench-pages --clients 50 --requests 2000
    python -m bench.pages run --dir /tmp/bench-pages --workers 2 --threads 4   # gunicorn
    python -m bench.pages run --dir /tmp/bench-pages --only review             # review pages only

``setup`` loads ``load_demo(scale=...)`` (scale 1 ≈ 1,500 learners) into a fresh SQLite file,
solves the demo period (greedy baseline, then ``solver.solve`` for ``--time-limit`` seconds) and
publishes it. ``run`` starts ``waitress`` in a child process (8 threads, as ``cohort-scheduler
serve``; or gunicorn with ``--workers`` processes), signs one client session in per role, warms each page once, then has ``--clients``
threads, each with its own keep-alive connection, fetch one page ``--requests`` times in total;
it prints the median and 95th percentile latency per page, as Markdown.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

PASSWORD = "bench-password"
PORT = 5077


def _app(directory: Path, database_url: str | None = None):
    os.environ["SCHEDULER_INSTANCE_PATH"] = str(directory)
    from scheduler import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{directory / 'bench.sqlite3'}",
            "TRUSTED_HOSTS": None,
            "OUTBOX_PATH": str(directory / "outbox"),
            "JOBS_SQLITE_PATH": str(directory / "jobs.sqlite3"),
            # `run --cold`: every view builds its page, as the first view after a change does.
            "PAGE_CACHE": os.environ.get("BENCH_PAGE_CACHE", "1") == "1",
        }
    )


def setup(directory: Path, scale: int, time_limit: float, database_url: str | None = None) -> dict:
    """Fresh database, scaled demo, a solved and published demo period; returns the targets.

    ``database_url`` names an empty database to use instead of a SQLite file (bench.stack)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from scheduler.demo import load_demo
    from scheduler.extensions import db
    from scheduler.learners.util import team_manager_ids
    from scheduler.models import Facilitator, Learner, PlanningPeriod, Role, User, VersionOrigin
    from scheduler.planning.mapping import period_problem
    from scheduler.planning.publishing import publish
    from scheduler.planning.versions import store_version
    from solver import candidates, parse_problem
    from solver.greedy import greedy_plan
    from solver.plan import price
    from solver.solve import solve

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bench.sqlite3").unlink(missing_ok=True)
    app = _app(directory, database_url)
    with app.app_context():
        upgrade()
        load_demo(scale=scale)
        db.session.commit()
        learners = db.session.scalar(select(func.count(Learner.id)))
        period = db.session.scalar(select(PlanningPeriod))
        document = period_problem(period)
        problem, errors = parse_problem(document)
        assert problem is not None, errors
        started = time.monotonic()
        greedy = price(candidates.build(problem), greedy_plan(candidates.build(problem)))["total"]
        schedule = solve(problem, time_limit=time_limit, workers=2)
        solve_seconds = time.monotonic() - started
        coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
        version = store_version(
            period, document, schedule, origin=VersionOrigin.SOLVE, greedy_cost=greedy
        )
        db.session.flush()
        publish(version, coordinator)
        managers = list(db.session.scalars(select(User).where(User.role == Role.MANAGER)))

        def team_size(manager):
            ids = team_manager_ids(manager)
            return db.session.scalar(
                select(func.count(Learner.id)).where(Learner.manager_id.in_(ids))
            )

        sizes = sorted(((team_size(m), m.email) for m in managers), reverse=True)
        facilitator = db.session.scalar(select(Facilitator).order_by(Facilitator.id))
        accounts = {
            "coordinator": coordinator.email,
            "manager_largest": sizes[0][1],
            "manager_store": "manager@demo.example",
            "facilitator": facilitator.user.email,
        }
        for email in accounts.values():
            user = db.session.scalar(select(User).where(User.email == email))
            user.set_password(PASSWORD)
        db.session.commit()
        targets = {
            "scale": scale,
            "learners": learners,
            "published_version": version.id,
            "sessions": sum(len(s["sessions"]) for s in schedule["sections"]),
            "solve_status": schedule["status"],
            "solve_seconds": round(solve_seconds, 1),
            "largest_team": sizes[0][0],
            "store_team": next(n for n, e in sizes if e == "manager@demo.example"),
            "accounts": accounts,
            "plan_start": period.start.isoformat(),
        }
    (directory / "targets.json").write_text(json.dumps(targets, indent=2))
    return targets


class Client:
    """One keep-alive HTTP connection with its own session cookie."""

    def __init__(self, port: int, cookie: str = "") -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = cookie

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Host": "127.0.0.1"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, text


def sign_in(port: int, email: str) -> str:
    """The session cookie of ``email`` signed in through the login form (CSRF token included)."""
    from urllib.parse import urlencode

    client = Client(port)
    _, page = client.request("GET", "/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token, "no CSRF token on the login page"
    form = urlencode({"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    status, _ = client.request("POST", "/login", form)
    assert status == 302, f"{email} could not sign in ({status})"
    return client.cookie


def load(port: int, cookie: str, path: str, clients: int, requests: int) -> list[float]:
    """Latencies (ms) of ``requests`` GETs of ``path`` by ``clients`` concurrent connections."""
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [requests]
    errors: list[str] = []

    def worker() -> None:
        client = Client(port, cookie)
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            status, _ = client.request("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{path}: {status}")

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:5]
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def server_command(directory: Path, threads: int, workers: int, server: str) -> list[str]:
    """waitress in one process (``cohort-scheduler serve``), gunicorn with ``workers`` processes
    of ``threads`` threads (the production set-up, docs/deploy.md), or granian (a server written
    in Rust: HTTP is parsed outside Python) with ``workers`` processes of ``threads`` threads."""
    bin_dir = Path(sys.executable).parent
    if server == "gunicorn":
        return [
            str(bin_dir / "gunicorn"),
            f"--workers={workers}",
            f"--threads={threads}",
            f"--bind=127.0.0.1:{PORT}",
            "--log-level=warning",
            "bench.pages:gunicorn_app()",
        ]
    if server == "granian":
        return [
            str(bin_dir / "granian"),
            "--interface=wsgi",
            f"--workers={workers}",
            f"--blocking-threads={threads}",
            "--host=127.0.0.1",
            f"--port={PORT}",
            "--log-level=warning",
            "--factory",
            "bench.pages:gunicorn_app",
        ]
    serve = ["serve", "--dir", str(directory), "--threads", str(threads)]
    return [sys.executable, "-m", "bench.pages", *serve]


def gunicorn_app():
    """The app gunicorn serves: the benchmark's database, named by ``BENCH_DIR``."""
    return _app(Path(os.environ["BENCH_DIR"]))


#: wrk's report, written by its ``done`` hook: requests, errors, median and p95 in microseconds.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


def wrk_load(port: int, cookie: str, path: str, clients: int, seconds: int) -> tuple:
    """Median and p95 latency (ms) and the number of requests of ``clients`` connections of wrk
    (Debian's ``wrk``, a C load generator: it leaves the CPU to the server) for ``seconds``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    # A 60 s timeout rather than wrk's 2 s: a slow page must show in the latencies, not as errors.
    command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "60s", "-s", script.name]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(script.name)
    found = re.search(r"WRK (\d+) (\d+) (\d+) (\d+)", out)
    count, errors, median, p95 = map(int, found.groups())
    assert errors == 0, f"{path}: {errors} errors\n{out}"
    return median / 1000, p95 / 1000, count


def run(
    directory: Path,
    clients: int,
    requests: int,
    threads: int,
    workers: int = 1,
    wrk_seconds: int = 0,
    server_name: str = "",
    cold: bool = False,
    only: str = "",
) -> str:
    targets = json.loads((directory / "targets.json").read_text())
    accounts = targets["accounts"]
    env = os.environ | {"SCHEDULER_INSTANCE_PATH": str(directory), "BENCH_DIR": str(directory)}
    env["BENCH_PAGE_CACHE"] = "0" if cold else "1"
    server_name = server_name or ("gunicorn" if workers > 1 else "waitress")
    server = subprocess.Popen(server_command(directory, threads, workers, server_name), env=env)
    try:
        for _ in range(100):
            try:
                Client(PORT).request("GET", "/login")
                break
            except OSError:
                time.sleep(0.2)
        week = targets["plan_start"]
        week_end = (date.fromisoformat(week) + timedelta(days=7)).isoformat()
        version = targets["published_version"]
        pages = [
            ("trivial page (GET /login, anonymous)", "", "/login"),
            (
                "manager view, store manager",
                accounts["manager_store"],
                f"/team/training?start={week}",
            ),
            (
                "manager view, largest team",
                accounts["manager_largest"],
                f"/team/training?start={week}",
            ),
            ("cost report", accounts["coordinator"], f"/reports/versions/{version}/cost"),
            ("cost model", accounts["coordinator"], "/reports/cost-model"),
            ("facilitator availability", accounts["facilitator"], "/availability"),
            ("review page (calendar)", accounts["coordinator"], f"/planning/versions/{version}"),
            (
                "review calendar events, one week",
                accounts["coordinator"],
                f"/planning/versions/{version}/events.json?start={week}&end={week_end}",
            ),
        ]
        if only:
            pages = [pages[0]] + [page for page in pages[1:] if only in page[0]]
        lines = [
            "| page | median ms | p95 ms | p95 / trivial p95 | requests | bytes |",
            "|---|---|---|---|---|---|",
        ]
        trivial = None
        for label, email, path in pages:
            cookie = sign_in(PORT, email) if email else ""
            load(PORT, cookie, path, 1, 3)  # warm up (first cost report prices the schedule)
            if wrk_seconds:
                median, p95, count = wrk_load(PORT, cookie, path, clients, wrk_seconds)
            else:
                latencies = load(PORT, cookie, path, clients, requests)
                median, p95 = statistics.median(latencies), percentile(latencies, 0.95)
                count = len(latencies)
            trivial = trivial or p95
            size = len(Client(PORT, cookie).request("GET", path)[1].encode())
            lines.append(
                f"| {label} | {median:.1f} | {p95:.1f} | {p95 / trivial:.2f} | {count} | {size:,} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    served = (
        f"waitress {threads} threads"
        if server_name == "waitress"
        else f"{server_name} {workers} × {threads} threads"
    ) + (", page cache off" if cold else "")
    header = (
        f"{targets['learners']} learners (scale {targets['scale']}), {targets['sessions']} published "
        f"sessions; largest team {targets['largest_team']} learners, store team "
        f"{targets['store_team']}; {clients} clients, {served}; "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    return header + "\n\n" + "\n".join(lines)


def serve(directory: Path, threads: int) -> None:
    from waitress import serve as waitress_serve

    waitress_serve(_app(directory), host="127.0.0.1", port=PORT, threads=threads, _quiet=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("setup", "run", "serve"):
        command = sub.add_parser(name)
        command.add_argument("--dir", type=Path, default=Path("/tmp/bench-pages"))
        command.add_argument("--threads", type=int, default=8)
    sub.choices["setup"].add_argument("--scale", type=int, default=6)
    sub.choices["setup"].add_argument("--time-limit", type=float, default=20)
    sub.choices["run"].add_argument("--clients", type=int, default=50)
    sub.choices["run"].add_argument("--requests", type=int, default=2000)
    sub.choices["run"].add_argument(
        "--workers", type=int, default=1, help="above 1: gunicorn with this many processes"
    )
    sub.choices["run"].add_argument(
        "--server",
        choices=("waitress", "gunicorn", "granian"),
        default="",
        help="default: waitress for 1 worker, gunicorn for more",
    )
    sub.choices["run"].add_argument(
        "--cold", action="store_true", help="page cache off: every view builds its page"
    )
    sub.choices["run"].add_argument(
        "--only", default="", help="only the pages whose label holds this (and the trivial one)"
    )
    sub.choices["run"].add_argument(
        "--wrk", type=int, default=0, metavar="SECONDS", help="load each page with wrk this long"
    )
    args = parser.parse_args(argv)
    if args.command == "setup":
        print(json.dumps(setup(args.dir, args.scale, args.time_limit), indent=2))
    elif args.command == "run":
        print(
            run(
                args.dir,
                args.clients,
                args.requests,
                args.threads,
                args.workers,
                args.wrk,
                args.server,
                args.cold,
                args.only,
            )
        )
    else:
        serve(args.dir, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
