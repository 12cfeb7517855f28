"""Fault script: restart PostgreSQL while the app serves traffic, and watch it recover by itself.

    sudo-or-root$ /work/venv/bin/python -m bench.faults pg-restart --seconds 20

It serves the app with waitress on loopback against a scratch PostgreSQL database, has 8 client
threads request a page that reads the database (``/healthz``) and a signed-in page (``/planning``)
without pause, restarts the PostgreSQL cluster halfway, and reports, per second, the status codes
seen. Expected: 200s, then 503s (never a 500, never a hang) while the server is down, then 200s
again without restarting the app. The result goes to stdout as JSON and a table.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict

from sqlalchemy import create_engine, text
from waitress.server import create_server

SCRATCH = "bench_faults"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def scratch_database() -> str:
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH}"))
        connection.execute(text(f"CREATE DATABASE {SCRATCH}"))
    engine.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{SCRATCH}"


def serve(url: str):
    from flask_migrate import upgrade

    from scheduler import create_app
    from scheduler.extensions import db
    from scheduler.models import Role, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_IMMEDIATE": True})
    with app.app_context():
        upgrade()
        user = User(email="c@example.com", name="C", role=Role.COORDINATOR, timezone="UTC")
        user.set_password("fault-test-password")
        db.session.add(user)
        db.session.commit()
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def signed_in_opener(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": "c@example.com", "password": "fault-test-password"}
    opener.open(f"{base}/login", urllib.parse.urlencode(data).encode(), timeout=10)
    return opener


def client(base, started, stop, seen):
    opener = signed_in_opener(base)
    while not stop.is_set():
        for path in ("/healthz", "/planning"):
            second = int(time.monotonic() - started)
            try:
                status = opener.open(f"{base}{path}", timeout=10).status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:  # a hang or a refused connection: the app did not answer
                status = f"no answer ({type(error).__name__})"
            seen[second][status] += 1


def restart_postgres() -> float:
    cluster = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    version, name = cluster.stdout.split()[:2]
    began = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"], check=True
    )
    return time.monotonic() - began


def pg_restart(seconds: int) -> dict:
    server, base = serve(scratch_database())
    seen: dict[int, Counter] = defaultdict(Counter)
    stop, started = threading.Event(), time.monotonic()
    threads = [threading.Thread(target=client, args=(base, started, stop, seen)) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 2)
    restart_at = round(time.monotonic() - started, 1)
    restart_took = restart_postgres()
    time.sleep(seconds / 2)
    stop.set()
    for thread in threads:
        thread.join()
    server.close()
    totals = sum((counts for counts in seen.values()), Counter())
    return {
        "restart_at_second": restart_at,
        "restart_took_seconds": round(restart_took, 2),
        "per_second": {second: dict(seen[second]) for second in sorted(seen)},
        "totals": {str(status): count for status, count in totals.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=["pg-restart"])
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args(argv)
    result = pg_restart(args.seconds)
    print(json.dumps(result, indent=2, default=str))
    return (
        0
        if "500" not in result["totals"]
        and not any(key.startswith("no answer") for key in result["totals"])
        else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
