"""Sign-in and forgotten-password requests do the same work whether or not the e-mail has an
account, so neither their answers nor their timing tell which addresses have one (issue 15).

Nothing here is timed (bench/account_enumeration.py measures): the tests count the work.
"""

from __future__ import annotations

import pytest

from scheduler.auth import util
from scheduler.extensions import db
from scheduler.models import Role, User
from scheduler.models import accounts as accounts_module
from tests.factories import PASSWORD, create_user


@pytest.fixture
def accounts(app):
    with app.app_context():
        create_user(Role.COORDINATOR, email="ana@example.com")
        create_user(Role.FACILITATOR, email="gone@example.com", is_enabled=False)
        db.session.commit()


@pytest.fixture
def hash_checks(monkeypatch):
    """The password hashes the sign-in compares against, one entry per check (wherever the
    check is made from)."""
    checked = []
    real = util.check_password_hash

    def spy(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(util, "check_password_hash", spy)
    monkeypatch.setattr(accounts_module, "check_password_hash", spy)
    return checked


@pytest.mark.parametrize(
    ("email", "password", "signed_in"),
    [
        ("ana@example.com", PASSWORD, True),
        ("ana@example.com", "a wrong password", False),
        ("nobody@example.com", PASSWORD, False),  # no such account
        ("gone@example.com", PASSWORD, False),  # a disabled account
    ],
)
def test_every_sign_in_checks_exactly_one_hash_of_the_same_cost(
    app, client, accounts, hash_checks, email, password, signed_in
):
    response = client.post("/login", data={"email": email, "password": password})
    assert (response.status_code == 302) is signed_in
    assert len(hash_checks) == 1
    with app.app_context():
        real_hash = db.session.query(User).filter_by(email="ana@example.com").one().password_hash
    # "scrypt:32768:8:1$salt$hash": the same algorithm and parameters as a real account's.
    assert hash_checks[0].split("$")[0] == real_hash.split("$")[0]
