"""The cost model: break-even math, the rate card's defaults (labelled), the program's own and
measured figures, and entering microlearning costs."""

from __future__ import annotations

import pytest

from scheduler.extensions import db
from scheduler.models import Program
from scheduler.reports import util
from scheduler.reports.costmodel import Option, blended, break_even, cheapest
from tests.report_world import make_report_world

PASSWORD = "correct horse battery"
RATE_CARD_IL = Option("Instructor-led", 10_000, 45)
RATE_CARD_ML = Option("Microlearning", 30_000, 3)


def test_rate_card_break_even_between_instructor_led_and_microlearning():
    # 10,000 + 45 n = 30,000 + 3 n  =>  n = 20,000 / 42
    assert break_even(RATE_CARD_IL, RATE_CARD_ML) == pytest.approx(476.19, abs=0.01)
    assert break_even(RATE_CARD_ML, RATE_CARD_IL) == pytest.approx(476.19, abs=0.01)
    assert cheapest([RATE_CARD_IL, RATE_CARD_ML], 476).name == "Instructor-led"
    assert cheapest([RATE_CARD_IL, RATE_CARD_ML], 477).name == "Microlearning"


def test_blend_keeps_both_development_costs_and_part_of_the_classroom():
    blend = blended(RATE_CARD_IL, RATE_CARD_ML, 0.5)
    assert (blend.fixed, blend.per_learner) == (40_000, 25.5)
    # 10,000 + 45 n = 40,000 + 25.5 n  =>  n = 30,000 / 19.5
    assert break_even(RATE_CARD_IL, blend) == pytest.approx(1538.46, abs=0.01)
    # The blend costs more up front and more per learner than microlearning: never cheaper.
    assert break_even(RATE_CARD_ML, blend) is None


def test_no_break_even_for_parallel_or_dominated_lines():
    assert break_even(Option("a", 100, 5), Option("b", 200, 5)) is None
    assert break_even(Option("a", 100, 5), Option("b", 200, 6)) is None


def test_defaults_are_flagged_and_measured_figures_used(app):
    with app.app_context():
        make_report_world()
        models = {model.program: model for model in util.cost_models(0.5)}
        fire = models["Fire safety"]
        il, ml, blend = fire.options
        # Fire: its own development cost, and 1,250 spent on 5 learners in the published plan.
        assert (il.fixed, il.fixed_is_default) == (5000.0, False)
        assert (il.per_learner, il.per_learner_is_default) == (250.0, False)
        assert (ml.fixed, ml.per_learner, ml.fixed_is_default) == (30_000, 3, True)
        assert (blend.fixed, blend.per_learner) == (35_000, 128.0)
        assert fire.learners == 5
        assert fire.break_evens[0][2] == pytest.approx(25_000 / 247)
        security = models["Security basics"]
        assert security.options[0].fixed_is_default  # no development cost entered
        assert security.options[0].per_learner == 50.0  # 100 for 2 learners
        chart = fire.chart_data()
        assert [line["label"] for line in chart["lines"]] == [
            "Instructor-led",
            "Microlearning",
            "Blended",
        ]
        assert chart["break_evens"][0]["x"] == pytest.approx(101.2, abs=0.05)


def test_coordinator_enters_microlearning_costs_and_blank_means_default(app, client, auth):
    with app.app_context():
        fire_id = make_report_world().ids["fire"]
    auth.login("coordinator@example.com", PASSWORD)
    page = client.get("/reports/cost-model").get_data(as_text=True)
    assert "(default)" in page and 'id="rate-card"' in page and 'id="cost-model-chart"' in page
    response = client.post(
        f"/reports/cost-model/programs/{fire_id}",
        data={"microlearning_fixed_cost": "12000", "microlearning_learner_cost": "4.50"},
    )
    assert response.status_code == 302
    with app.app_context():
        program = db.session.get(Program, fire_id)
        assert (program.microlearning_fixed_cost, program.microlearning_learner_cost) == (
            12000.0,
            4.5,
        )
        fire = next(m for m in util.cost_models(0.5) if m.program_id == fire_id)
        assert not fire.options[1].fixed_is_default
    bad = client.post(
        f"/reports/cost-model/programs/{fire_id}",
        data={"microlearning_fixed_cost": "-1", "microlearning_learner_cost": ""},
    )
    assert bad.status_code == 200 and "must be at least 0" in bad.get_data(as_text=True)
    client.post(
        f"/reports/cost-model/programs/{fire_id}",
        data={"microlearning_fixed_cost": "", "microlearning_learner_cost": ""},
    )
    with app.app_context():
        program = db.session.get(Program, fire_id)
        assert program.microlearning_fixed_cost is None
        assert program.microlearning_learner_cost is None


def test_classroom_share_is_read_from_the_page_and_bounded(app, client, auth):
    with app.app_context():
        make_report_world()
    auth.login("coordinator@example.com", PASSWORD)
    assert "(default 50 %)" in client.get("/reports/cost-model?classroom=25").get_data(as_text=True)
    assert "(default 50 %)" not in client.get("/reports/cost-model?classroom=900").get_data(
        as_text=True
    )


def test_pilot_compares_two_groups(app, client, auth):
    with app.app_context():
        ids = make_report_world().ids
    auth.login("coordinator@example.com", PASSWORD)
    page = client.get(
        f"/reports/pilot?a={ids['fire_london']}&b={ids['fire_paris']}&b={ids['sec']}"
    ).get_data(as_text=True)
    assert 'id="pilot"' in page
    with app.app_context():
        a = util.pilot_group([ids["fire_london"]])
        b = util.pilot_group([ids["fire_paris"], ids["sec"]])
        assert (a.learners, a.seated, a.hours, a.hours_per_learner) == (3, 3, 9.0, 3.0)
        # Paul is in both of B's cohorts: counted once. 2 × 3 h + 2 × 1.5 h of seats.
        assert (b.learners, b.seated, b.hours) == (3, 3, 9.0)
        assert a.completion is None and a.check_ins("30") == "—"
