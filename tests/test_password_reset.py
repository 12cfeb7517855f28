"""Password reset by e-mail: single-use, expiring, hashed, through the outbox, revealing nothing."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from scheduler import create_app
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import (
    OutboxMessage,
    PasswordResetRequest,
    PasswordResetToken,
    Role,
    User,
)
from tests.factories import PASSWORD, create_user

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def ana(app):
    with app.app_context():
        user_id = create_user(Role.COORDINATOR, email="ana@example.com").id
        db.session.commit()
    return user_id


def ask_reset(client, email, address="10.0.0.1"):
    """Ask for a reset link, then let a worker run the job it queued."""
    response = client.post(
        "/password/forgot",
        data={"email": email},
        environ_overrides={"REMOTE_ADDR": address},
        follow_redirects=True,
    )
    run_queued_jobs(client.application)
    return response


def run_queued_jobs(app) -> list[str]:
    """Run every job waiting in ``app``'s queue, as a worker would; their names."""
    huey = queue.huey(app)
    names = []
    while (task := huey.dequeue()) is not None:
        names.append(task.name)
        huey.execute(task)
    return names


def link_in_outbox(app) -> str:
    with app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        assert message.recipient == "ana@example.com"
        content = message.content.replace("=\r\n", "").replace("=\n", "")
    # Absolute, on the host the request came to (the job runs outside any request).
    (path,) = re.findall(r"(?<=http://localhost)/password/reset/[A-Za-z0-9_\-]+", content)
    return path


def test_the_link_is_mailed_through_the_outbox_and_only_its_hash_is_stored(app, client, ana):
    response = ask_reset(client, "ANA@example.com")
    assert "If an account uses this address" in response.get_data(as_text=True)
    path = link_in_outbox(app)
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        (row,) = db.session.scalars(select(PasswordResetToken)).all()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in row.token_hash


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client, ana):
    known = ask_reset(client, "ana@example.com").get_data(as_text=True)
    unknown = ask_reset(client, "nobody@example.com").get_data(as_text=True)
    assert known == unknown
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_resetting_sets_the_password_and_signs_out_every_other_session(app, ana):
    other_device = app.test_client()
    other_device.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert other_device.get("/").status_code == 200
    client = app.test_client()
    ask_reset(client, "ana@example.com")
    path = link_in_outbox(app)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert other_device.get("/").status_code == 302  # signed out
    with app.app_context():
        user = db.session.get(User, ana)
        assert user.check_password(NEW_PASSWORD) and user.session_version == 2
    signed_in = client.post("/login", data={"email": "ana@example.com", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_a_used_link_is_refused(app, client, ana):
    ask_reset(client, "ana@example.com")
    path = link_in_outbox(app)
    client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.post(
        path, data={"new_password": "yet another passphrase", "confirm": "yet another passphrase"}
    )
    assert again.status_code == 302 and "/password/forgot" in again.headers["Location"]
    with app.app_context():
        assert db.session.get(User, ana).check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused(app, client, ana):
    ask_reset(client, "ana@example.com")
    path = link_in_outbox(app)
    with app.app_context():
        db.session.execute(
            update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    response = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "/password/forgot" in response.headers["Location"]
    with app.app_context():
        assert db.session.get(User, ana).check_password(PASSWORD)


def test_a_made_up_link_is_refused(client, ana):
    response = client.get("/password/reset/not-a-real-token")
    assert response.status_code == 302 and "/password/forgot" in response.headers["Location"]


def mailed(app) -> list[str]:
    """The recipients of the messages in the outbox."""
    with app.app_context():
        return [row.recipient for row in db.session.scalars(select(OutboxMessage))]


def test_asking_does_the_same_work_with_or_without_an_account_and_mails_nothing_yet(app, ana):
    """The request itself neither looks the account up nor writes a mail: the same statements
    run, the same job is queued, and the outbox stays empty until a worker runs the job."""
    client = app.test_client()
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    answers, work, jobs = [], [], []
    for email in ("ana@example.com", "nobody@example.com"):
        seen.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.post("/password/forgot", data={"email": email})
        finally:
            event.remove(engine, "before_cursor_execute", record)
        answers.append((response.status_code, response.headers["Location"]))
        work.append(list(seen))
        jobs.append([(task.name, [type(a) for a in task.args]) for task in pending(app)])
        assert mailed(app) == []
        with app.app_context():
            assert db.session.scalars(select(PasswordResetToken)).all() == []
    assert answers[0] == answers[1] == (302, "/login")
    assert any("INSERT INTO password_reset_request" in s for s in work[0])
    assert work[0] == work[1]
    assert not any(re.search(r"\buser\b", s) for s in work[0])  # no account looked up
    assert jobs[0] == [("auth.send_reset_link", [int, str])]
    assert jobs[1] == jobs[0] * 2  # nobody ran them yet
    assert run_queued_jobs(app) == ["auth.send_reset_link"] * 2
    assert mailed(app) == ["ana@example.com"]


def pending(app):
    with app.app_context():
        return queue.huey(app).pending()


def test_eight_requests_for_one_account_mail_three_links_and_answer_alike(app, client, ana):
    answers = [
        ask_reset(client, "ana@example.com", address=f"10.0.0.{n}").get_data(as_text=True)
        for n in range(8)
    ]
    assert mailed(app) == ["ana@example.com"] * 3
    assert all(answer == answers[0] for answer in answers)


def test_an_account_gets_links_again_an_hour_later(app, client, ana):
    for _ in range(4):
        ask_reset(client, "ana@example.com")
    assert len(mailed(app)) == 3
    with app.app_context():
        long_ago = utcnow() - timedelta(minutes=61)
        db.session.execute(update(PasswordResetToken).values(created_at=long_ago))
        db.session.execute(update(PasswordResetRequest).values(at=long_ago))
        db.session.commit()
    ask_reset(client, "ana@example.com")
    assert len(mailed(app)) == 4


def test_one_address_asking_for_many_accounts_is_limited(app, client, ana):
    for n in range(10):
        ask_reset(client, f"nobody{n}@example.com", address="10.6.6.6")
    limited = ask_reset(client, "ana@example.com", address="10.6.6.6")
    assert mailed(app) == []
    assert "If an account uses this address" in limited.get_data(as_text=True)
    ask_reset(client, "ana@example.com", address="10.0.0.2")
    assert mailed(app) == ["ana@example.com"]


def test_the_account_limit_holds_across_app_processes(app, client, ana, tmp_path):
    """Counts live in the database: a second app (another server) sees the first one's."""
    other = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test",
            "TRUSTED_HOSTS": None,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "JOBS_SQLITE_PATH": str(tmp_path / "other-jobs.sqlite3"),
        }
    )
    try:
        for server in (client, other.test_client()) * 2:
            ask_reset(server, "ana@example.com")
        assert len(mailed(app)) == 3
    finally:
        with other.app_context():
            db.engine.dispose()


def test_an_unreachable_queue_is_said_alike_for_every_address(app, client, ana, monkeypatch):
    def unreachable(*args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(queue, "enqueue", unreachable)
    answers = [
        client.post("/password/forgot", data={"email": email}, follow_redirects=True)
        for email in ("ana@example.com", "nobody@example.com")
    ]
    texts = [answer.get_data(as_text=True) for answer in answers]
    assert texts[0] == texts[1]
    assert "Mail cannot be sent right now" in texts[0]
    assert answers[0].request.path == "/password/forgot"
