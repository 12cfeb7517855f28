"""A real learning record store for the tests: Ralph on a loopback port, file-system backend.

Ralph runs (through ``tests/ralph_append.py``: its file-system backend appends; see there)
from its own virtualenv (``scripts/install-lrs``, default ``.lrs-venv``); without it
the tests are skipped with the reason, unless ``REQUIRE_LRS`` (set by .ci/run) makes that a
failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "scheduler", "lrs-test-password"
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


def lrs_python() -> Path | None:
    venv = Path(os.environ.get("LRS_VENV", PROJECT / ".lrs-venv"))
    python = venv / "bin" / "python"
    return python if python.exists() else None


@dataclass
class Lrs:
    url: str  # the xAPI endpoint, e.g. http://127.0.0.1:5123/xAPI
    process: subprocess.Popen
    log: Path

    def statements(self, verb: str | None = None, **params) -> list[dict]:
        """Every stored statement matching ``params`` (xAPI GET), following ``more`` links.

        ``verb`` is matched here: Ralph's file-system backend does not filter by verb."""
        found = self._get(**params)
        return [s for s in found if verb is None or s["verb"]["id"] == verb]

    def _get(self, **params) -> list[dict]:
        found, answer = (
            [],
            requests.get(
                f"{self.url}/statements",
                params=params,
                auth=(USER, PASSWORD),
                headers=XAPI_HEADERS,
                timeout=10,
            ),
        )
        while True:
            assert answer.status_code == 200, answer.text
            body = answer.json()
            if "statements" not in body:  # a single statement (statementId=...)
                return [body]
            found += body["statements"]
            if not body.get("more"):
                return found
            answer = requests.get(
                self.url.rsplit("/xAPI", 1)[0] + body["more"],
                auth=(USER, PASSWORD),
                headers=XAPI_HEADERS,
                timeout=10,
            )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_lrs(folder: Path, port: int | None = None) -> Lrs:
    python = lrs_python()
    if python is None:
        reason = "Ralph is not installed (scripts/install-lrs)"
        if os.environ.get("REQUIRE_LRS") or os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    folder.mkdir(parents=True, exist_ok=True)
    password_hash = subprocess.run(
        [
            str(python),
            "-c",
            "import bcrypt,sys; print(bcrypt.hashpw(sys.argv[1].encode(), "
            "bcrypt.gensalt(4)).decode())",
            PASSWORD,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    auth = folder / "auth.json"
    auth.write_text(
        json.dumps(
            [
                {
                    "agent": {"mbox": "mailto:scheduler@example.com", "objectType": "Agent"},
                    "scopes": ["all"],
                    "hash": password_hash,
                    "username": USER,
                }
            ]
        )
    )
    port = port or _free_port()
    env = os.environ | {
        "RALPH_APP_DIR": str(folder / "app"),
        "RALPH_AUTH_FILE": str(auth),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "statements"),
    }
    log = folder / "ralph.log"
    with log.open("a") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [str(python), str(PROJECT / "tests" / "ralph_append.py"), "127.0.0.1", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    lrs = Lrs(f"http://127.0.0.1:{port}/xAPI", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Ralph stopped: {log.read_text()[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/__heartbeat__", timeout=1).ok:
                return lrs
        except requests.RequestException:
            time.sleep(0.2)
    lrs.stop()
    pytest.fail(f"Ralph did not start: {log.read_text()[-2000:]}")
