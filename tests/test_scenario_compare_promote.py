"""Comparing scenarios with the current plan (equal to an independent recomputation from each
schedule document) and promoting one (confirmed change by change, all or nothing)."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import (
    AvailabilityRule,
    Closure,
    Cohort,
    Facilitator,
    PlanningPeriod,
    Program,
    ProgramMode,
    Role,
    ScheduleVersion,
    Site,
    SolveJob,
)
from scheduler.scenarios import comparison, promotion
from scheduler.solving.operations import queue_solve
from solver import check, parse_problem
from solver.cost import recompute_cost
from tests.factories import create_user
from tests.scenario_world import HIRE, add, create, real_data, scenario
from tests.solve_worlds import small_period

TRAINING = ("facilitators", "travel", "rooms", "seats")
IL_FIXED, ML_FIXED, ML_PER_LEARNER, SHARE = 10_000.0, 30_000.0, 3.0, 0.5  # the rate card's


@pytest.fixture
def coordinator(app, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    auth.login("coordinator@example.com")


@pytest.fixture
def immediate(app):
    """Jobs run inside the request that queues them."""
    app.config["JOBS_IMMEDIATE"] = True
    return app


def independent(problem: dict, schedule: dict) -> dict:
    """The comparison's figures recomputed from the documents alone, another way: the solver's
    reported (and checked) components, section sizes, session times, the rate card by hand."""
    cost = schedule["cost"]
    training = round(sum(cost[k] for k in TRAINING), 2)
    trained = sum(section["size"] for section in schedule["sections"])
    sessions = [s for section in schedule["sections"] for s in section["sessions"]]
    zone = ZoneInfo(problem["timezone"])
    ends = [datetime.fromisoformat(s["end"]).astimezone(zone).date() for s in sessions]
    hired = [f["id"] for f in problem["facilitators"] if f.get("weekly")]
    hired_minutes = sum(
        (datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"])).seconds // 60
        for s in sessions
        if s["facilitator"] in hired
    )
    # Weekly Monday–Friday 09:00–17:00 over 1–26 March 2027 (four whole weeks): 160 hours.
    offered = 160.0 * len(hired)
    il_per_learner = training / trained
    return {
        "training_cost": training,
        "trained": trained,
        "learners": sum(c["size"] for c in problem["cohorts"]),
        "last_finish": max(ends).isoformat(),
        "utilisation": (hired_minutes / 60 / offered) if offered else None,
        "travel": cost["travel"],
        "rooms": cost["rooms"],
        "microlearning": ML_PER_LEARNER * trained,
        "blended": IL_FIXED + ML_FIXED + (SHARE * il_per_learner + ML_PER_LEARNER) * trained,
        "solver_total": cost["total"],
    }


def solve_period(period_id: int) -> None:
    queue_solve(db.session.get(PlanningPeriod, period_id), None)


def keys() -> dict:
    return {
        "site": db.session.scalar(select(Site.key).order_by(Site.key)),
        "cohort": db.session.scalar(select(Cohort.key).order_by(Cohort.key)),
        "facilitator": db.session.scalar(select(Facilitator.key).order_by(Facilitator.key)),
        "program": db.session.scalar(select(Program.key)),
    }


def test_the_comparison_equals_an_independent_recomputation(immediate, client, coordinator):
    with immediate.app_context():
        period_id = small_period().id
        solve_period(period_id)
        site = keys()["site"]
    hire = create(client, period_id, "Hire one")
    assert add(client, hire, "add_facilitator", HIRE | {"site": site}).status_code == 302
    sooner = create(client, period_id, "Sooner")
    assert add(client, sooner, "move_deadline", {"cohort": "", "days": "-4"}).status_code == 302
    unsolved = create(client, period_id, "Not solved")
    for scenario_id in (hire, sooner):
        client.post(f"/scenarios/{scenario_id}/solve")
    with immediate.app_context():
        period = db.session.get(PlanningPeriod, period_id)
        table = comparison.compare(period, [hire, sooner, unsolved])
        assert [c.label for c in table.columns] == [
            "Current plan (version 1, draft)",
            "Hire one",
            "Sooner",
        ]
        assert table.has_plan and table.unsolved == ["Not solved"]
        plan = db.session.scalar(select(ScheduleVersion))
        documents = [(plan.problem_json, plan.schedule_json)] + [
            (scenario(i).solved_problem_json, scenario(i).schedule_json) for i in (hire, sooner)
        ]
        for column, (problem, schedule) in zip(table.columns, documents, strict=True):
            expected = independent(json.loads(problem), json.loads(schedule))
            assert column.training_cost == pytest.approx(expected["training_cost"])
            assert column.trained == expected["trained"] and column.trained > 0
            assert column.learners == expected["learners"]
            assert column.per_trained_learner == pytest.approx(
                round(expected["training_cost"] / expected["trained"], 2)
            )
            assert column.last_finish == expected["last_finish"]
            assert column.travel == pytest.approx(expected["travel"])
            assert column.rooms == pytest.approx(expected["rooms"])
            assert column.microlearning == pytest.approx(expected["microlearning"])
            assert column.blended == pytest.approx(expected["blended"], abs=0.01)
            assert column.solver_total == pytest.approx(expected["solver_total"])
            if expected["utilisation"] is None:
                assert column.utilisation is None
            else:
                assert column.utilisation == pytest.approx(expected["utilisation"])
        # The cheaper hire teaches: the scenario's utilisation is a real share, not "no data".
        assert table.columns[1].utilisation > 0
        assert table.columns[2].last_finish <= "2027-03-22"
        # Each cell is judged against the current plan, in the row's direction.
        for label, cells in table.rows():
            reference = cells[0]
            assert reference.verdict == ""
            for cell in cells[1:]:
                if cell.verdict in ("better", "worse"):
                    assert cell.value != reference.value, label
                if cell.verdict == "same":
                    # Judged as shown: a share to 0.1 %, money to the cent.
                    assert cell.value == pytest.approx(reference.value, abs=5e-4), label
        training = dict(table.rows())["Training cost"]
        for cell in training[1:]:
            want = (
                "same"
                if cell.value == training[0].value
                else ("better" if cell.value < training[0].value else "worse")
            )
            assert cell.verdict == want
    page = client.get(f"/planning/{period_id}/scenarios/compare?ids={hire}&ids={sooner}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="scenario-money-chart"' in body and "scenario-compare-chart.js" in body
    assert "Hire one" in body and "Sooner" in body and "<script>" not in body


PROMOTABLE = [
    ("add_facilitator", lambda k: HIRE | {"site": k["site"]}),
    ("remove_facilitator", lambda k: {"facilitator": k["facilitator"]}),
    ("move_deadline", lambda k: {"cohort": "", "days": "-3"}),
    ("close_site", lambda k: {"site": k["site"], "start": "2027-03-15", "end": "2027-03-16"}),
    ("make_virtual", lambda k: {"program": k["program"]}),
    ("seat_cost", lambda k: {"program": k["program"], "amount": "14.50"}),
    ("travel_cost", lambda k: {"percent": "150"}),
]


def promotable_scenario(client, app) -> tuple[int, int, dict]:
    with app.app_context():
        period_id = small_period().id
        found = keys()
    scenario_id = create(client, period_id, "Hire and go virtual")
    for kind, data in PROMOTABLE:
        assert add(client, scenario_id, kind, data(found)).status_code == 302, kind
    client.post(f"/scenarios/{scenario_id}/solve")
    with app.app_context():
        assert scenario(scenario_id).status.value == "solved"
    return period_id, scenario_id, found


def test_promotion_makes_each_change_real_and_the_plan_a_draft(immediate, client, coordinator):
    period_id, scenario_id, found = promotable_scenario(client, immediate)
    page = client.get(f"/scenarios/{scenario_id}/promote").get_data(as_text=True)
    assert page.count('name="confirmed"') == len(PROMOTABLE)
    assert "Create a placeholder facilitator &#34;New hire (placeholder)&#34;" in page
    response = client.post(
        f"/scenarios/{scenario_id}/promote",
        data={"confirmed": [str(i) for i in range(len(PROMOTABLE))]},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/planning/{period_id}")
    with immediate.app_context():
        promoted = scenario(scenario_id)
        assert promoted.promoted_at is not None
        draft = db.session.scalar(select(ScheduleVersion))
        assert draft.note == "from scenario Hire and go virtual"
        assert draft.schedule_json == promoted.schedule_json
        placeholder = db.session.scalar(
            select(Facilitator).where(Facilitator.key == "new-new-hire")
        )
        assert placeholder.user.name == "New hire (placeholder)"
        assert placeholder.user.email.endswith("@placeholder.invalid")
        assert placeholder.skill_names == ["security"] and placeholder.hourly_rate == 60
        assert placeholder.site.key == found["site"]
        rules = db.session.scalars(
            select(AvailabilityRule).where(AvailabilityRule.facilitator_id == placeholder.id)
        ).all()
        assert sorted(r.weekday for r in rules) == [0, 1, 2, 3, 4]
        removed = db.session.scalar(
            select(Facilitator).where(Facilitator.key == found["facilitator"])
        )
        assert removed.user.is_enabled is False
        assert {c.deadline for c in db.session.scalars(select(Cohort))} == {date(2027, 3, 23)}
        closure = db.session.scalar(select(Closure))
        assert (closure.site.key, closure.start, closure.end) == (
            found["site"],
            date(2027, 3, 15),
            date(2027, 3, 16),
        )
        program = db.session.scalar(select(Program))
        assert program.mode == ProgramMode.VIRTUAL and program.seat_cost == 14.5
    # Promoted once: the page refuses a second time, and changes nothing.
    again = client.post(
        f"/scenarios/{scenario_id}/promote",
        data={"confirmed": [str(i) for i in range(len(PROMOTABLE))]},
    )
    assert "was promoted already" in again.get_data(as_text=True)


def test_promotion_needs_every_change_confirmed(immediate, client, coordinator):
    _, scenario_id, _ = promotable_scenario(client, immediate)
    with immediate.app_context():
        before = real_data()
    response = client.post(f"/scenarios/{scenario_id}/promote", data={"confirmed": ["0", "2"]})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not confirmed: 2, 4, 5, 6, 7. Nothing was changed." in body
    with immediate.app_context():
        assert real_data() == before
        assert scenario(scenario_id).promoted_at is None


def test_a_failure_in_the_middle_of_promotion_changes_nothing(
    immediate, client, coordinator, monkeypatch
):
    _, scenario_id, _ = promotable_scenario(client, immediate)
    with immediate.app_context():
        before = real_data()

    # The fifth change (make virtual) fails after four were applied in the transaction.
    def fail(period, base, change):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(promotion.APPLY, "make_virtual", fail)
    with immediate.app_context():
        with pytest.raises(RuntimeError, match="went away"):
            promotion.promote(scenario(scenario_id), set(range(len(PROMOTABLE))), None)
        assert real_data() == before
        assert scenario(scenario_id).promoted_at is None
    monkeypatch.undo()

    # A real refusal half-way: the removed facilitator was deleted meanwhile.
    with immediate.app_context():
        db.session.delete(db.session.scalar(select(Facilitator).order_by(Facilitator.key)))
        db.session.commit()
        before = real_data()
    response = client.post(
        f"/scenarios/{scenario_id}/promote",
        data={"confirmed": [str(i) for i in range(len(PROMOTABLE))]},
    )
    assert "no longer exists; nothing was changed." in response.get_data(as_text=True)
    with immediate.app_context():
        assert real_data() == before
        assert db.session.scalar(select(func.count(Facilitator.id))) == 1


def test_added_learners_are_left_to_do_and_the_period_is_solved_again(
    immediate, client, coordinator
):
    with immediate.app_context():
        period_id = small_period().id
        cohort = keys()["cohort"]
        sizes = {c.key: c.size for c in db.session.scalars(select(Cohort))}
    scenario_id = create(client, period_id, "Bigger")
    add(client, scenario_id, "add_learners", {"cohort": cohort, "count": "3"})
    client.post(f"/scenarios/{scenario_id}/solve")
    response = client.post(f"/scenarios/{scenario_id}/promote", data={"confirmed": ["0"]})
    assert response.status_code == 302 and "/solve-jobs/" in response.headers["Location"]
    with immediate.app_context():
        assert {c.key: c.size for c in db.session.scalars(select(Cohort))} == sizes
        job = db.session.scalar(select(SolveJob))
        assert job.status.value == "finished"
        # The scenario's plan seats learners that do not exist: never stored as a draft.
        assert db.session.scalar(select(func.count(ScheduleVersion.id))) == 1
        assert job.draft.note == ""
    page = client.get(f"/planning/{period_id}").get_data(as_text=True)
    assert "add 3 learners to cohort" in page


def placements(schedule: dict) -> dict:
    """Each session of a schedule: (section, index) -> (start, facilitator, room)."""
    return {
        (section["id"], s["index"]): (s["start"], s["facilitator"], s.get("room"))
        for section in schedule["sections"]
        for s in section["sessions"]
    }


def test_a_promotion_that_fails_the_check_re_solves_from_the_scenarios_plan(
    immediate, client, coordinator, monkeypatch
):
    """The real data moved after the scenario was solved (the facilitator its plan uses most
    became far dearer), so its plan still keeps every rule but no longer reports the right
    cost: the checker refuses it, and the period is solved again starting from that plan. With
    moving a session dearer (change cost 1,000) than anything the other facilitator saves, the
    re-solve keeps the plan as it is; a solve from scratch would move every session it can to
    the cheaper facilitator."""
    with immediate.app_context():
        period = small_period()
        period.change_cost = 1000
        db.session.commit()
        period_id, program = period.id, keys()["program"]
    scenario_id = create(client, period_id, "Dearer seats")
    add(client, scenario_id, "seat_cost", {"program": program, "amount": "12"})
    client.post(f"/scenarios/{scenario_id}/solve")
    with immediate.app_context():
        plan = scenario(scenario_id).schedule
        used = [s["facilitator"] for sec in plan["sections"] for s in sec["sessions"]]
        keys_ = db.session.scalars(select(Facilitator.key).order_by(Facilitator.key)).all()
        most = max(keys_, key=used.count)
        db.session.scalar(select(Facilitator).where(Facilitator.key == most)).hourly_rate = 300
        db.session.commit()

    import solver.solve

    given = []
    real_solve = solver.solve.solve

    def watched_solve(problem, **kwargs):
        given.append(problem.previous)
        return real_solve(problem, **kwargs)

    monkeypatch.setattr(solver.solve, "solve", watched_solve)
    response = client.post(f"/scenarios/{scenario_id}/promote", data={"confirmed": ["0"]})
    assert "/solve-jobs/" in response.headers["Location"]
    with immediate.app_context():
        job = db.session.scalar(select(SolveJob))
        assert job.status.value == "finished", job.error
        # The queued solve was given the scenario's plan as the plan to re-plan from.
        assert json.loads(job.previous_json) == plan
        assert given == [plan]
        draft = job.draft
        solved_problem = json.loads(draft.problem_json)
        assert solved_problem["previous"] == plan
        # Where the plan is still valid, the re-solve is no dearer than keeping it as it is.
        problem, errors = parse_problem(solved_problem)
        assert errors == [] and check(problem, plan) != []  # valid, but its costs are stale
        kept = recompute_cost(problem, plan)
        assert check(problem, plan | {"cost": kept}) == []
        assert draft.total_cost <= kept["total"] + 0.005
        # ... and it moved nothing of it.
        assert placements(json.loads(draft.schedule_json)) == placements(plan)
