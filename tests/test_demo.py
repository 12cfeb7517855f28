"""The demo organisation: what the issue asks for, that it can be scheduled, and its accounts.

Loading takes a second or two, so the read-only tests share one loaded database (the
``demo`` fixture, once per module); tests that load again start from empty tables.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.demo import DEMO_ACCOUNTS, DemoError, load_demo
from scheduler.demo.catalogue import build_sites
from scheduler.demo.names import NameBook
from scheduler.demo.organisation import OrganisationBuilder
from scheduler.demo.timeutil import planning_start
from scheduler.extensions import db
from scheduler.followups.operations import DEFAULT_STEPS
from scheduler.followups.util import SHORT_STEP_MINUTES
from scheduler.models import (
    AvailabilityKind,
    AvailabilityRule,
    Cohort,
    CohortMember,
    Facilitator,
    FacilitatorSkill,
    FollowUpStep,
    Learner,
    MicroLesson,
    PlanningPeriod,
    Program,
    ProgramMode,
    Role,
    Room,
    SequenceTemplate,
    Site,
    StepKind,
    StepStatus,
    User,
)
from scheduler.planning.publishing import publish
from tests.demo_world import loaded_demo
from tests.drafts import Planned, store_draft

TODAY = date(2027, 3, 10)  # a Wednesday; the planning start is Monday 15 March
PLAN_START = date(2027, 3, 15)


@pytest.fixture(scope="module")
def demo(database_url, tmp_path_factory):
    """An app whose database holds the demo organisation, loaded once for this module."""
    with loaded_demo(database_url, tmp_path_factory, TODAY) as app:
        yield app


@pytest.fixture
def demo_db(demo):
    with demo.app_context():
        yield db.session
        db.session.rollback()


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_planning_starts_on_the_monday_on_or_after_today():
    assert planning_start(date(2027, 3, 10)) == PLAN_START
    assert planning_start(date(2027, 3, 15)) == PLAN_START  # a Monday stays
    assert planning_start(date(2027, 3, 14)) == PLAN_START


def test_demo_has_the_sites_programs_facilitators_and_cohorts_the_issue_asks_for(demo_db):
    sites = demo_db.scalars(select(Site)).all()
    assert len(sites) >= 3
    assert len({site.timezone for site in sites}) >= 2
    assert all(site.rooms for site in sites)
    assert len({room.capacity for room in demo_db.scalars(select(Room))}) > 3
    assert count(demo_db, Program) == 6
    assert count(demo_db, Facilitator) == 25
    assert count(demo_db, Cohort) == 60


def test_every_program_has_sessions_costs_and_a_facilitator_with_its_skill(demo_db):
    skills = set(demo_db.scalars(select(FacilitatorSkill.skill)))
    programs = demo_db.scalars(select(Program)).all()
    assert {p.mode for p in programs} == {ProgramMode.IN_PERSON, ProgramMode.VIRTUAL}
    for program in programs:
        assert program.skill in skills, program.key
        assert program.sessions and program.seat_cost > 0 and program.fixed_development_cost > 0
        assert 1 <= program.seats_min <= program.seats_max


def test_learners_have_teams_sites_and_managers_some_reporting_to_senior_managers(demo_db):
    assert count(demo_db, Learner) >= 1500
    learners = demo_db.scalars(select(Learner)).all()
    assert all(lr.team and lr.site_id and lr.timezone and "@" in lr.email for lr in learners)
    manager_roles = {lr.manager.role for lr in learners}
    assert manager_roles == {Role.MANAGER}
    managers = demo_db.scalars(select(User).where(User.role == Role.MANAGER)).all()
    assert len(managers) >= 30
    team_managers = {lr.manager_id for lr in learners}
    reporting = [m for m in managers if m.id in team_managers and m.manager is not None]
    assert reporting, "team managers report to senior managers"
    assert all(m.manager.role is Role.MANAGER for m in reporting)
    demo_team = Counter(lr.team for lr in learners if lr.manager.email == "manager@demo.example")
    assert len(demo_team) == 1 and sum(demo_team.values()) >= 3


def test_every_learner_is_in_one_or_two_cohorts_of_3_to_40(demo_db):
    memberships = Counter(demo_db.scalars(select(CohortMember.learner_id)))
    assert len(memberships) == count(demo_db, Learner)
    assert set(memberships.values()) == {1, 2}
    for cohort in demo_db.scalars(select(Cohort)):
        assert 3 <= cohort.size <= 40, cohort.key
        if not cohort.splittable:
            assert cohort.size <= cohort.program.seats_max, cohort.key


def test_cohorts_have_deadlines_8_to_12_weeks_out_and_realistic_constraints(demo_db):
    cohorts = demo_db.scalars(select(Cohort)).all()
    for cohort in cohorts:
        assert 8 * 7 <= (cohort.deadline - PLAN_START).days <= 12 * 7, cohort.key
        assert PLAN_START <= cohort.earliest < cohort.deadline
    assert any(not c.mergeable for c in cohorts) and any(not c.splittable for c in cohorts)
    assert any(c.blocks for c in cohorts) and any(c.conflict_groups for c in cohorts)
    early = [c for c in cohorts if c.program.key == "pos-basics" and c.hours_from < time(8, 0)]
    assert early, "some stores train before opening"


def test_the_demo_planning_period_holds_every_cohorts_window(demo_db):
    (period,) = demo_db.scalars(select(PlanningPeriod)).all()
    assert period.start == PLAN_START and period.timezone == "Europe/London"
    for cohort in demo_db.scalars(select(Cohort)):
        assert period.start <= cohort.earliest and cohort.deadline <= period.end, cohort.key
    assert period.programs == [] and period.cohorts == []  # every program and cohort


def test_every_in_person_cohort_has_a_site_with_a_room_for_its_minimum_seats(demo_db):
    for cohort in demo_db.scalars(select(Cohort)):
        if cohort.program.mode is ProgramMode.IN_PERSON:
            assert cohort.site is not None, cohort.key
            capacities = [room.capacity for room in cohort.site.rooms]
            assert max(capacities) >= cohort.program.seats_min, cohort.key


def test_facilitators_have_accounts_rates_travel_costs_and_availability(demo_db):
    site_count = count(demo_db, Site)
    for facilitator in demo_db.scalars(select(Facilitator)):
        assert facilitator.user.role is Role.FACILITATOR
        assert facilitator.skills and facilitator.site is not None
        assert facilitator.hourly_rate > 0 or facilitator.session_fee > 0
        assert len(facilitator.travel_costs) == site_count - 1
    kinds = set(demo_db.scalars(select(AvailabilityRule.kind)))
    assert kinds == set(AvailabilityKind)


def test_one_off_windows_are_stored_in_utc_from_the_facilitators_local_time(demo_db):
    tomasz = demo_db.scalar(
        select(Facilitator).join(User).where(User.email == "facilitator2@demo.example")
    )
    saturday = demo_db.scalar(
        select(AvailabilityRule).where(
            AvailabilityRule.facilitator_id == tomasz.id,
            AvailabilityRule.kind == AvailabilityKind.AVAILABLE,
        )
    )
    # Saturday of week 3 is 10 April 2027, after the clocks go forward: 07:00 BST = 06:00 UTC.
    assert saturday.start == datetime(2027, 4, 10, 6, 0, tzinfo=UTC)
    weekly = demo_db.scalars(
        select(AvailabilityRule).where(
            AvailabilityRule.facilitator_id == tomasz.id,
            AvailabilityRule.kind == AvailabilityKind.WEEKLY,
        )
    ).all()
    assert {(r.weekday, r.start_time) for r in weekly} >= {(0, time(6, 30)), (1, time(13, 30))}


def test_the_demo_library_has_short_lessons_with_quizzes_and_feedback(demo_db):
    lessons = demo_db.scalars(select(MicroLesson)).all()
    assert len(lessons) == 12
    for lesson in lessons:
        assert 3 <= lesson.minutes <= 7 and lesson.body, lesson.key
        assert 1 <= len(lesson.questions) <= 5, lesson.key
        for question in lesson.questions:
            assert question.feedback and any(c["correct"] for c in question.choices)
    assert any(q.multiple for lesson in lessons for q in lesson.questions)


def test_both_rollouts_programs_have_the_default_spaced_sequence(demo_db):
    expected = [(day, kind) for day, kind, _lesson in DEFAULT_STEPS]
    by_program = {t.program.key: t for t in demo_db.scalars(select(SequenceTemplate))}
    assert set(by_program) == {"pos-basics", "pos-shift-leads", "security-champions"}
    for key, template in by_program.items():
        assert [(s.day_offset, s.kind) for s in template.steps] == expected, key
        lessons = [s.lesson for s in template.steps if s.kind == StepKind.LESSON]
        assert len({lesson.id for lesson in lessons}) == 6, key
        minutes = sum(lesson.minutes for lesson in lessons) + 3 * SHORT_STEP_MINUTES
        assert 25 <= minutes <= 45, key  # the issue's 35-45 minutes counts review items too
    till = {s.lesson.key for s in by_program["pos-basics"].steps if s.lesson}
    security = {s.lesson.key for s in by_program["security-champions"].steps if s.lesson}
    assert all(k.startswith("till-") for k in till)
    assert all(k.startswith("champion-") for k in security)


def test_demo_accounts_can_sign_in(demo):
    assert {role for role, _, _ in DEMO_ACCOUNTS} == {r.value for r in Role}
    for role, email, password in DEMO_ACCOUNTS:
        client = demo.test_client()
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        assert response.headers["Location"] == "/"
        assert client.get("/").status_code == 200
        with demo.app_context():
            assert db.session.scalar(select(User.role).where(User.email == email)) == Role(role)


def test_other_demo_accounts_cannot_sign_in_with_a_demo_password(demo):
    response = demo.test_client().post(
        "/login", data={"email": "aisha.rahman@demo.example", "password": "demo-facilitator"}
    )
    assert response.status_code == 200
    assert b"Wrong e-mail or password." in response.data


def test_loading_twice_raises_demo_error(demo):
    with demo.app_context():
        with pytest.raises(DemoError, match="already holds data"):
            load_demo()
        assert count(db.session, Cohort) == 60


def test_demo_command_loads_and_prints_the_accounts_then_refuses_a_second_load(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for _role, email, password in DEMO_ACCOUNTS:
        assert email in result.output and password in result.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert "already holds data" in again.output


def test_scale_multiplies_learners_and_cohorts_and_dates_follow_today(app):
    with app.app_context():
        load_demo(scale=2, today=TODAY + timedelta(weeks=1))
        db.session.commit()
        assert count(db.session, Learner) == 3000
        assert count(db.session, Cohort) == 120
        assert count(db.session, Facilitator) == 25
        earliest = db.session.scalar(select(func.min(Cohort.earliest)))
        assert earliest == PLAN_START + timedelta(weeks=1)


def test_staff_multiplies_facilitators_and_rooms_each_with_its_own_key_and_hours(app):
    """A scaled organisation staffed like a real one (bench.first_progress --staff)."""
    with app.app_context():
        load_demo(scale=2, staff=3, today=TODAY)
        db.session.commit()
        facilitators = db.session.scalars(select(Facilitator)).all()
        rooms = db.session.scalars(select(Room)).all()
        assert (len(facilitators), len(rooms)) == (75, 45)
        assert len({f.key for f in facilitators}) == 75 and len({r.key for r in rooms}) == 45
        copies = [f for f in facilitators if f.key.startswith("fac-nadia-petrova")]
        assert sorted(f.key for f in copies) == [
            "fac-nadia-petrova",
            "fac-nadia-petrova-2",
            "fac-nadia-petrova-3",
        ]
        # Each copy has the weekly pattern and the one-off "if need be" Saturday of the first.
        rules = Counter(
            (rule.facilitator_id, rule.kind)
            for rule in db.session.scalars(select(AvailabilityRule))
            if rule.facilitator_id in {f.id for f in copies}
        )
        assert len({rules[(f.id, AvailabilityKind.WEEKLY)] for f in copies}) == 1
        assert all(rules[(f.id, AvailabilityKind.IF_NEED_BE)] == 1 for f in copies)
        # The demo accounts are made once: the copies get accounts of their own.
        emails = [f.user.email for f in facilitators]
        assert len(set(emails)) == 75
        assert (emails.count(DEMO_ACCOUNTS[1][1]), emails.count(DEMO_ACCOUNTS[2][1])) == (1, 1)
        assert count(db.session, Cohort) == 120


def test_a_scale_below_one_is_refused(app):
    with app.app_context(), pytest.raises(DemoError, match="scale"):
        load_demo(scale=0)
    with app.app_context(), pytest.raises(DemoError, match="staff"):
        load_demo(staff=0)


def test_the_same_people_are_made_every_time_without_touching_the_global_random():
    def learner_names() -> list[str]:
        rng = random.Random(2027)
        builder = OrganisationBuilder(rng, NameBook(rng), build_sites(), "hash")
        return [lr.name for team in builder.build(1) for lr in team.learners]

    random.seed(1)
    before = random.random()
    random.seed(1)
    first = learner_names()
    assert random.random() == before
    assert learner_names() == first


def test_publishing_a_demo_plan_attaches_follow_ups_to_its_learners(app):
    with app.app_context():
        load_demo(today=TODAY)
        db.session.commit()
        period = db.session.scalar(select(PlanningPeriod))
        coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
        sections = []
        for number, program_key in enumerate(("pos-basics", "security-champions")):
            cohort = db.session.scalar(
                select(Cohort)
                .join(Cohort.program)
                .where(Program.key == program_key)
                .order_by(Cohort.key)
            )
            size = min(cohort.size, cohort.program.seats_max)
            facilitator = db.session.scalar(
                select(Facilitator)
                .join(FacilitatorSkill)
                .where(FacilitatorSkill.skill == cohort.program.skill)
                .order_by(Facilitator.id)
            )
            room = max(cohort.site.rooms, key=lambda r: r.capacity)
            first = datetime.combine(PLAN_START + timedelta(days=7 * number), time(9), UTC)
            sessions = [
                (first + timedelta(days=7 * i), facilitator, room)
                for i in range(len(cohort.program.sessions))
            ]
            sections.append(Planned(f"S{number}", cohort.program, [(cohort, size)], sessions))
        draft = store_draft(period, sections)
        db.session.commit()
        publish(draft, coordinator)
        for section in sections:
            cohort, size = section.cohorts[0]
            steps = db.session.scalars(
                select(FollowUpStep).where(FollowUpStep.cohort_id == cohort.id)
            ).all()
            assert len(steps) == size * len(DEFAULT_STEPS), cohort.key
            assert {s.status for s in steps} == {StepStatus.PENDING}
            assert min(s.due_at for s in steps) > section.sessions[-1][0]
