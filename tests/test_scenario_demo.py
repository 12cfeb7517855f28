"""The demo's two ready scenarios: made by the demo loader, valid, and the right changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import PlanningPeriod, Scenario, ScenarioStatus
from scheduler.scenarios import operations
from scheduler.scenarios.util import problem_of
from tests.demo_world import loaded_demo


@pytest.fixture(scope="module")
def demo(database_url, tmp_path_factory):
    with loaded_demo(database_url, tmp_path_factory, date(2027, 3, 10)) as app:
        yield app


def test_the_demo_has_two_ready_scenarios_of_its_quarter(demo):
    with demo.app_context():
        period = db.session.scalar(select(PlanningPeriod))
        scenarios = {s.name: s for s in db.session.scalars(select(Scenario))}
        assert sorted(scenarios) == ["Hire two in Manchester", "Security workshop fully virtual"]
        for found in scenarios.values():
            assert found.period_id == period.id and found.status == ScenarioStatus.NEW
            assert problem_of(found).errors == []
        hire = problem_of(scenarios["Hire two in Manchester"]).document
        added = [f for f in hire["facilitators"] if f.get("x-hypothetical")]
        assert [(f["site"], f["skills"]) for f in added] == [
            ("manchester", ["pos", "pos-lead"])
        ] * 2
        virtual = problem_of(scenarios["Security workshop fully virtual"]).document
        modes = {p["id"]: p["mode"] for p in virtual["programs"]}
        assert modes["security-champions"] == "virtual"
        base_modes = {
            p["id"]: p["mode"] for p in scenarios["Hire two in Manchester"].base["programs"]
        }
        assert base_modes["security-champions"] == "in_person"


def test_a_demo_scenario_solves_and_passes_the_checker(demo):
    with demo.app_context():
        demo.config["JOBS_IMMEDIATE"] = True
        period = db.session.scalar(select(PlanningPeriod))
        period.time_limit_seconds = 10
        found = db.session.scalar(
            select(Scenario).where(Scenario.name == "Security workshop fully virtual")
        )
        db.session.commit()
        operations.queue_solve(found)
        db.session.rollback()
        solved = db.session.get(Scenario, found.id, populate_existing=True)
        assert solved.status == ScenarioStatus.SOLVED, solved.error
        sessions = [
            s
            for section in solved.schedule["sections"]
            if section["program"] == "security-champions"
            for s in section["sessions"]
        ]
        assert sessions and all(s["room"] is None for s in sessions)
