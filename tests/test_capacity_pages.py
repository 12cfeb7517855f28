"""Capacity planning pages: the pool form (field errors, CSRF), the job (immediate mode here), the
answer page, and that nothing of the period's real data changes."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.capacity import util
from scheduler.capacity.operations import LOST_AFTER_SECONDS
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import (
    CapacityPlan,
    Facilitator,
    JobStatus,
    PlanningPeriod,
    Role,
    ScheduleVersion,
    Site,
)
from scheduler.planning.mapping import period_problem
from solver import parse_problem
from solver.check import check
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    auth.login("coordinator@example.com")


def make_period() -> int:
    """Two cohorts at Manchester that nobody can teach (the security skill is missing), and
    their committed period's id; needs an app context."""
    manchester = create_site(name="Manchester", key="manchester")
    create_site(name="Leeds", key="leeds")
    create_room(manchester, capacity=20)
    program = create_program(sessions=(60,), skill="security", seats_min=1)
    for _ in range(2):
        learners = [create_learner(manchester) for _ in range(4)]
        create_cohort(
            program, manchester, learners=learners,
            earliest=date(2027, 3, 1), deadline=date(2027, 3, 12),
        )  # fmt: skip
    create_facilitator(site=manchester, skills=("first-aid",))
    period = PlanningPeriod(
        name="March", start=date(2027, 3, 1), end=date(2027, 3, 12), timezone="Europe/London"
    )
    db.session.add(period)
    db.session.commit()
    return period.id


@pytest.fixture
def period_id(app) -> int:
    with app.app_context():
        return make_period()


def pool_row(k: int, **values) -> dict[str, str]:
    fields = {"skill": "", "site": "0", "count": "1", "weekly_hours": "", "hourly_rate": "",
              "weekly_cost": "", "onboarding_cost": "", "earliest_start": ""}  # fmt: skip
    return {f"rows-{k}-{name}": str(v) for name, v in (fields | values).items()}


def site_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Site.id).where(Site.name == name))


def plans(app) -> list[CapacityPlan]:
    with app.app_context():
        return list(db.session.scalars(select(CapacityPlan)))


def test_the_form_needs_a_chosen_row(app, client, coordinator, period_id):
    response = client.post(
        f"/planning/{period_id}/capacity", data={**pool_row(0), "time_limit": "10"}
    )
    assert response.status_code == 200
    assert "Choose a skill in at least one row." in response.get_data(as_text=True)
    assert plans(app) == []


def test_a_chosen_row_needs_its_hours_and_keeps_what_was_typed(app, client, coordinator, period_id):
    data = {**pool_row(0, skill="security", weekly_cost="250.00"), "time_limit": "10"}
    response = client.post(f"/planning/{period_id}/capacity", data=data)
    page = response.get_data(as_text=True)
    assert "Hours a week is required." in page
    assert 'value="250.00"' in page  # nothing typed is lost
    assert plans(app) == []


def test_bad_amounts_get_field_errors(app, client, coordinator, period_id):
    data = {
        **pool_row(0, skill="security", weekly_hours="99", onboarding_cost="1.005"),
        "time_limit": "10",
    }
    page = client.post(f"/planning/{period_id}/capacity", data=data).get_data(as_text=True)
    assert "Onboarding cost can have at most 2 decimal places." in page
    assert "Hours a week" in page and "60" in page
    assert plans(app) == []


def test_without_csrf_token_nothing_is_queued(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        create_user(Role.COORDINATOR, email="c@example.com")
        period = PlanningPeriod(
            name="P", start=date(2027, 3, 1), end=date(2027, 3, 5), timezone="Europe/London"
        )
        db.session.add(period)
        db.session.commit()
        pid = period.id
    client.post("/login", data={"email": "c@example.com", "password": "correct horse battery"})
    data = {**pool_row(0, skill="security", weekly_hours="40"), "time_limit": "10"}
    client.post(f"/planning/{pid}/capacity", data=data)
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count(CapacityPlan.id))) == 0


@pytest.fixture
def immediate(app):
    """Jobs run inside the request that queues them; the sensitivity re-solves are short."""
    app.config.update(
        JOBS_IMMEDIATE=True, CAPACITY_SENSITIVITY_SECONDS=1.0, CAPACITY_SENSITIVITY_FACILITATORS=2
    )
    return app


def test_capacity_plan_hires_where_needed_and_shows_the_answer(
    app, immediate, client, coordinator, period_id
):
    manchester, leeds = site_id(app, "Manchester"), site_id(app, "Leeds")
    with app.app_context():
        facilitators_before = db.session.scalar(select(func.count(Facilitator.id)))
    data = {
        # Leeds is cheaper to hire but far: travel to Manchester is not in its rates, so the
        # solver may use it only if it is cheaper overall; both rows are offered.
        **pool_row(0, skill="security", site=manchester, count=2, weekly_hours=40,
                   hourly_rate="50.00", weekly_cost="500.00", onboarding_cost="1000.00"),
        **pool_row(1, skill="security", site=leeds, count=1, weekly_hours=8,
                   hourly_rate="50.00", weekly_cost="500.00", onboarding_cost="3000.00"),
        "time_limit": "10",
    }  # fmt: skip
    response = client.post(f"/planning/{period_id}/capacity", data=data)
    assert response.status_code == 302
    [plan] = plans(app)
    assert plan.status == JobStatus.FINISHED, plan.error
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 hire: 1 × security at Manchester" in page
    with app.app_context():
        plan = db.session.get(CapacityPlan, plan.id)
        result = json.loads(plan.result_json)
        schedule = result["schedule"]
        # Independent: the stored answer passes the engine's checker against the same data.
        document = period_problem(plan.period)
        document["hiring_pool"] = util.pool_entries(plan, plan.period.timezone)
        problem, errors = parse_problem(document)
        assert errors == []
        assert check(problem, schedule) == []
        assert [h["id"] for h in schedule["hires"]] == ["pool-1.1"]
        assert sum(u["learners"] for u in schedule["unscheduled"]) == 0
        hire = schedule["hires"][0]
        assert hire["cost"]["onboarding"] == 1000.0
        assert schedule["cost"]["hiring"] == 1000.0 + 500.0 * hire["weeks"]
        changes = {row["change"] for row in result["sensitivity"]["rows"]}
        assert {"every deadline one week later", "every deadline one week earlier"} <= changes
        # Nothing real changed: no facilitator added, no draft stored.
        assert db.session.scalar(select(func.count(Facilitator.id))) == facilitators_before
        assert db.session.scalar(select(func.count(ScheduleVersion.id))) == 0
    first_hire = re.search(r'<table id="hires">.*?<tbody>\s*<tr>(.*?)</tr>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", first_hire)]
    assert cells[:3] == ["pool-1.1", "security", "Manchester"]
    assert "Sensitivity" in page and "every deadline one week later" in page


def table_cells(page: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of an HTML table of a page."""
    body = re.search(rf'<table id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [
        [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c))).strip()
         for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


def test_the_answer_shows_each_deadline_group_and_those_not_examined(app, client, coordinator):
    app.config.update(
        JOBS_IMMEDIATE=True,
        CAPACITY_SENSITIVITY_SECONDS=1.0,
        CAPACITY_SENSITIVITY_FACILITATORS=0,
        CAPACITY_SENSITIVITY_DEADLINE_GROUPS=1,
    )
    with app.app_context():
        manchester = create_site(name="Manchester", key="manchester")
        create_room(manchester, capacity=20)
        program = create_program(name="Security basics", sessions=(60,), skill="security",
                                 seats_min=1)  # fmt: skip
        for size, deadline in ((4, date(2027, 3, 5)), (6, date(2027, 3, 12))):
            create_cohort(
                program, manchester, learners=[create_learner(manchester) for _ in range(size)],
                earliest=date(2027, 3, 1), deadline=deadline,
            )  # fmt: skip
        period = PlanningPeriod(
            name="March", start=date(2027, 3, 1), end=date(2027, 3, 12), timezone="Europe/London"
        )
        db.session.add(period)
        db.session.commit()
        period_id, site = period.id, manchester.id
    data = {
        **pool_row(0, skill="security", site=site, count=1, weekly_hours=40, hourly_rate="50.00",
                   weekly_cost="500.00", onboarding_cost="1000.00"),
        "time_limit": "10",
    }  # fmt: skip
    response = client.post(f"/planning/{period_id}/capacity", data=data)
    [plan] = plans(app)
    assert plan.status == JobStatus.FINISHED, plan.error
    rows = json.loads(plan.result_json)["sensitivity"]["rows"]
    groups = [row for row in rows if row["kind"] == "deadline_group"]
    # Nobody is left out, so the bigger group (six learners, due 12 March) is the one examined.
    assert [(row["group"]["deadline"], row.get("days")) for row in groups] == [
        ("2027-03-12", 7), ("2027-03-12", -7), ("2027-03-05", None)
    ]  # fmt: skip
    later, earlier, _ = groups
    assert "horizon's end" in later["note"] and "cost" not in later  # 12 March ends the period
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert table_cells(page, "deadline-groups") == [
        ["Security basics", "2027-03-12", "1", "6", f"not computed: {later['note']}",
         "{:+,.2f}".format(earlier["cost_change"]).replace("+0.00", "0.00"),
         f"{earlier['placed_change']:+d}", earlier["status"]],
        ["Security basics", "2027-03-05", "1", "4", groups[2]["note"]],
    ]  # fmt: skip
    assert "not examined" in groups[2]["note"]
    # The overall table keeps only the every-deadline rows (no facilitator rows were asked for).
    assert [cells[0] for cells in table_cells(page, "sensitivity")] == [
        "every deadline one week later", "every deadline one week earlier"
    ]  # fmt: skip


def test_a_failed_plan_says_why(app, client, coordinator, period_id):
    with app.app_context():
        plan = CapacityPlan(period_id=period_id, status=JobStatus.FAILED, error="no queue")
        db.session.add(plan)
        db.session.commit()
        plan_id = plan.id
    page = client.get(f"/capacity-plans/{plan_id}").get_data(as_text=True)
    assert "This plan failed: no queue" in page


def test_a_plan_running_far_past_its_time_limit_is_failed_as_lost(
    app, client, coordinator, period_id
):
    with app.app_context():
        old = utcnow() - timedelta(seconds=60 + LOST_AFTER_SECONDS + 1)
        lost = CapacityPlan(period_id=period_id, status=JobStatus.RUNNING, created_at=old,
                            time_limit_seconds=60)  # fmt: skip
        recent = CapacityPlan(period_id=period_id, status=JobStatus.RUNNING, time_limit_seconds=60)
        db.session.add_all([lost, recent])
        db.session.commit()
        lost_id, recent_id = lost.id, recent.id
    page = client.get(f"/capacity-plans/{recent_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page  # still running: the page refreshes itself
    page = client.get(f"/capacity-plans/{lost_id}").get_data(as_text=True)
    assert "This plan failed: The plan stopped without an answer" in page
    assert 'http-equiv="refresh"' not in page
    with app.app_context():
        assert db.session.get(CapacityPlan, recent_id).status == JobStatus.RUNNING


def test_weekly_hours_fill_whole_days_from_monday():
    assert util.weekly_hours(20) == {
        "mon": [["09:00", "17:00"]],
        "tue": [["09:00", "17:00"]],
        "wed": [["09:00", "13:00"]],
    }
    assert list(util.weekly_hours(60)) == ["mon", "tue", "wed", "thu", "fri"]
