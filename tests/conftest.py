"""Fixtures shared by the app's tests: ``app``, ``client``, ``runner``, ``auth`` and ``db_session``.

The database is SQLite in a temporary folder unless ``TEST_DATABASE_URL`` names another one
(the CI runs the whole suite a second time on PostgreSQL). The schema is built once per run by
the Alembic migrations, so the migrations themselves are tested; every test then starts from
empty tables.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import text

from scheduler import create_app
from scheduler.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

# Speed is measured in bench/, never asserted by a test: hypothesis's default 200 ms deadline
# per example failed a property test once on a busy 2-core machine (issue 7, 24 Nov 2026).
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database, its schema upgraded to the newest migration."""
    instance = tmp_path_factory.mktemp("instance")
    url = TEST_DATABASE_URL or f"sqlite:///{instance / 'test.sqlite3'}"
    app = create_app(_test_config(url, instance))
    with app.app_context():
        from flask_migrate import downgrade, upgrade

        if TEST_DATABASE_URL:
            downgrade(revision="base")  # a previous run may have left tables behind
        upgrade()
        db.engine.dispose()
    return url


def _test_config(url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test",
        "TRUSTED_HOSTS": None,
        "OUTBOX_PATH": str(instance / "outbox"),
        "JOBS_SQLITE_PATH": str(instance / "jobs.sqlite3"),  # a queue no worker takes from
    }


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh app on empty tables."""
    app = create_app(_test_config(database_url, tmp_path))
    with app.app_context():
        _empty_all_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(database_url, tmp_path):
    """Like ``app`` but with CSRF checks on, for the tests that prove they are enforced."""
    config = _test_config(database_url, tmp_path) | {"WTF_CSRF_ENABLED": True}
    app = create_app(config)
    with app.app_context():
        _empty_all_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class AuthActions:
    """Sign a test client in and out."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "correct horse battery"):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
