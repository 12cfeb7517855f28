"""The audit log: every publish, move, pin, lock and release, with who and when, and its page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import AuditEntry, Role, SessionPin
from tests.factories import create_user
from tests.test_adjustments import Plan, login, move, session_of


@pytest.fixture
def plan(app):
    """The adjustments tests' plan: two sections of a two-session program, March 2027."""
    with app.app_context():
        yield Plan()


def entries() -> list[tuple[str, str, str]]:
    db.session.expire_all()
    return [
        (e.action, e.user_name, e.summary)
        for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_publish_move_pin_lock_and_release_are_each_logged_with_who(app, client, plan):
    version = plan.published()
    name = plan.coordinator.name
    assert entries() == [("publish", name, "published version 1")]
    login(client)
    session = session_of(version, "S1", 1)
    move(client, session.id, "2027-03-04T10:00", "ana", "r1", plan.period.version)
    other = session_of(version, "S2", 0)
    client.post(f"/planning/sessions/{other.id}/lock", data={"period_version": 2})
    pin_id = db.session.scalar(select(SessionPin.id).where(SessionPin.section_key == "S2"))
    client.post(f"/planning/pins/{pin_id}/release", data={"period_version": 3})
    assert entries()[1:] == [
        ("move", name, "moved Security basics section S1 session 2 to 2027-03-04 10:00 UTC"),
        ("lock", name, "locked Security basics section S2 session 1"),
        ("unlock", name, "unlocked section S2 session 1"),
    ]
    page = client.get("/audit").get_data(as_text=True)
    assert "moved Security basics section S1 session 2" in page and name in page
    assert client.get(f"/audit?period={plan.period.id}").status_code == 200


def test_a_refused_change_leaves_no_audit_entry(app, client, plan):
    version = plan.published()
    login(client)
    session = session_of(version, "S1", 1)
    stale = plan.period.version - 1
    move(client, session.id, "2027-03-04T10:00", "ana", "r1", stale)
    assert [action for action, _, _ in entries()] == ["publish"]


def test_a_stale_change_is_told_who_changed_what(app, client, plan):
    version = plan.published()
    login(client)
    session = session_of(version, "S1", 1)
    seen = plan.period.version
    move(client, session.id, "2027-03-04T10:00", "ana", "r1", seen)
    response = client.post(f"/planning/sessions/{session.id}/pin", data={"period_version": seen},
                           follow_redirects=True)  # fmt: skip
    page = response.get_data(as_text=True)
    assert "Someone published or changed this plan since you opened it." in page
    assert f"Latest change: {plan.coordinator.name} moved Security basics section S1" in page


def test_the_audit_page_is_for_coordinators_only(app, client):
    with app.app_context():
        create_user(Role.FACILITATOR, email="f@example.com")
        db.session.commit()
    client.post("/login", data={"email": "f@example.com", "password": "correct horse battery"})
    assert client.get("/audit").status_code == 403
