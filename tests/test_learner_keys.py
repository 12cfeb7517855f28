"""The learners' keys read on a connection of their own (``scheduler.planning.learner_keys``):
used only when they are what the session itself would read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.database import reading
from scheduler.extensions import db
from scheduler.models import Cohort, CohortMember, Learner
from scheduler.planning.learner_keys import LearnerKeysRead, joined_keys, learner_keys
from tests.factories import create_cohort, create_learner, create_site


def _two_cohorts() -> tuple[int, int]:
    site = create_site()
    shared = create_learner(key="L2")
    first = create_cohort(site=site, learners=[create_learner(key="L3"), shared])
    second = create_cohort(site=site, learners=[shared, create_learner(key="L1")])
    ids = first.id, second.id  # read before the commit: a reload would begin a transaction
    db.session.commit()
    return ids


def _scope():
    return select(Cohort.id)


def test_committed_keys_are_read_beside_the_session(app):
    with app.app_context():
        first, second = _two_cohorts()
        with reading():
            read = LearnerKeysRead(_scope()).start()
            keys = read.keys()
            assert read.read_beside
            assert keys == learner_keys(db.session.connection(), _scope())
            assert keys[first] == ["L2", "L3"] and keys[second] == ["L1", "L2"]
            db.session.commit()


def test_a_session_with_its_own_changes_reads_the_keys_itself(app):
    """The other connection cannot see what the session flushed but did not commit."""
    with app.app_context():
        first, _ = _two_cohorts()
        cohort = db.session.get(Cohort, first)
        cohort.members.append(CohortMember(learner=create_learner(key="L9")))
        db.session.flush()
        read = LearnerKeysRead(_scope()).start()
        keys = read.keys()
        assert not read.read_beside
        assert keys[first] == ["L2", "L3", "L9"]
        db.session.rollback()


def test_keys_another_transaction_committed_since_the_session_began_are_not_mixed_in(app):
    """A member committed by another transaction after the session's snapshot: the keys are
    the session's own (on SQLite, its snapshot does not have the new member; on PostgreSQL,
    read committed, its next statement does)."""
    with app.app_context():
        first, _ = _two_cohorts()
        with reading():
            db.session.execute(select(Learner.id)).all()  # the session's snapshot begins
            with Session(db.engine) as other:
                learner = Learner(key="L7", name="New", email="new@example.com", team="Ops",
                                  timezone="Europe/London")  # fmt: skip
                other.add(CohortMember(cohort_id=first, learner=learner))
                other.commit()
            read = LearnerKeysRead(_scope()).start()
            keys = read.keys()
            assert keys == learner_keys(db.session.connection(), _scope())
            if db.engine.dialect.name == "sqlite":
                assert keys[first] == ["L2", "L3"]
                assert not read.read_beside
            db.session.commit()


def test_a_failed_read_beside_is_read_again_in_the_session(app, monkeypatch):
    with app.app_context():
        first, _ = _two_cohorts()
        calls = []

        def failing_once(connection, scope):
            calls.append(connection)
            if len(calls) == 1:
                raise RuntimeError("lost connection")
            return joined_keys(connection, scope)

        monkeypatch.setattr("scheduler.planning.learner_keys.joined_keys", failing_once)
        with reading():
            read = LearnerKeysRead(_scope()).start()
            keys = read.keys()
            assert not read.read_beside and len(calls) == 2
            assert keys[first] == ["L2", "L3"]
            db.session.commit()


def test_keys_committed_while_the_session_reads_the_rest_are_the_sessions_own(app):
    """A member committed after the thread read the keys, while the session reads the rest of
    the period: the keys are what the session's next statement reads (on PostgreSQL, read
    committed, the new member; on SQLite, its snapshot, without it)."""
    with app.app_context():
        first, _ = _two_cohorts()
        with reading():
            read = LearnerKeysRead(_scope()).start()
            read._thread.join()  # the thread's snapshot is taken before the commit below
            with Session(db.engine) as other:
                learner = Learner(key="L8", name="Late", email="late@example.com", team="Ops",
                                  timezone="Europe/London")  # fmt: skip
                other.add(CohortMember(cohort_id=first, learner=learner))
                other.commit()
            keys = read.keys()
            assert keys == learner_keys(db.session.connection(), _scope())
            expected = ["L2", "L3"] if db.engine.dialect.name == "sqlite" else ["L2", "L3", "L8"]
            assert keys[first] == expected
            db.session.commit()
