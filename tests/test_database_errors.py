"""A database that cannot be reached gives a 503 with a plain message, and the app recovers by
itself once it is back (bench/results/log.md records a real PostgreSQL restart under traffic)."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from scheduler.extensions import db
from scheduler.models import Role
from tests.factories import create_user


def test_an_unreachable_database_is_a_503_and_the_next_request_works(
    app, client, auth, monkeypatch
):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coord@example.com")
        db.session.commit()
    auth.login("coord@example.com")
    real_execute = db.session.execute
    calls = {"failed": 0}

    def down(*args, **kwargs):
        calls["failed"] += 1
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "execute", down)
    monkeypatch.setattr(db.session, "scalars", down)
    response = client.get("/planning")
    assert response.status_code == 503
    assert "The database cannot be reached right now" in response.get_data(as_text=True)
    assert calls["failed"] >= 1
    monkeypatch.setattr(db.session, "execute", real_execute)
    monkeypatch.undo()
    assert client.get("/planning").status_code == 200
