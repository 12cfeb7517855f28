"""Scenario pages served from the cache (issue 19): a scenario's problem and each stored result's
pricing are built once per content, and the content is the key, never the scenario's id.

That a view was served from the cache is proved by counting the builders' calls (a spy around
``util.scenario_problem`` and ``comparison.priced``), and that nothing stale is served by what
the next page shows after a change, a change written behind the app's back, and a scenario
deleted and made again under the same id. No timings: those are in bench/results/scenarios.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from sqlalchemy import select, update

from scheduler import caching
from scheduler.caching import cache, cached_value
from scheduler.extensions import db
from scheduler.models import PlanningPeriod, Program, Role, Scenario
from scheduler.planning.mapping import period_problem
from scheduler.scenarios import comparison, util
from scheduler.solving.operations import queue_solve
from tests.factories import create_user
from tests.scenario_world import HIRE, add, create, scenario
from tests.solve_worlds import small_period


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
        cache.clear()
    auth.login("coordinator@example.com")


@pytest.fixture
def immediate(app):
    """Jobs run inside the request that queues them."""
    app.config["JOBS_IMMEDIATE"] = True
    return app


@pytest.fixture
def builds(monkeypatch) -> Counter:
    """How many times each builder ran: ``problem`` (a scenario's problem, by its changes'
    kinds) and ``priced`` (a plan's documents)."""
    counted: Counter = Counter()
    build_problem, build_priced = util.scenario_problem, comparison.priced

    def problem_spy(base, changes):
        counted["problem"] += 1
        return build_problem(base, changes)

    def priced_spy(problem, schedule):
        counted["priced"] += 1
        return build_priced(problem, schedule)

    monkeypatch.setattr(util, "scenario_problem", problem_spy)
    monkeypatch.setattr(comparison, "priced", priced_spy)
    return counted


def the_period_problem() -> dict:
    return period_problem(db.session.scalar(select(PlanningPeriod)))


def offered_facilitators(client, scenario_id: int) -> list[str]:
    """The facilitators the "remove a facilitator" form offers: read from the scenario's problem."""
    page = client.get(f"/scenarios/{scenario_id}/changes/new?kind=remove_facilitator")
    assert page.status_code == 200
    return re.findall(r'<option value="([^"]+)"', page.get_data(as_text=True))


def training_cost_shown(client, scenario_id: int) -> str | None:
    body = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    found = re.search(r"<dt>Training cost</dt><dd>([^<]+)</dd>", body)
    return found.group(1) if found else None


def trained_shown(client, scenario_id: int) -> int:
    body = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    found = re.search(r"<dt>Learners trained by their deadline</dt><dd>(\d+) of", body)
    assert found, "no result shown"
    return int(found.group(1))


def training_cost_of(app, scenario_id: int) -> str:
    """The scenario's training cost worked out from its schedule document's own components."""
    with app.app_context():
        cost = scenario(scenario_id).schedule["cost"]
    return f"{sum(cost[k] for k in ('facilitators', 'travel', 'rooms', 'seats')):,.2f}"


def test_the_second_view_of_a_scenario_builds_nothing_again(immediate, client, coordinator, builds):
    with immediate.app_context():
        period_id = small_period().id
        queue_solve(db.session.get(PlanningPeriod, period_id), None)
        site = the_period_problem()["rooms"][0]["site"]
    scenario_id = create(client, period_id)
    assert add(client, scenario_id, "add_facilitator", HIRE | {"site": site}).status_code == 302
    assert client.post(f"/scenarios/{scenario_id}/solve").status_code == 302
    # The form read the problem without the change; the solve and its task, with it: two builds.
    assert builds["problem"] == 2
    first = training_cost_shown(client, scenario_id)
    assert first == training_cost_of(immediate, scenario_id)
    assert builds["priced"] == 1
    compare = f"/planning/{period_id}/scenarios/compare?ids={scenario_id}"
    assert client.get(compare).status_code == 200
    assert builds["priced"] == 2  # the current plan's, once
    for _ in range(2):
        assert training_cost_shown(client, scenario_id) == first
        assert first in client.get(compare).get_data(as_text=True)
        assert "new-new-hire" in offered_facilitators(client, scenario_id)
    assert builds == Counter(problem=2, priced=2)


def test_a_change_shows_on_the_next_view(app, client, coordinator, builds):
    with app.app_context():
        period_id = small_period().id
        keys = [f["id"] for f in the_period_problem()["facilitators"]]
    scenario_id = create(client, period_id)
    assert offered_facilitators(client, scenario_id) == keys
    removed = {"facilitator": keys[0]}
    assert add(client, scenario_id, "remove_facilitator", removed).status_code == 302
    assert offered_facilitators(client, scenario_id) == keys[1:]
    with app.app_context():
        position = len(scenario(scenario_id).changes) - 1
    response = client.post(
        f"/scenarios/{scenario_id}/changes/remove", data={"position": str(position)}
    )
    assert response.status_code == 302
    assert offered_facilitators(client, scenario_id) == keys
    # Three contents (none, one removal, none again): the last is the first, already built.
    assert builds["problem"] == 2


def test_a_copy_changed_behind_the_app_shows_on_the_next_view(app, client, coordinator):
    """The key is the documents' digest: even a write no data stamp sees is followed."""
    with app.app_context():
        period_id = small_period().id
    scenario_id = create(client, period_id)
    before = offered_facilitators(client, scenario_id)
    with app.app_context():
        base = scenario(scenario_id).base
        base["facilitators"][0]["id"] = "renamed-in-the-copy"
        db.session.rollback()  # SQLite: the session's transaction would hold the write lock
        with db.engine.begin() as connection:  # a bare connection: no stamp, no ORM event
            connection.execute(
                update(Scenario)
                .where(Scenario.id == scenario_id)
                .values(base_json=json.dumps(base, sort_keys=True))
            )
    after = offered_facilitators(client, scenario_id)
    assert after == ["renamed-in-the-copy", *before[1:]]
    assert after != before


def test_a_new_result_of_the_same_problem_shows_on_the_next_view(immediate, client, coordinator):
    """Another solve of unchanged changes stores another schedule for the same problem: the
    pricing is keyed by both documents."""
    with immediate.app_context():
        period_id = small_period().id
    scenario_id = create(client, period_id)
    assert client.post(f"/scenarios/{scenario_id}/solve").status_code == 302
    with immediate.app_context():
        schedule = scenario(scenario_id).schedule
        assert trained_shown(client, scenario_id) == sum(s["size"] for s in schedule["sections"])
        dropped = schedule["sections"].pop()
        assert dropped["size"] > 0
        db.session.rollback()  # SQLite: the session's transaction would hold the write lock
        with db.engine.begin() as connection:
            connection.execute(
                update(Scenario)
                .where(Scenario.id == scenario_id)
                .values(schedule_json=json.dumps(schedule, sort_keys=True))
            )
    assert trained_shown(client, scenario_id) == sum(s["size"] for s in schedule["sections"])


def test_a_scenario_made_again_under_a_deleted_ones_id_shows_its_own_data(
    immediate, client, coordinator, builds
):
    with immediate.app_context():
        period_id = small_period().id
        site = the_period_problem()["rooms"][0]["site"]
        program = db.session.scalar(select(Program.key))
    old = create(client, period_id, "Old")
    assert add(client, old, "add_facilitator", HIRE | {"site": site}).status_code == 302
    assert client.post(f"/scenarios/{old}/solve").status_code == 302
    old_cost = training_cost_shown(client, old)
    old_offered = offered_facilitators(client, old)
    assert old_cost == training_cost_of(immediate, old) and len(old_offered) == 3
    assert client.post(f"/scenarios/{old}/delete").status_code == 302
    with immediate.app_context():
        # SQLite gives the next scenario the deleted one's id; PostgreSQL would not, so the
        # new row takes it explicitly, as SQLite would.
        period = db.session.get(PlanningPeriod, period_id)
        made = Scenario(
            id=old,
            period_id=period_id,
            name="New",
            base_json=json.dumps(period_problem(period), sort_keys=True),
            changes_json="[]",
        )
        db.session.add(made)
        db.session.commit()
    assert training_cost_shown(client, old) is None  # not solved yet: no result to show
    assert len(offered_facilitators(client, old)) == 2  # without the old one's hire
    seats = {"program": program, "amount": "400"}
    assert add(client, old, "seat_cost", seats).status_code == 302
    assert client.post(f"/scenarios/{old}/solve").status_code == 302
    new_cost = training_cost_shown(client, old)
    assert new_cost == training_cost_of(immediate, old)
    assert new_cost != old_cost
    assert builds["priced"] == 2  # one per result


def test_a_programs_cost_changed_shows_without_pricing_the_plan_again(
    immediate, client, coordinator, builds
):
    """Only the documents' part is cached: the follow-up and the blended alternative are
    worked out from the programs as they are now."""
    with immediate.app_context():
        period_id = small_period().id
    scenario_id = create(client, period_id)
    assert client.post(f"/scenarios/{scenario_id}/solve").status_code == 302
    with immediate.app_context():
        period = db.session.get(PlanningPeriod, period_id)
        before = comparison.compare(period, [scenario_id]).columns[0]
        db.session.scalar(select(Program)).microlearning_learner_cost = 10.0
        db.session.commit()
        period = db.session.get(PlanningPeriod, period_id)
        after = comparison.compare(period, [scenario_id]).columns[0]
    assert before.trained > 0
    assert after.microlearning == pytest.approx(10.0 * after.trained)
    assert after.microlearning != before.microlearning
    assert after.training_cost == before.training_cost
    assert builds["priced"] == 1


def test_with_the_page_cache_off_every_view_builds(app, client, coordinator, builds):
    app.config["PAGE_CACHE"] = False
    with app.app_context():
        app.extensions.pop("cache", None)
        caching.init_app(app)
        period_id = small_period().id
    scenario_id = create(client, period_id)
    for _ in range(3):
        assert client.get(f"/scenarios/{scenario_id}").status_code == 200
    assert builds["problem"] == 3


def test_a_cached_value_is_a_copy_the_caller_may_change(app):
    built: list[int] = []

    def build() -> dict:
        built.append(1)
        return {"cohorts": ["a"]}

    with app.app_context():
        cache.clear()
        first = cached_value(("test", "copy"), build)
        first["cohorts"].append("changed by the caller")
        again = cached_value(("test", "copy"), build)
    assert again == {"cohorts": ["a"]}
    assert len(built) == 1
