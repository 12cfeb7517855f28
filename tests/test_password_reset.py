"""Password reset by e-mail: single-use, expiring, hashed, through the outbox, revealing nothing."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import OutboxMessage, PasswordResetToken, Role, User
from tests.factories import PASSWORD, create_user

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def ana(app):
    with app.app_context():
        user_id = create_user(Role.COORDINATOR, email="ana@example.com").id
        db.session.commit()
    return user_id


def ask_reset(client, email):
    return client.post("/password/forgot", data={"email": email}, follow_redirects=True)


def link_in_outbox(app) -> str:
    with app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        assert message.recipient == "ana@example.com"
        content = message.content.replace("=\r\n", "").replace("=\n", "")
    (path,) = re.findall(r"/password/reset/[A-Za-z0-9_\-]+", content)
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
