"""The coordinator's cost report: every number equals an independent computation from the
published schedule's own documents (and hand-worked figures for the small world)."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from scheduler.extensions import db
from scheduler.models import ScheduleVersion
from scheduler.reports import util
from solver import parse_problem, recompute_cost
from tests.report_world import make_report_world

PASSWORD = "correct horse battery"


def cents(amount) -> Decimal:
    return Decimal(repr(float(amount))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def independent_costs(problem: dict, schedule: dict) -> dict[str, dict[str, Decimal]]:
    """Per program key, each component, read straight from the documents (no solver code)."""
    programs = {p["id"]: p for p in problem["programs"]}
    facilitators = {f["id"]: f for f in problem["facilitators"]}
    rooms = {r["id"]: r for r in problem["rooms"]}
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for section in schedule["sections"]:
        program = programs[section["program"]]
        learners = sum(part["learners"] for part in section["cohorts"])
        for session in section["sessions"]:
            minutes = program["sessions"][session["index"]]
            hours = Decimal(minutes) / 60
            teacher = facilitators[session["facilitator"]]
            line = out[program["id"]]
            line["facilitators"] += cents(
                Decimal(repr(teacher.get("hourly_rate", 0))) * hours
                + Decimal(repr(teacher.get("session_fee", 0)))
            )
            if session["room"]:
                room = rooms[session["room"]]
                line["rooms"] += cents(Decimal(repr(room["hourly_cost"])) * hours)
                if room["site"] != teacher.get("site"):
                    line["travel"] += cents(teacher.get("travel_cost", {}).get(room["site"], 0))
            line["seats"] += cents(Decimal(repr(program.get("seat_cost", 0))) * learners)
            line["learners"] += Decimal(learners) if session["index"] == 0 else 0
    return out


@pytest.fixture
def world(app):
    with app.app_context():
        made = make_report_world()
        return made.version.id, made.ids


def test_cost_report_equals_an_independent_computation_from_the_documents(app, world):
    version_id, _ = world
    with app.app_context():
        version = db.session.get(ScheduleVersion, version_id)
        problem, schedule = json.loads(version.problem_json), json.loads(version.schedule_json)
        expected = independent_costs(problem, schedule)
        report = util.cost_report(util.version_light(version_id))
        by_label = {line.label: line for line in report.programs}
        for key, name in (("fire", "Fire safety"), ("sec", "Security basics")):
            line = by_label[name]
            for component in ("facilitators", "travel", "rooms", "seats"):
                assert Decimal(repr(line.components[component])) == expected[key][component]
            assert line.learners == expected[key]["learners"]
        # The components add up to what the solver recomputes and the document reports.
        recomputed = recompute_cost(parse_problem(problem)[0], schedule)
        for component in ("facilitators", "travel", "rooms", "seats"):
            assert report.total.components[component] == recomputed[component]
            assert report.total.components[component] == schedule["cost"][component]
        assert report.total.per_learner == schedule["cost"]["per_trained_learner"]


def test_cost_report_hand_worked_figures(app, world):
    """Ana: 90/h + 20 a session, 150 travel to Paris; Ben 60/h; rooms 40/h and 30/h; seats 12
    (fire) and 5 (security) per learner per session; fire's development cost 5,000."""
    version_id, _ = world
    with app.app_context():
        report = util.cost_report(util.version_light(version_id))
        fire, security = report.programs
        assert fire.components == {
            "facilitators": 620.0,  # 200 + 110 in London, 200 + 110 in Paris
            "travel": 300.0,  # Ana's two Paris sessions
            "rooms": 210.0,  # 80 + 40 + 60 + 30
            "seats": 120.0,  # 12 × 3 × 2 + 12 × 2 × 2
        }
        assert (fire.fixed, fire.total, fire.learners) == (5000.0, 6250.0, 5)
        assert (fire.per_learner, fire.per_learner_with_fixed) == (250.0, 1250.0)
        assert security.components == {
            "facilitators": 90.0,
            "travel": 0.0,
            "rooms": 0.0,
            "seats": 10.0,
        }
        assert (report.total.training, report.total.total, report.total.learners) == (
            1350.0,
            6350.0,
            7,
        )
        assert report.total.per_learner == 192.86
        sites = {line.label: line.training for line in report.sites}
        assert sites == {"London": 502.0, "Paris": 748.0, "Virtual (online)": 100.0}
        assert report.saving == 3650.0  # greedy 5,000 against the plan's 1,350
        assert report.saving_share == pytest.approx(0.73)
        assert report.seat_fill == pytest.approx(7 / 60)  # three sections of 20 seats
        uses = {use.label: (use.used_hours, use.offered_hours) for use in report.facilitators}
        # Ben: Monday-Friday 09:00-17:00 for the 8 weeks of the period; Ana: no rules (any time).
        assert sorted(uses.values()) == [(1.5, 320.0), (6.0, None)]
        assert report.overall(report.facilitators) == pytest.approx(1.5 / 320)
        rooms = {use.label: (use.used_hours, use.offered_hours) for use in report.rooms}
        assert rooms == {"Thames, London": (3.0, 320.0), "Seine, Paris": (3.0, None)}
        assert report.overall(report.rooms) == pytest.approx(3 / 320)


def test_cost_report_page_shows_the_figures(app, client, auth, world):
    version_id, _ = world
    auth.login("coordinator@example.com", PASSWORD)
    page = client.get(f"/reports/versions/{version_id}/cost").get_data(as_text=True)
    assert 'id="total-cost">6,350.00<' in page
    assert 'id="per-learner">192.86<' in page
    assert "3,650.00 (73%)" in page
    assert "7 / 60 = 12%" in page
    index = client.get("/reports").get_data(as_text=True)
    assert f"/reports/versions/{version_id}/cost" in index


def test_a_version_without_greedy_baseline_says_so(app, client, auth):
    with app.app_context():
        version_id = make_report_world(greedy_cost=None).version.id
    auth.login("coordinator@example.com", PASSWORD)
    page = client.get(f"/reports/versions/{version_id}/cost").get_data(as_text=True)
    assert "no greedy plan stored for this version" in page


def test_unknown_version_is_404(app, client, auth, world):
    auth.login("coordinator@example.com", PASSWORD)
    assert client.get("/reports/versions/999999/cost").status_code == 404
