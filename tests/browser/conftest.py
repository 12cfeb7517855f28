"""Fixtures of the browser tests: the app served on a free loopback port, and headless Chromium.

The browser is Debian's ``chromium`` (``scripts/install-browser`` installs it); Playwright is
never allowed to download one. The served app uses its own SQLite file, built by the migrations,
whatever database the rest of the suite runs on, and keeps CSRF checks on like production.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from scheduler import create_app
from scheduler.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
# Tests wait for what the page shows, never for fixed seconds, and a loaded machine (2 cores
# shared by a test run, solves and Chromium) can take far longer than Playwright's 5 s default
# to show it: these only matter when something is really broken.
EXPECT_TIMEOUT_MS = 60_000
ACTION_TIMEOUT_MS = 120_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _closing(wsgi_app):
    """The app, with each response's body closed even when the browser drops the connection.

    Werkzeug's development server skips the body's ``close()`` when the client goes away while
    it is answering (a page reloaded while its favicon is on the way): the static file stays
    open until the garbage collector finds it, and the ResourceWarning it raises then fails
    whichever test is running. A generator's ``finally`` runs when it is collected, so the
    file is closed at once. Production serves with waitress, which always closes the body.
    """

    def app(environ, start_response):
        body = wsgi_app(environ, start_response)

        def chunks():
            try:
                yield from body
            finally:
                if hasattr(body, "close"):
                    body.close()

        return chunks()

    return app


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture
def live_server(tmp_path):
    """The app on http://127.0.0.1:<free port>, served from a thread."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.sqlite3'}",
            "TRUSTED_HOSTS": ["127.0.0.1"],
            "OUTBOX_PATH": str(tmp_path / "outbox"),
            "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


class PatientBrowser:
    """The Playwright browser, whose new pages wait as long as a loaded machine may need."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        return page

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


@pytest.fixture
def browser():
    """Headless Debian Chromium driven by Playwright's sync API (patient: see the timeouts)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium: "
            "run `sudo bash scripts/install-browser`"
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield PatientBrowser(chromium)
        finally:
            chromium.close()
            expect.set_options(timeout=5_000)
