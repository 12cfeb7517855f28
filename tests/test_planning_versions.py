"""Schedule versions: documents kept verbatim, rows with named seats, publish and its checks."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import (
    PlanningPeriod,
    Role,
    ScheduledSession,
    ScheduleVersion,
    SectionSeat,
    VersionOrigin,
    VersionStatus,
)
from scheduler.planning.mapping import period_problem
from scheduler.planning.publishing import PublishRefused, publish, schedule_published
from scheduler.planning.versions import published_version, store_version
from solver import check, parse_problem
from solver.solve import solve
from tests.factories import (
    create_availability_rule,
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)


def small_world(learners: int = 8) -> PlanningPeriod:
    """One site with a room, a one-session program, one cohort, two facilitators free on weekdays."""
    site = create_site(key="leeds")
    create_room(site, key="room-a", capacity=12)
    program = create_program(sessions=(120,), key="pos", seats_min=2, seats_max=5)
    people = [create_learner(site, key=f"e{i:02d}") for i in range(learners)]
    create_cohort(program, site, learners=people, key="pos-leeds")
    for key in ("fac-a", "fac-b"):
        facilitator = create_facilitator(site=site, key=key)
        for weekday in range(5):
            create_availability_rule(facilitator, weekday=weekday)
    period = PlanningPeriod(
        name="January", start=date(2027, 1, 4), end=date(2027, 1, 29), timezone="Europe/London"
    )
    db.session.add(period)
    db.session.commit()
    return period


def solved_draft(period: PlanningPeriod) -> ScheduleVersion:
    problem_doc = period_problem(period)
    problem, errors = parse_problem(problem_doc)
    assert errors == []
    schedule = solve(problem, time_limit=5)
    assert schedule["status"] in ("optimal", "feasible")
    assert check(problem, schedule) == []
    version = store_version(period, problem_doc, schedule, origin=VersionOrigin.SOLVE)
    db.session.commit()
    return version


def test_a_stored_version_keeps_both_documents_verbatim(app):
    with app.app_context():
        period = small_world()
        problem_doc = period_problem(period)
        problem, _ = parse_problem(problem_doc)
        schedule = solve(problem, time_limit=5)
        version = store_version(period, problem_doc, schedule, origin=VersionOrigin.SOLVE)
        db.session.commit()
        assert json.loads(version.problem_json) == problem_doc
        assert json.loads(version.schedule_json) == schedule
        assert version.status == VersionStatus.DRAFT and version.number == 1
        assert version.total_cost == schedule["cost"]["total"]


def test_rows_match_the_schedule_document_and_every_learner_gets_one_named_seat(app):
    with app.app_context():
        period = small_world(learners=8)
        version = solved_draft(period)
        schedule = json.loads(version.schedule_json)
        assert [s.key for s in version.sections] == sorted(s["id"] for s in schedule["sections"])
        by_key = {s["id"]: s for s in schedule["sections"]}
        for section in version.sections:
            entry = by_key[section.key]
            assert len(section.seats) == entry["size"] <= section.seats_max == 5
            assert [(s.start.isoformat(), s.end.isoformat()) for s in section.sessions] == [
                (x["start"], x["end"]) for x in entry["sessions"]
            ]
            assert all(
                s.facilitator.key == x["facilitator"]
                for s, x in zip(section.sessions, entry["sessions"], strict=True)
            )
        seated = db.session.scalars(select(SectionSeat.learner_id)).all()
        assert len(seated) == len(set(seated)) == 8  # 8 learners, split over two sections of ≤5


def test_session_uid_is_the_same_in_every_version_of_the_period(app):
    with app.app_context():
        period = small_world()
        first, second = solved_draft(period), solved_draft(period)
        uids = [{s.uid for sec in v.sections for s in sec.sessions} for v in (first, second)]
        assert uids[0] == uids[1] and len(uids[0]) == 2
        assert second.number == 2


def test_publish_makes_the_draft_the_published_version_and_bumps_the_period(app):
    with app.app_context():
        period = small_world()
        coordinator = create_user(Role.COORDINATOR)
        draft = solved_draft(period)
        received = []
        with schedule_published.connected_to(lambda sender, **kw: received.append(kw)):
            assert publish(draft, coordinator) is None
        assert published_version(period) == draft and period.version == 1
        assert draft.published_at is not None and draft.published_by_id == coordinator.id
        assert received == [{"version": draft, "previous": None}]


def test_publishing_a_second_draft_supersedes_the_first_and_counts_moved_sessions(app):
    with app.app_context():
        period = small_world()
        coordinator = create_user(Role.COORDINATOR)
        publish(solved_draft(period), coordinator)
        first = published_version(period)
        second = solved_draft(period)
        moved = second.sections[0].sessions[0]
        moved_uid = moved.uid
        # Simulate a re-plan that moved one session by a day.
        moved.start = moved.start.replace(day=moved.start.day + 1)
        moved.end = moved.end.replace(day=moved.end.day + 1)
        db.session.commit()
        assert publish(second, coordinator) == first
        assert first.status == VersionStatus.SUPERSEDED
        sequences = {
            s.uid: s.sequence
            for s in db.session.scalars(
                select(ScheduledSession)
                .join(ScheduledSession.section)
                .where(ScheduledSession.section.has(version_id=second.id))
            )
        }
        assert sequences[moved_uid] == 1
        assert [n for uid, n in sequences.items() if uid != moved_uid] == [0]


def test_a_draft_made_before_another_publish_is_refused_and_nothing_changes(app):
    with app.app_context():
        period = small_world()
        coordinator = create_user(Role.COORDINATOR)
        first, second = solved_draft(period), solved_draft(period)
        publish(first, coordinator)
        with pytest.raises(PublishRefused, match="Someone published or changed"):
            publish(second, coordinator)
        db.session.expire_all()
        assert published_version(period).id == first.id
        assert db.session.get(ScheduleVersion, second.id).status == VersionStatus.DRAFT
        assert db.session.get(PlanningPeriod, period.id).version == 1


def test_a_published_version_cannot_be_published_again(app):
    with app.app_context():
        period = small_world()
        coordinator = create_user(Role.COORDINATOR)
        draft = solved_draft(period)
        publish(draft, coordinator)
        with pytest.raises(PublishRefused, match="already published"):
            publish(draft, coordinator)


def test_a_re_plan_keeps_learners_in_the_sections_they_were_seated_in(app):
    with app.app_context():
        period = small_world(learners=8)
        coordinator = create_user(Role.COORDINATOR)
        first = solved_draft(period)
        publish(first, coordinator)
        # Swap one learner of each section, which key order alone would never produce.
        a, b = first.sections[0].seats[0], first.sections[1].seats[0]
        a.learner_id, b.learner_id = b.learner_id, a.learner_id
        db.session.commit()
        before = {sec.key: {s.learner_id for s in sec.seats} for sec in first.sections}
        second = solved_draft(period)
        after = {sec.key: {s.learner_id for s in sec.seats} for sec in second.sections}
        assert after.keys() == before.keys()
        # A section may be planned with another size; as many as fit stay where they were.
        for key, seated in after.items():
            assert len(seated & before[key]) == min(len(seated), len(before[key]))


def test_the_problem_of_a_published_period_carries_the_schedule_as_previous(app):
    with app.app_context():
        period = small_world()
        publish(solved_draft(period), create_user(Role.COORDINATOR))
        document = period_problem(period)
        assert document["previous"] == json.loads(published_version(period).schedule_json)
        assert "fixed" not in document
