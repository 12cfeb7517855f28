"""Reviewing a draft (costs, solver status, sections, learners left out, calendar events), its
diff against the published plan, and publishing it: once, atomically, never over a newer plan."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import PlanningPeriod, Role, ScheduleVersion, User, VersionStatus
from scheduler.planning.publishing import PublishRefused, publish, schedule_published
from tests.drafts import Planned, first_plan, spring_organisation, store_draft, utc
from tests.factories import create_user
from tests.publish_jobs import publish_from_the_page, run_queued_publishes


@dataclass
class Plan:
    """Ids of a small organisation with one planning period (Europe/London, spring 2027)."""

    period: int
    coordinator: int
    objects: dict


@pytest.fixture
def plan(app) -> Plan:
    with app.app_context():
        coordinator = create_user(Role.COORDINATOR, email="coordinator@example.com")
        period, found = spring_organisation()
        db.session.commit()
        return Plan(period.id, coordinator.id, {k: (type(v), v.id) for k, v in found.items()})


def objects(plan: Plan) -> dict:
    """The fixture's objects in the current session."""
    return {name: db.session.get(kind, id_) for name, (kind, id_) in plan.objects.items()}


def draft(app, plan: Plan, sections=first_plan, **options) -> int:
    with app.app_context():
        period = db.session.get(PlanningPeriod, plan.period)
        version = store_draft(period, sections(objects(plan)), **options)
        db.session.commit()
        return version.id


@pytest.fixture
def coordinator(client, auth, plan):
    auth.login("coordinator@example.com")
    return client


def status_of(app, version_id: int) -> VersionStatus:
    with app.app_context():
        return db.session.get(ScheduleVersion, version_id).status


# --- the review page ---------------------------------------------------------------------------


def test_review_page_shows_the_cost_breakdown_and_the_saving_against_the_greedy_plan(
    app, plan, coordinator
):
    version_id = draft(app, plan, greedy_cost=1250.0)
    page = coordinator.get(f"/planning/versions/{version_id}").get_data(as_text=True)
    for label, amount in [
        ("Facilitators", "400.00"),
        ("Travel", "100.00"),
        ("Rooms", "200.00"),
        ("Seats", "300.00"),
        ("Total", "1,000.00"),
        ("Per trained learner", "50.00"),
    ]:
        assert f'<th scope="row">{label}</th><td class="num">{amount}</td>' in page
    assert "20.0% below the greedy plan" in page


def test_review_page_shows_solver_status_bound_and_gap(app, plan, coordinator):
    version_id = draft(app, plan)
    page = coordinator.get(f"/planning/versions/{version_id}").get_data(as_text=True)
    assert "feasible: a valid schedule, not proven to be the cheapest" in page
    assert "900.00 (no schedule can cost less)" in page
    assert "10.0% between this cost and the bound" in page


def test_review_page_lists_sections_with_their_cohorts_and_learner_counts(app, plan, coordinator):
    version_id = draft(app, plan)
    page = coordinator.get(f"/planning/versions/{version_id}").get_data(as_text=True)
    assert "2 sections, 4 learners seated." in page
    assert "fire-london (3)" in page and "fire-leeds (1)" in page
    # Session times in the period's zone, with the zone's abbreviation either side of the DST change.
    assert "Tue 16 Mar 2027 09:00 GMT" in page
    assert "Tue 30 Mar 2027 09:00 BST" in page
    assert "Times are in Europe/London" in page


def test_review_page_lists_learners_left_out_with_the_solvers_reasons(app, plan, coordinator):
    reasons = ["no facilitator with skill security is free in the cohort's hours"]
    version_id = draft(
        app, plan, unscheduled=[{"cohort": "fire-leeds", "learners": 2, "reasons": reasons}]
    )
    page = coordinator.get(f"/planning/versions/{version_id}").get_data(as_text=True)
    assert "<td>fire-leeds</td>" in page
    assert '<td class="num">2</td>' in page
    assert f"<li>{reasons[0]}</li>".replace("'", "&#39;") in page


def test_review_page_of_a_draft_has_a_publish_button_and_a_link_to_the_diff(app, plan, coordinator):
    version_id = draft(app, plan)
    page = coordinator.get(f"/planning/versions/{version_id}").get_data(as_text=True)
    assert f'href="/planning/versions/{version_id}/publish"' in page  # the confirmation
    assert f'href="/planning/versions/{version_id}/diff"' in page


def test_review_page_loads_the_calendar_from_node_modules_under_the_csp(app, plan, coordinator):
    version_id = draft(app, plan)
    response = coordinator.get(f"/planning/versions/{version_id}")
    page = response.get_data(as_text=True)
    assert '<script src="/vendor/fullcalendar/index.global.min.js"></script>' in page
    assert f'data-events-url="/planning/versions/{version_id}/events.json"' in page
    assert 'data-initial-date="2027-03-16"' in page
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy  # still no inline scripts
    assert "'unsafe-inline'" not in policy


def test_review_page_says_so_when_the_calendar_files_are_not_installed(
    app, plan, coordinator, tmp_path
):
    version_id = draft(app, plan)
    app.config["NODE_MODULES_PATH"] = str(tmp_path / "no-node-modules")
    page = coordinator.get(f"/planning/versions/{version_id}").get_data(as_text=True)
    assert "The calendar cannot be shown: its files are not installed" in page
    assert "/vendor/" not in page


def test_calendar_events_are_sessions_in_the_periods_wall_clock_time(app, plan, coordinator):
    version_id = draft(app, plan)
    events = coordinator.get(f"/planning/versions/{version_id}/events.json").get_json()
    assert len(events) == 4
    first, after_dst = events[0], next(e for e in events if e["start"].startswith("2027-03-30"))
    assert first["title"] == "Fire safety · S1 (1)"
    assert (first["start"], first["end"]) == ("2027-03-16T09:00", "2027-03-16T11:00")
    assert after_dst["start"] == "2027-03-30T09:00"  # 08:00 UTC is 09:00 BST
    assert first["extendedProps"]["facilitator"] == "Ana Duarte"
    assert first["extendedProps"]["room"] == "Thames room"
    assert first["extendedProps"]["site"] == "London"
    assert first["extendedProps"]["section"] == "S1"
    assert first["extendedProps"]["session"] == "1 of 2"


def test_unknown_version_is_not_found(coordinator):
    assert coordinator.get("/planning/versions/999999").status_code == 404
    assert coordinator.get("/planning/versions/999999/events.json").status_code == 404


# --- the diff ----------------------------------------------------------------------------------


def test_diff_with_nothing_published_says_everything_is_new(app, plan, coordinator):
    version_id = draft(app, plan)
    page = coordinator.get(f"/planning/versions/{version_id}/diff").get_data(as_text=True)
    assert "Nothing published yet: everything is new (4 sessions)." in page
    assert "Léa Martin" in page and "Ana Duarte" in page


def replan(o: dict) -> list[Planned]:
    """S1's second session moves to Ben in the afternoon, S2 is dropped, S3 is new."""
    return [
        Planned(
            "S1",
            o["program"],
            [(o["first"], 3)],
            [
                (utc(2027, 3, 16, 9), o["ana"], o["room_a"]),
                (utc(2027, 3, 30, 13), o["ben"], o["room_a"]),
            ],
        ),
        Planned("S3", o["program"], [(o["second"], 1)], [(utc(2027, 4, 6, 9), o["ben"], None)]),
    ]


def test_diff_lists_moved_added_cancelled_sessions_and_the_people_affected(app, plan, coordinator):
    first_id = draft(app, plan)
    assert publish_from_the_page(coordinator, app, first_id).status_code == 302
    with app.app_context():
        period = db.session.get(PlanningPeriod, plan.period)
        assert period.version == 1
    second_id = draft(app, plan, sections=replan)
    page = coordinator.get(f"/planning/versions/{second_id}/diff").get_data(as_text=True)
    assert "1 added, 1 moved, 2 cancelled, 1 unchanged." in page
    moved = page.split('<table id="moved">')[1].split("</table>")[0]
    assert "Tue 30 Mar 2027 09:00 BST, Ana Duarte, Thames room" in moved
    assert "Tue 30 Mar 2027 14:00 BST, Ben Okafor, Thames room" in moved
    added = page.split('<table id="added">')[1].split("</table>")[0]
    assert "Fire safety · S3 session 1" in added and "virtual" in added
    cancelled = page.split('<table id="cancelled">')[1].split("</table>")[0]
    assert cancelled.count("Fire safety · S2") == 2
    facilitators = page.split('id="affected-facilitators">')[1].split("</ul>")[0]
    assert facilitators == "<li>Ana Duarte</li><li>Ben Okafor</li>"
    learners = page.split('id="affected-learners"')[1].split("</ul>")[0]
    for name in ("Léa Martin", "Mo Haddad", "Zoe Price", "Sam Ito"):
        assert name in learners


# --- publishing --------------------------------------------------------------------------------


def test_publish_makes_the_draft_the_published_plan(app, plan, coordinator):
    version_id = draft(app, plan)
    response = coordinator.post(f"/planning/versions/{version_id}/publish")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/publish-jobs/")
    assert status_of(app, version_id) == VersionStatus.DRAFT  # queued: a worker publishes it
    assert run_queued_publishes(app) == 1
    assert "Version 1 published; invitations are on their way" in coordinator.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert status_of(app, version_id) == VersionStatus.PUBLISHED
    # The invitations written with the publish are sent now, not at the next periodic send.
    assert [task.name for task in queue.huey(app).pending()] == ["calendars.send_mail"]


def test_publishing_a_stale_draft_is_refused_with_the_reason_and_changes_nothing(
    app, plan, coordinator
):
    first_id, second_id = draft(app, plan), draft(app, plan, sections=replan)
    publish_from_the_page(coordinator, app, first_id)
    response = coordinator.post(f"/planning/versions/{second_id}/publish")
    assert response.headers["Location"] == f"/planning/versions/{second_id}"
    assert run_queued_publishes(app) == 0  # refused when queued: no job
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone published or changed this plan since you opened it." in page
    assert "publishing it will be refused" in page  # the page warns before the next try
    assert status_of(app, first_id) == VersionStatus.PUBLISHED
    assert status_of(app, second_id) == VersionStatus.DRAFT
    with app.app_context():
        assert db.session.get(PlanningPeriod, plan.period).version == 1


def test_publishing_a_published_version_again_is_refused(app, plan, coordinator):
    version_id = draft(app, plan)
    publish_from_the_page(coordinator, app, version_id)
    response = coordinator.post(f"/planning/versions/{version_id}/publish", follow_redirects=True)
    assert "Version 1 is already published: nothing to do." in response.get_data(as_text=True)
    assert "Publish version 1" not in response.get_data(as_text=True)


def test_publish_sends_schedule_published_with_the_new_and_the_replaced_version(
    app, plan, coordinator
):
    received = []

    def on_published(period, version, previous):
        received.append((period.id, version.id, previous.id if previous else None))

    first_id, second_id = draft(app, plan), None
    with schedule_published.connected_to(on_published):
        publish_from_the_page(coordinator, app, first_id)
        second_id = draft(app, plan, sections=replan)
        publish_from_the_page(coordinator, app, second_id)
    assert received == [(plan.period, first_id, None), (plan.period, second_id, first_id)]


def test_two_simultaneous_publishes_let_exactly_one_through(app, plan):
    """Two coordinators press Publish at the same moment, each on a draft of the same plan."""
    drafts = [draft(app, plan), draft(app, plan, sections=replan)]
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def press_publish(version_id: int) -> None:
        with app.app_context():
            version = db.session.get(ScheduleVersion, version_id)
            user = db.session.get(User, plan.coordinator)
            db.session.commit()  # read first, then race: no transaction is held at the barrier
            barrier.wait()
            try:
                publish(version, user)
                outcomes[version_id] = "published"
            except PublishRefused as refused:
                outcomes[version_id] = str(refused)
            except Exception as error:  # reported by the assertion below
                outcomes[version_id] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press_publish, args=(v,)) for v in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert list(outcomes.values()).count("published") == 1, outcomes
    (refusal,) = [outcome for outcome in outcomes.values() if outcome != "published"]
    assert refusal.startswith("Someone published or changed this plan"), outcomes
    with app.app_context():
        published = db.session.scalar(
            select(func.count(ScheduleVersion.id)).where(
                ScheduleVersion.status == VersionStatus.PUBLISHED
            )
        )
        assert published == 1
        assert db.session.get(PlanningPeriod, plan.period).version == 1
        winner = next(v for v, outcome in outcomes.items() if outcome == "published")
        assert db.session.get(ScheduleVersion, winner).status == VersionStatus.PUBLISHED


def test_publish_is_all_or_nothing_when_a_subscriber_fails(app, plan):
    version_id = draft(app, plan)

    def failing_subscriber(period, **_):
        raise RuntimeError("the invitation outbox is full")

    with app.app_context(), schedule_published.connected_to(failing_subscriber):
        version = db.session.get(ScheduleVersion, version_id)
        with pytest.raises(RuntimeError):
            publish(version, db.session.get(User, plan.coordinator))
        db.session.rollback()  # what the request's teardown does
    assert status_of(app, version_id) == VersionStatus.DRAFT
    with app.app_context():
        assert db.session.get(PlanningPeriod, plan.period).version == 0


# --- the served calendar files -----------------------------------------------------------------


def test_fullcalendar_is_served_from_node_modules(client):
    with client.get("/vendor/fullcalendar/index.global.min.js") as response:
        assert response.status_code == 200
        assert "javascript" in response.content_type
        assert b"FullCalendar Standard Bundle v6" in response.data[:200]


@pytest.mark.parametrize(
    "path",
    ["fullcalendar/package.json", "fullcalendar/index.global.js", "../package.json", "preact/"],
)
def test_only_the_listed_files_of_node_modules_are_served(client, path):
    assert client.get(f"/vendor/{path}").status_code == 404


# --- a draft the solver made ------------------------------------------------------------------


def test_review_of_a_solved_draft_shows_its_sessions_and_the_greedy_comparison(
    app, plan, coordinator
):
    from scheduler.models import VersionOrigin
    from scheduler.planning.mapping import period_problem
    from scheduler.planning.versions import store_version
    from solver.greedy import greedy
    from solver.solve import solve
    from solver.validate import parse_problem

    with app.app_context():
        period = db.session.get(PlanningPeriod, plan.period)
        document = period_problem(period)
        problem, errors = parse_problem(document)
        assert errors == []
        schedule = solve(problem, time_limit=2, workers=1)
        baseline = greedy(problem)["cost"]["total"]
        version = store_version(
            period, document, schedule, origin=VersionOrigin.SOLVE, greedy_cost=baseline
        )
        db.session.commit()
        version_id, sessions = version.id, sum(len(s["sessions"]) for s in schedule["sections"])
    assert sessions > 0
    page = coordinator.get(f"/planning/versions/{version_id}").get_data(as_text=True)
    assert "the greedy plan" in page
    # Leeds's single learner is below the program's two-seat minimum: the solver says so.
    assert "<td>fire-leeds</td>" in page
    assert "fewer than the minimum of 2 seats" in page
    events = coordinator.get(f"/planning/versions/{version_id}/events.json").get_json()
    assert len(events) == sessions
