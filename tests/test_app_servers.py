"""The app under the production servers docs/deploy.md names, gunicorn and granian, started as
an operator starts them: a coordinator signs in through the login form (CSRF token included),
pages are served, request ids come back and a foreign host is refused, as under the test client.

granian parses HTTP in Rust rather than in Python; these tests are what says our WSGI app (form
bodies, cookies, redirects, headers) behaves the same under it.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from scheduler.extensions import db
from scheduler.models import Role
from tests.factories import PASSWORD, create_user

BIN = Path(sys.executable).parent
SERVERS = {
    "gunicorn": lambda port: [
        str(BIN / "gunicorn"),
        "--workers=2",
        "--threads=2",
        f"--bind=127.0.0.1:{port}",
        "scheduler:create_app()",
    ],
    "granian": lambda port: [
        str(BIN / "granian"),
        "--interface=wsgi",
        "--workers=2",
        "--blocking-threads=2",
        "--host=127.0.0.1",
        f"--port={port}",
        "--factory",
        "scheduler:create_app",
    ],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Requests over one keep-alive connection, keeping the session cookie like a browser."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: dict | None = None, host="127.0.0.1"):
        headers = {"Host": host, "X-Request-ID": "req-0123456789abcdef"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        encoded = urlencode(body) if body is not None else None
        self.connection.request(method, path, body=encoded, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        if response.getheader("Set-Cookie"):
            self.cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        return response, text


@pytest.fixture
def served(app, tmp_path):
    """Start a server on the test database; yields a function of the server's name."""
    processes: list[tuple[subprocess.Popen, object]] = []

    def start(server: str) -> int:
        if not (BIN / server).exists():
            pytest.fail(f"{server} is not installed: it is in the project's test extras")
        instance = tmp_path / f"{server}-instance"
        instance.mkdir()
        settings = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "server-test",
            "JOBS_SQLITE_PATH": str(instance / "jobs.sqlite3"),
            "OUTBOX_PATH": str(instance / "outbox"),
        }
        lines = [f"{key} = {value!r}" for key, value in settings.items()]
        (instance / "config.py").write_text("\n".join(lines) + "\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEDULER_")}
        env["SCHEDULER_INSTANCE_PATH"] = str(instance)
        port = free_port()
        log = open(instance / "server.log", "wb")  # noqa: SIM115 (closed with the process)
        command = SERVERS[server](port)
        processes.append(
            (subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT), log)
        )
        # Up to 120 s: on a busy 2-core machine a server's start-up (imports, workers) took over
        # 20 s; a server that exits early fails at once with its log.
        started = time.monotonic()
        while time.monotonic() - started < 120 and processes[-1][0].poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"{server} did not start: {(instance / 'server.log').read_text()}")

    yield start
    for process, log in processes:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        finally:
            log.close()  # else a slow shutdown leaks a ResourceWarning into the next test


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_a_coordinator_signs_in_and_works_under_the_server(server, app, served):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    browser = Browser(served(server))
    try:
        signs_in_and_works(browser)
    finally:
        browser.connection.close()


def signs_in_and_works(browser: Browser) -> None:
    response, page = browser.request("GET", "/login")
    assert response.status == 200
    assert response.getheader("X-Request-ID") == "req-0123456789abcdef"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"email": "coordinator@example.com", "password": PASSWORD}
    refused, _ = browser.request("POST", "/login", form)  # no CSRF token: refused
    assert refused.status == 400
    signed_in, _ = browser.request("POST", "/login", form | {"csrf_token": token})
    assert signed_in.status == 302 and signed_in.getheader("Location") == "/"

    home, text = browser.request("GET", "/programs")
    assert home.status == 200 and "No programs yet" in text
    foreign, _ = browser.request("GET", "/programs", host="evil.example")
    assert foreign.status == 400
