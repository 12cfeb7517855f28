"""What-if scenarios of a planning period: list and create, change, solve, compare, promote.

Coordinators only. The period page links here (``scenarios/_period_link.html``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404
from scheduler.forms.fields import choices
from scheduler.models import PlanningPeriod, Scenario
from scheduler.scenarios import changes as kinds
from scheduler.scenarios import comparison, operations, progress, promotion, tasks, util
from scheduler.scenarios.forms import (
    CHANGE_FORMS,
    ActionForm,
    CompareForm,
    PromoteForm,
    RemoveChangeForm,
    ScenarioForm,
)

bp = Blueprint("scenarios", __name__)
assert tasks.solve_scenario  # importing the tasks registers them on the job queue

EXPIRED = "Nothing was changed: the form had expired, please try again."


@bp.route("/planning/<int:period_id>/scenarios", methods=["GET", "POST"])
@coordinator_required
def index(period_id: int):
    """The period's scenarios and the form to make a new one."""
    period = get_or_404(PlanningPeriod, period_id)
    form = ScenarioForm()
    if form.validate_on_submit():
        scenario = operations.create_scenario(period, form.name.data, current_user)
        flash(f"Scenario {scenario.name} created from the period's data as it stands.", "success")
        return redirect(url_for("scenarios.show", scenario_id=scenario.id))
    return render_template(
        "scenarios/index.html",
        period=period,
        scenarios=util.scenarios_of(period),
        form=form,
        compare=CompareForm(),
    )


@bp.route("/scenarios/<int:scenario_id>")
@coordinator_required
def show(scenario_id: int):
    """A scenario: its changes in words, the Add buttons, its solve and its last result."""
    scenario = get_or_404(Scenario, scenario_id)
    operations.fail_lost_solve(scenario)
    return render_template(
        "scenarios/show.html",
        scenario=scenario,
        period=scenario.period,
        problem=util.problem_of(scenario),
        listed=[(i, kinds.describe(c)) for i, c in enumerate(scenario.changes)],
        kinds=kinds.KINDS,
        figures=comparison.scenario_figures(scenario),
        status=progress.status_document(scenario),
        form=ActionForm(),
    )


@bp.route("/scenarios/<int:scenario_id>/status")
@coordinator_required
def status(scenario_id: int):
    """The scenario's solve as JSON, polled every second by its page (solve-progress.js)."""
    scenario = get_or_404(Scenario, scenario_id)
    operations.fail_lost_solve(scenario)
    return jsonify(progress.status_document(scenario))


@bp.route("/scenarios/<int:scenario_id>/cancel", methods=["POST"])
@coordinator_required
def cancel(scenario_id: int):
    """Stop the scenario's solve: the best plan found by then is kept as its result."""
    scenario = get_or_404(Scenario, scenario_id)
    if not ActionForm().validate_on_submit():
        flash("Nothing was cancelled: the form had expired, please try again.", "error")
    else:
        flash(operations.cancel_solve(scenario), "info")
    return redirect(url_for("scenarios.show", scenario_id=scenario_id))


@bp.route("/scenarios/<int:scenario_id>/changes/new", methods=["GET", "POST"])
@coordinator_required
def add_change(scenario_id: int):
    """The form of one kind of change (``?kind=``), with field errors; saved, back to the page."""
    scenario = get_or_404(Scenario, scenario_id)
    kind = request.args.get("kind", "")
    if kind not in CHANGE_FORMS:
        abort(404)
    form = CHANGE_FORMS[kind]()
    form.offer(util.document_choices(util.problem_of(scenario).document or scenario.base))
    if form.validate_on_submit():
        change = form.change()
        try:
            operations.add_change(scenario, change)
        except operations.ScenarioRefused as refusal:
            flash(str(refusal), "error")
        else:
            flash(f"Change added: {kinds.describe(change)}.", "success")
        return redirect(url_for("scenarios.show", scenario_id=scenario.id))
    return render_template(
        "scenarios/change.html",
        scenario=scenario,
        form=form,
        title=kinds.KINDS[kind].title,
        kind=kind,
    )


@bp.route("/scenarios/<int:scenario_id>/changes/remove", methods=["POST"])
@coordinator_required
def remove_change(scenario_id: int):
    scenario = get_or_404(Scenario, scenario_id)
    form = RemoveChangeForm()
    if not form.validate_on_submit():
        flash(EXPIRED, "error")
    else:
        try:
            removed = operations.remove_change(scenario, form.position.data)
        except operations.ScenarioRefused as refusal:
            flash(str(refusal), "error")
        else:
            flash(f"Change removed: {kinds.describe(removed)}.", "success")
    return redirect(url_for("scenarios.show", scenario_id=scenario.id))


@bp.route("/scenarios/<int:scenario_id>/solve", methods=["POST"])
@coordinator_required
def solve(scenario_id: int):
    """Queue a solve of the scenario on the background workers."""
    scenario = get_or_404(Scenario, scenario_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    elif not util.problem_of(scenario).valid:
        flash("Nothing was queued: fix the problems listed under the changes first.", "error")
    else:
        try:
            operations.queue_solve(scenario)
        except operations.ScenarioRefused as refusal:
            flash(str(refusal), "error")
        else:
            flash(f"Solving {scenario.name}: the page shows the result when it is ready.", "info")
    return redirect(url_for("scenarios.show", scenario_id=scenario_id))


@bp.route("/scenarios/<int:scenario_id>/delete", methods=["POST"])
@coordinator_required
def delete(scenario_id: int):
    scenario = get_or_404(Scenario, scenario_id)
    period_id = scenario.period_id
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(url_for("scenarios.show", scenario_id=scenario_id))
    try:
        operations.delete(scenario)
    except operations.ScenarioRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("scenarios.show", scenario_id=scenario_id))
    flash("Scenario deleted; the real data was never touched.", "success")
    return redirect(url_for("scenarios.index", period_id=period_id))


@bp.route("/planning/<int:period_id>/scenarios/compare")
@coordinator_required
def compare(period_id: int):
    """The chosen scenarios side by side with the period's current plan."""
    period = get_or_404(PlanningPeriod, period_id)
    form = CompareForm(request.args)
    offered = {s.id: s.name for s in util.scenarios_of(period)}
    form.ids.choices = choices(offered.items())
    chosen = [i for i in (form.ids.data or []) if i in offered]
    table = comparison.compare(period, chosen)
    return render_template(
        "scenarios/compare.html", period=period, table=table, chart=table.chart_data()
    )


@bp.route("/scenarios/<int:scenario_id>/promote", methods=["GET", "POST"])
@coordinator_required
def promote(scenario_id: int):
    """The scenario's changes as real data changes, each to confirm; then make them real."""
    scenario = get_or_404(Scenario, scenario_id)
    listed = promotion.real_changes(scenario)
    form = PromoteForm()
    form.confirmed.choices = choices((c.position, c.words) for c in listed)
    if form.validate_on_submit():
        try:
            promoted = promotion.promote(scenario, set(form.confirmed.data or []), current_user)
        except promotion.PromotionRefused as refusal:
            form.confirmed.errors = [str(refusal)]
        else:
            return _after_promotion(scenario, promoted)
    return render_template(
        "scenarios/promote.html",
        scenario=scenario,
        period=scenario.period,
        listed=listed,
        form=form,
    )


def _after_promotion(scenario: Scenario, promoted: promotion.Promoted):
    for words in promoted.by_hand:
        flash(f"Left to do: {words}.", "info")
    if promoted.draft is not None:
        flash(
            f"The changes are made and the scenario's plan is draft version "
            f"{promoted.draft.number} of {scenario.period.name}.",
            "success",
        )
        return redirect(url_for("planning.show", period_id=scenario.period_id))
    from scheduler.solving.operations import SolveRefused, queue_solve

    flash(
        "The changes are made, but the scenario's plan does not fit the real data as it now "
        f"stands ({'; '.join(promoted.recheck_problems[:3])}).",
        "info",
    )
    try:
        # The re-solve starts from the scenario's plan, and moves as little of it as it can.
        job = queue_solve(scenario.period, current_user, previous=scenario.schedule)
    except SolveRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("planning.show", period_id=scenario.period_id))
    return redirect(url_for("solving.job", job_id=job.id))
