"""Coordinators' reports: cost report of a schedule version, the cost model, the pilot view."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from scheduler.access import coordinator_required, get_or_404
from scheduler.caching import cached_part
from scheduler.models import Program
from scheduler.query import int_arg, int_args
from scheduler.reports import costmodel, operations, util
from scheduler.reports.costs import TRAINING
from scheduler.reports.forms import MicrolearningCostForm
from scheduler.team.util import NO_VALUE, percent

bp = Blueprint("reports", __name__)

COMPONENT_LABELS = {
    "facilitators": "Facilitators",
    "travel": "Travel",
    "rooms": "Rooms",
    "seats": "Seats",
}


@bp.route("/reports")
@coordinator_required
def index():
    """The published schedules to report on, and the other reports."""
    return render_template("reports/index.html", versions=util.published_versions())


@bp.route("/reports/versions/<int:version_id>/cost")
@coordinator_required
def cost(version_id: int):
    """What a schedule version costs: total, per program, per site, per learner, by component;
    the saving against the greedy plan; facilitator, room and seat use."""
    version = util.version_light(version_id)
    if version is None:
        abort(404)
    body = cached_part(
        f"reports/cost:{version_id}", lambda: _cost_body(version_id), timeout=REPORT_CACHE_SECONDS
    )
    return render_template("reports/cost.html", body=body)


#: Cost reports show stored data only (no clock): the stamps alone decide when they are rebuilt.
REPORT_CACHE_SECONDS = 3600


def _cost_body(version_id: int) -> str:
    # Read again inside the part, so that the version's own row is among the tables it depends on.
    version = util.version_light(version_id)
    return render_template(
        "reports/_cost_body.html",
        report=util.cost_report(version),
        components=TRAINING,
        labels=COMPONENT_LABELS,
        percent=percent,
        NO_VALUE=NO_VALUE,
    )


def classroom_share() -> float:
    """The blend's share of classroom time, from ``?classroom=<percent>`` (default 50 %)."""
    value = request.args.get("classroom", type=float)
    if value is None or not 0 <= value <= 100:
        return costmodel.DEFAULT_CLASSROOM_SHARE
    return value / 100


@bp.route("/reports/cost-model")
@coordinator_required
def cost_model():
    """Every program's instructor-led, microlearning and blended cost lines and break-evens."""
    share = classroom_share()
    chosen_id = int_arg("program")
    body = cached_part(
        f"reports/cost-model:{share}:{chosen_id}",
        lambda: _cost_model_body(share, chosen_id),
        timeout=REPORT_CACHE_SECONDS,
    )
    return render_template("reports/cost_model.html", body=body)


def _cost_model_body(share: float, chosen_id: int | None) -> str:
    models = util.cost_models(share)
    chosen = next((m for m in models if m.program_id == chosen_id), models[0] if models else None)
    return render_template(
        "reports/_cost_model_body.html",
        models=models,
        chosen=chosen,
        share=share,
        rate_card=costmodel.RATE_CARD,
        default_share=costmodel.DEFAULT_CLASSROOM_SHARE,
    )


@bp.route("/reports/cost-model/programs/<int:program_id>", methods=["GET", "POST"])
@coordinator_required
def microlearning_costs(program_id: int):
    """Enter a program's microlearning fixed cost and cost per learner (blank: rate card)."""
    program = get_or_404(Program, program_id)
    form = MicrolearningCostForm(obj=program)
    if form.validate_on_submit():
        values = form.values()
        operations.save_microlearning_costs(
            program, values["microlearning_fixed_cost"], values["microlearning_learner_cost"]
        )
        flash(f"Microlearning costs of {program.name} saved.", "success")
        return redirect(url_for("reports.cost_model", program=program.id))
    return render_template(
        "reports/microlearning_form.html",
        form=form,
        program=program,
        rate_card=costmodel.RATE_CARD,
    )


@bp.route("/reports/pilot")
@coordinator_required
def pilot():
    """Two cohorts (or groups of cohorts) side by side: completion, quiz scores, check-ins."""
    a = int_args("a")
    b = int_args("b")
    groups = [util.pilot_group(a), util.pilot_group(b)] if a and b else None
    return render_template(
        "reports/pilot.html",
        choices=util.cohort_choices(),
        a=set(a),
        b=set(b),
        groups=groups,
        percent=percent,
    )
