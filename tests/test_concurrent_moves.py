"""Two coordinators moving the same session at the same moment: exactly one wins, the other is
told the plan changed (and by whom), and nothing of the loser's is saved."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import AuditEntry, PlanningPeriod, Role, ScheduleVersion, SessionPin
from tests.factories import PASSWORD, create_user
from tests.test_adjustments import Plan, move, session_of


@pytest.fixture
def plan(app):
    """The adjustments tests' plan: two sections of a two-session program, March 2027."""
    with app.app_context():
        yield Plan()


def signed_in(app, email):
    """A client signed in as ``email``. The sign-in runs in a thread of its own: this thread
    holds the fixture's app context, whose ``g`` would keep the previous request's user."""
    client = app.test_client()
    (response,) = race([lambda: client.post("/login", data={"email": email, "password": PASSWORD})])
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client


def race(actions) -> list:
    """Run the actions at the same moment, each in its own thread; return their results."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        barrier.wait()
        try:
            results[index] = action()
        except Exception as error:  # reported by the caller's assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_coordinators_moving_one_session_at_once_exactly_one_wins(app, plan):
    version = plan.published()
    create_user(Role.COORDINATOR, email="ben@example.com", name="Ben Coordinator")
    db.session.commit()
    session_id, seen = session_of(version, "S1", 1).id, plan.period.version
    db.session.commit()  # read first, then race: this thread holds no transaction meanwhile
    clients = [signed_in(app, "coordinator@example.com"), signed_in(app, "ben@example.com")]
    starts = ["2027-03-04T10:00", "2027-03-04T14:00"]
    db.session.commit()  # read first, then race: this thread holds no transaction meanwhile
    responses = race(
        [
            lambda c=client, s=start: move(c, session_id, s, "ana", "r1", seen)
            for client, start in zip(clients, starts, strict=True)
        ]
    )
    statuses = sorted(str(getattr(r, "status_code", repr(r))) for r in responses)
    assert statuses == ["200", "302"], [
        (r.status_code, r.headers.get("Location")) for r in responses
    ]
    loser = next(r for r in responses if r.status_code == 200).get_data(as_text=True)
    assert "Someone published or changed this plan since you opened it." in loser
    assert "Latest change:" in loser and "moved Security basics section S1 session 2" in loser
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ScheduleVersion.id))) == 2  # published + 1 draft
    assert db.session.scalar(select(func.count(SessionPin.id))) == 1
    moves = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "move")).all()
    assert len(moves) == 1
    assert db.session.get(PlanningPeriod, plan.period.id).version == seen + 1


def test_two_coordinators_pinning_and_moving_at_once_exactly_one_wins(app, plan):
    version = plan.published()
    create_user(Role.COORDINATOR, email="ben@example.com", name="Ben Coordinator")
    db.session.commit()
    session_id, seen = session_of(version, "S1", 1).id, plan.period.version
    db.session.commit()  # read first, then race: this thread holds no transaction meanwhile
    mover, pinner = signed_in(app, "coordinator@example.com"), signed_in(app, "ben@example.com")
    db.session.commit()  # read first, then race: this thread holds no transaction meanwhile
    responses = race(
        [
            lambda: move(mover, session_id, "2027-03-04T10:00", "ana", "r1", seen),
            lambda: pinner.post(
                f"/planning/sessions/{session_id}/pin", data={"period_version": seen}
            ),
        ]
    )
    assert all(getattr(r, "status_code", None) in (200, 302) for r in responses), responses
    db.session.expire_all()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action != "publish")).all()
    assert len(entries) == 1, [e.summary for e in entries]
    assert db.session.get(PlanningPeriod, plan.period.id).version == seen + 1
    assert db.session.scalar(select(func.count(SessionPin.id))) == 1
