"""``/healthz`` and a job queue that cannot be reached: pages keep working, Solve says why not."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from scheduler.extensions import db
from scheduler.models import JobStatus, PlanningPeriod, Role, SolveJob
from tests.factories import create_user


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_is_public_and_reports_database_and_queue(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["queue"] == {"status": "ok", "ms": body["checks"]["queue"]["ms"],
                                       "backend": "sqlite"}  # fmt: skip
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_naming_the_queue_when_redis_is_down(app, client):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["down"] == ["queue"]
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["queue"]["status"] == "down"
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no configuration leaks


def test_healthz_answers_503_when_the_embedded_queue_file_cannot_open(app, client, tmp_path):
    app.config["JOBS_SQLITE_PATH"] = str(tmp_path / "missing-folder" / "jobs.sqlite3")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["queue"]


def test_healthz_answers_503_naming_the_database_when_it_is_down(database_url, tmp_path):
    from scheduler import create_app

    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "TRUSTED_HOSTS": None,
            "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1",
            "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
        }
    )
    response = broken.test_client().get("/healthz")
    with broken.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json()["down"] == ["database"]


@pytest.fixture
def redis_down_app(app):
    """The app configured for Redis workers while Redis does not answer."""
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    app.config["JOBS_IMMEDIATE"] = False
    app.extensions["jobs"] = None  # rebuild the queue from the new configuration
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        period = PlanningPeriod(
            name="Spring", start=date(2027, 3, 1), end=date(2027, 4, 30), timezone="UTC"
        )
        db.session.add(period)
        db.session.commit()
        app.period_id = period.id
    return app


def test_redis_down_pages_keep_working_and_solve_says_jobs_are_paused(redis_down_app):
    client = redis_down_app.test_client()
    client.post(
        "/login", data={"email": "coordinator@example.com", "password": "correct horse battery"}
    )
    period_id = redis_down_app.period_id
    for page in ("/", "/planning", f"/planning/{period_id}"):
        assert client.get(page).status_code == 200, page
    response = client.post(f"/planning/{period_id}/solve", follow_redirects=True)
    assert response.status_code == 200
    assert "Background jobs are paused: the queue cannot be reached" in response.get_data(
        as_text=True
    )
    with redis_down_app.app_context():
        jobs = db.session.query(SolveJob).all()
        # The refused solve is not left queued forever: it is failed with the reason.
        assert [job.status for job in jobs] == [JobStatus.FAILED]
