"""Every route × every kind of user: the wrong role and the wrong owner are refused.

Each endpoint of ``app.url_map`` must be classified in ``POLICY`` below; an endpoint that is not
fails ``test_every_route_is_classified``, so a new route cannot slip through unchecked. URLs are
built with the ids of objects owned by *someone else* (facilitator B's profile, manager Y's
team...), so the test also proves that ids edited in a URL reveal nothing (IDOR).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from scheduler.extensions import db
from scheduler.followups.operations import create_default_template
from scheduler.models import (
    CapacityPlan,
    Closure,
    CohortBlock,
    FeedKind,
    FeedToken,
    JobStatus,
    PlanningPeriod,
    Role,
    Scenario,
    SessionPin,
    SolveJob,
)
from scheduler.planning.mapping import period_problem
from tests.drafts import Planned, store_draft, utc
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)
from tests.followup_world import make_lessons

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any role; the view only touches the current user's own data
COORDINATOR = "coordinator"
FACILITATOR_SELF = "facilitator_self"  # facilitators, on their own data only (no id in the URL)
MANAGER_SELF = "manager_self"  # managers, on their own team only (no id in the URL)
# The facilitator of the object in the URL (a session), and coordinators; other facilitators 404.
FACILITATOR_OWNED = "facilitator_owned"

POLICY: dict[str, str] = {
    "static": PUBLIC,
    "home.favicon": PUBLIC,  # the site icon, a static file
    "vendor.asset": PUBLIC,  # npm libraries (scheduler/vendor.py), a fixed list of files
    "auth.login": PUBLIC,
    "auth.forgot_password": PUBLIC,  # says the same whether or not the address has an account
    "auth.reset_password": PUBLIC,  # needs a live single-use token (test_password_reset)
    "auth.sso_login": PUBLIC,  # 404 unless single sign-on is configured (test_sso)
    "auth.sso_callback": PUBLIC,  # refused unless it carries this session's state (test_sso)
    "health.healthz": PUBLIC,  # database and queue status only, no configuration
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "home.index": SIGNED_IN,
    "availability.mine": FACILITATOR_SELF,
    "learners.team": MANAGER_SELF,
    "calendars.mine": FACILITATOR_SELF,
    "calendars.mine_ics": FACILITATOR_SELF,
    "calendars.mine_regenerate": FACILITATOR_SELF,
    "calendars.mine_revoke": FACILITATOR_SELF,
    "team.training": MANAGER_SELF,
    "team.training_csv": MANAGER_SELF,
    "team.calendar": MANAGER_SELF,
    "team.calendar_regenerate": MANAGER_SELF,
    "team.calendar_revoke": MANAGER_SELF,
    "team.calendar_ics": MANAGER_SELF,
    "team.answers": MANAGER_SELF,
    "sections.mine": FACILITATOR_SELF,
    # The facilitator of a session of the section, and coordinators (test_sections).
    "sections.link": FACILITATOR_OWNED,
    "calendars.feed": PUBLIC,
    "answers.answer": PUBLIC,  # no sign-in, but 404/409/410 unless the token is live (test_calendar_answers)
    "answers.answer_post": PUBLIC,  # POST with CSRF and a live token (test_calendar_answers)
    "answers.move": PUBLIC,  # only to a section the token's page offered, or the waiting list
    "followups.step": PUBLIC,  # no sign-in, but 404 unless the token is live (test_followups_pages)
    "followups.my_sessions": FACILITATOR_SELF,
    "followups.attendance": FACILITATOR_OWNED,  # no sign-in, but 404 unless the token is live (test_calendar_feeds)
    # Scenarios have no owner but the coordinators (any coordinator may solve, cancel, promote
    # any period's scenario); the Cancel of a scenario's solve is a CSRF-checked POST
    # (tests/test_scenario_progress.py).
    "scenarios.cancel": COORDINATOR,
}
# Every other endpoint of these areas is for coordinators only.
COORDINATOR_AREAS = (
    "sites",
    "programs",
    "learners",
    "cohorts",
    "facilitators",
    "availability",
    "imports",
    "planning",
    "review",
    "publishing",
    "adjustments",
    "breaks",
    "solving",
    "calendars",
    "sections",
    "reports",
    "audit",
    "followups",
    "learning_records",
    "scenarios",
    "capacity",
)

PERSONAS = ("anonymous", "coordinator", "facilitator_a", "facilitator_b", "manager_x", "manager_y")


def policy_of(endpoint: str) -> str | None:
    if endpoint in POLICY:
        return POLICY[endpoint]
    if endpoint.split(".")[0] in COORDINATOR_AREAS:
        return COORDINATOR
    return None


@pytest.fixture
def world(app):
    """Two of each non-coordinator role, and one object of every kind owned by the 'B/Y' side."""
    with app.app_context():
        users = {
            "coordinator": create_user(Role.COORDINATOR, email="coordinator@example.com"),
            "facilitator_a": create_user(Role.FACILITATOR, email="fac-a@example.com"),
            "facilitator_b": create_user(Role.FACILITATOR, email="fac-b@example.com"),
            "manager_x": create_user(Role.MANAGER, email="manager-x@example.com"),
            "manager_y": create_user(Role.MANAGER, email="manager-y@example.com"),
        }
        site = create_site()
        room = create_room(site)
        program = create_program()
        learner_of_y = create_learner(
            site, manager=users["manager_y"], email="learner-of-y@example.com"
        )
        create_learner(site, manager=users["manager_x"])
        cohort = create_cohort(program, site, learners=[learner_of_y])
        block = CohortBlock(
            cohort=cohort,
            start=datetime(2027, 1, 18, tzinfo=UTC),
            end=datetime(2027, 1, 23, tzinfo=UTC),
        )
        db.session.add(block)
        closure = Closure(name="Refit", start=date(2027, 1, 4), end=date(2027, 1, 8), site=site)
        db.session.add(closure)
        create_facilitator(users["facilitator_a"], site)
        facilitator_b = create_facilitator(users["facilitator_b"], site)
        period = PlanningPeriod(
            name="Spring", start=date(2027, 1, 4), end=date(2027, 2, 26), timezone="Europe/London"
        )
        db.session.add(period)
        db.session.flush()
        version = store_draft(
            period,
            [Planned("S1", program, [(cohort, 1)], [(utc(2027, 1, 19, 9), facilitator_b, room)])],
        )
        session = version.sections[0].sessions[0]
        pin = SessionPin(
            period_id=period.id,
            section_key="S1",
            position=0,
            start=session.start,
            cohorts_json="[]",
        )
        db.session.add(pin)
        # A finished job: its pages work, and POSTing Solve queues (never runs) another.
        job = SolveJob(period_id=period.id, time_limit_seconds=1, status=JobStatus.FINISHED)
        db.session.add(job)
        # A failed capacity plan: its page shows, and POSTing the form (empty) queues nothing.
        plan = CapacityPlan(period_id=period.id, status=JobStatus.FAILED, error="test")
        db.session.add(plan)
        feed = FeedToken(kind=FeedKind.FACILITATOR, token_hash="0" * 64, facilitator=facilitator_b)
        db.session.add(feed)
        lesson = make_lessons(1)[0]
        template = create_default_template([lesson] * 6)
        scenario = Scenario(
            period_id=period.id, name="What if", base_json=json.dumps(period_problem(period))
        )
        db.session.add(scenario)
        db.session.commit()
        ids = {
            "period": period.id,
            "site": site.id,
            "room": room.id,
            "program": program.id,
            "learner": learner_of_y.id,
            "cohort": cohort.id,
            "block": block.id,
            "closure": closure.id,
            "facilitator": facilitator_b.id,
            "user": users["manager_y"].id,
            "version": version.id,
            "session": session.id,
            "pin": pin.id,
            "job": job.id,
            "plan": plan.id,
            "feed": feed.id,
            "lesson": lesson.id,
            "template": template.id,
            "scenario": scenario.id,
        }
    return ids


STRING_ARGUMENTS = {"filename": "app.css", "kind": "learners", "section_key": "S1", "chosen": "yes"}


def url_for_rule(rule: Rule, ids: dict[str, int]) -> str:
    """The rule's URL with every id argument pointing at an object someone else owns."""
    values = {}
    for argument in rule.arguments:
        kind = argument.removesuffix("_id")
        if argument in STRING_ARGUMENTS:
            values[argument] = STRING_ARGUMENTS[argument]
        elif kind in ids:
            values[argument] = ids[kind]
        elif argument == "id":
            values[argument] = next(iter(ids.values()))
        else:
            values[argument] = "x"
    return rule.build(values, append_unknown=False)[1]


def client_as(app, persona: str):
    client = app.test_client()
    if persona != "anonymous":
        response = client.post(
            "/login",
            data={"email": PERSONA_EMAILS[persona], "password": "correct horse battery"},
        )
        assert response.status_code == 302, f"{persona} could not sign in"
    return client


PERSONA_EMAILS = {
    "coordinator": "coordinator@example.com",
    "facilitator_a": "fac-a@example.com",
    "facilitator_b": "fac-b@example.com",
    "manager_x": "manager-x@example.com",
    "manager_y": "manager-y@example.com",
}


def test_every_route_is_classified(app):
    unclassified = [
        rule.endpoint for rule in app.url_map.iter_rules() if policy_of(rule.endpoint) is None
    ]
    assert unclassified == [], (
        f"classify these endpoints in tests/test_access_control.py: {unclassified}"
    )


def test_every_non_public_view_declares_its_roles_or_needs_sign_in(app):
    for rule in app.url_map.iter_rules():
        policy = policy_of(rule.endpoint)
        view = app.view_functions[rule.endpoint]
        if policy in (COORDINATOR, FACILITATOR_SELF, MANAGER_SELF, FACILITATOR_OWNED):
            roles = getattr(view, "allowed_roles", None)
            assert roles, f"{rule.endpoint} is not decorated with roles_required"
            expected = {
                COORDINATOR: {Role.COORDINATOR},
                FACILITATOR_SELF: {Role.FACILITATOR},
                MANAGER_SELF: {Role.MANAGER},
                FACILITATOR_OWNED: {Role.FACILITATOR, Role.COORDINATOR},
            }[policy]
            assert expected <= set(roles), f"{rule.endpoint} allows {roles}"
            if policy == COORDINATOR:
                assert set(roles) == {Role.COORDINATOR}, (
                    f"{rule.endpoint} is coordinator-only but allows {roles}"
                )


def allowed(policy: str, persona: str) -> bool:
    return {
        PUBLIC: True,
        SIGNED_IN: persona != "anonymous",
        COORDINATOR: persona == "coordinator",
        FACILITATOR_SELF: persona in ("facilitator_a", "facilitator_b"),
        MANAGER_SELF: persona in ("manager_x", "manager_y"),
        # The world's session is facilitator B's.
        FACILITATOR_OWNED: persona in ("coordinator", "facilitator_b"),
    }[policy]


@pytest.mark.parametrize("persona", PERSONAS)
def test_wrong_role_and_wrong_owner_are_refused(app, world, persona):
    client = client_as(app, persona)
    failures = []
    for rule in app.url_map.iter_rules():
        policy = policy_of(rule.endpoint)
        if policy == PUBLIC or rule.endpoint == "auth.logout":
            continue
        url = url_for_rule(rule, world)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={})
            status = response.status_code
            if allowed(policy, persona):
                if status in (401, 403) or (
                    status == 302 and "/login" in response.headers["Location"]
                ):
                    failures.append(
                        f"{method} {url} ({rule.endpoint}) refused the right user: {status}"
                    )
                if status >= 500:
                    failures.append(f"{method} {url} ({rule.endpoint}) crashed: {status}")
            elif persona == "anonymous":
                if not (status == 302 and "/login" in response.headers.get("Location", "")):
                    failures.append(
                        f"{method} {url} ({rule.endpoint}) did not send anonymous to login: {status}"
                    )
            elif status not in (403, 404):
                failures.append(f"{method} {url} ({rule.endpoint}) let {persona} in: {status}")
    assert failures == []


def test_facilitator_self_pages_show_only_the_signed_in_facilitator(app, world):
    """Facilitator A's own pages never contain facilitator B's e-mail or profile."""
    client = client_as(app, "facilitator_a")
    for rule in app.url_map.iter_rules():
        if policy_of(rule.endpoint) == FACILITATOR_SELF and "GET" in rule.methods:
            body = client.get(url_for_rule(rule, world)).get_data(as_text=True)
            assert "fac-b@example.com" not in body


def test_manager_pages_show_only_their_own_team(app, world):
    client = client_as(app, "manager_x")
    for rule in app.url_map.iter_rules():
        if policy_of(rule.endpoint) == MANAGER_SELF and "GET" in rule.methods:
            body = client.get(url_for_rule(rule, world)).get_data(as_text=True)
            assert "learner-of-y@example.com" not in body


def test_a_facilitator_cannot_mark_attendance_of_another_facilitators_session(app, world):
    """Facilitator A gets 404 for facilitator B's published session; B and coordinators do not."""
    from scheduler.models import Attendance, ScheduledSession, VersionStatus

    with app.app_context():
        session = db.session.get(ScheduledSession, world["session"])
        session.section.version.status = VersionStatus.PUBLISHED
        db.session.commit()
    url = f"/attendance/{world['session']}"
    intruder = client_as(app, "facilitator_a")
    assert intruder.get(url).status_code == 404
    assert intruder.post(url, data={"attended": []}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Attendance.id)) is None
    assert client_as(app, "facilitator_b").get(url).status_code == 200
    assert client_as(app, "coordinator").get(url).status_code == 200
