"""Planning periods: the list, the period form, and the period's page (jobs, versions, waiting).

Solving, reviewing and adjusting a period live in their own areas (``scheduler.solving``,
``scheduler.review``, ``scheduler.adjustments``); this page links to them.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from scheduler.access import coordinator_required, get_or_404
from scheduler.forms.saving import save_or_show_error
from scheduler.models import PlanningPeriod
from scheduler.planning import operations, util
from scheduler.planning.forms import PeriodForm
from scheduler.planning.versions import published_version

bp = Blueprint("planning", __name__)


@bp.route("/planning")
@coordinator_required
def index():
    return render_template("planning/index.html", periods=util.periods())


@bp.route("/planning/new", methods=["GET", "POST"])
@coordinator_required
def new():
    form = PeriodForm()
    return _save(form, None) or render_template("planning/form.html", form=form, period=None)


@bp.route("/planning/<int:period_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(period_id: int):
    period = get_or_404(PlanningPeriod, period_id)
    form = PeriodForm(obj=period)
    if not form.is_submitted():
        form.program_ids.data = [p.id for p in period.programs]
        form.cohort_ids.data = [c.id for c in period.cohorts]
    return _save(form, period) or render_template("planning/form.html", form=form, period=period)


def _save(form: PeriodForm, period: PlanningPeriod | None):
    form.program_ids.choices, form.cohort_ids.choices = util.scope_choices()
    if not form.validate_on_submit():
        return None
    saved = save_or_show_error(form, lambda: operations.save_period(period, form.values()))
    if saved is None:
        return None
    flash(f"Planning period {saved.name} saved.", "success")
    return redirect(url_for("planning.show", period_id=saved.id))


@bp.route("/planning/<int:period_id>")
@coordinator_required
def show(period_id: int):
    from scheduler.solving.operations import fail_lost_jobs

    fail_lost_jobs()  # a job whose worker died shows as failed (with Retry), not as running
    period = get_or_404(PlanningPeriod, period_id)
    return render_template(
        "planning/show.html",
        period=period,
        published=published_version(period),
        versions=util.versions(period),
        jobs=util.recent_jobs(period),
        waiting=util.waiting_count(period),
    )
