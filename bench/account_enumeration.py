"""Measure whether sign-in and "forgot password" answer as fast for an unknown e-mail as for an
account's (issue 15: 160 vs 15 ms and 12 vs 7 ms before the fix).

    python -m bench.account_enumeration --requests 40

Runs the app in-process (Flask test client, a fresh SQLite file in a temporary folder, no job
worker), alternates a known and an unknown address so that both see the same machine load, and
prints the median time of each and their ratio, as Markdown. Lockout and reset limits are raised
so that every request takes its ordinary path.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

KNOWN = "ana@example.com"
UNKNOWN = "nobody@example.com"


def _app(directory: Path):
    os.environ["SCHEDULER_INSTANCE_PATH"] = str(directory)
    from flask_migrate import upgrade

    from scheduler import create_app
    from scheduler.auth.operations import create_user
    from scheduler.extensions import db
    from scheduler.models import Role

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.sqlite3'}",
            "TRUSTED_HOSTS": None,
            "WTF_CSRF_ENABLED": False,
            "JOBS_SQLITE_PATH": str(directory / "jobs.sqlite3"),
            "LOG_JSON": False,
            "LOGIN_ACCOUNT_LIMIT": 10**6,
            "LOGIN_ADDRESS_LIMIT": 10**6,
        }
    )
    with app.app_context():
        upgrade()
        create_user(KNOWN, "Ana", Role.COORDINATOR, "the right password")
        db.session.commit()
    return app


def _median_ms(client, path: str, data: dict, requests: int) -> dict[str, float]:
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    for _ in range(requests):
        for email in (KNOWN, UNKNOWN):
            started = time.perf_counter()
            response = client.post(path, data={"email": email, **data})
            times[email].append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 302), response.status_code
    return {email: statistics.median(values) for email, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="requests per address and page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        client = app.test_client()
        client.post("/login", data={"email": UNKNOWN, "password": "x"})  # warm up both paths
        rows = [
            ("POST /login (wrong password)", "/login", {"password": "a wrong password"}),
            ("POST /password/forgot", "/password/forgot", {}),
        ]
        print("| request | known e-mail (ms) | unknown e-mail (ms) | unknown / known |")
        print("|---|---|---|---|")
        for label, path, data in rows:
            medians = _median_ms(client, path, data, args.requests)
            ratio = medians[UNKNOWN] / medians[KNOWN]
            print(f"| {label} | {medians[KNOWN]:.1f} | {medians[UNKNOWN]:.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
