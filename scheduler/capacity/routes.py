"""Capacity planning pages (coordinators only): the pool form of a period and a plan's answer."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404
from scheduler.capacity import operations, tasks, util
from scheduler.capacity.forms import CapacityForm
from scheduler.extensions import db
from scheduler.models import CapacityPlan, JobStatus, PlanningPeriod

bp = Blueprint("capacity", __name__)
assert tasks.plan_capacity  # importing the tasks registers them on the job queue


@bp.route("/planning/<int:period_id>/capacity", methods=["GET", "POST"])
@coordinator_required
def index(period_id: int):
    """The pool of possible hires (a form) and the period's earlier capacity plans."""
    period = get_or_404(PlanningPeriod, period_id)
    operations.fail_lost_plans(period)
    form = CapacityForm()
    form.set_choices(util.skills(period), util.site_choices())
    if form.validate_on_submit():
        try:
            plan = operations.create_plan(
                period, current_user, form.chosen_rows(), form.time_limit.data
            )
        except operations.PlanRefused as refusal:
            flash(str(refusal), "error")
            return redirect(url_for("capacity.index", period_id=period.id))
        return redirect(url_for("capacity.show", plan_id=plan.id))
    return render_template(
        "capacity/index.html", period=period, form=form, plans=util.plans_of(period)
    )


@bp.route("/capacity-plans/<int:plan_id>")
@coordinator_required
def show(plan_id: int):
    """A plan's answer: how many to hire, where, with which skill, from when, and the cost."""
    plan = get_or_404(CapacityPlan, plan_id)
    operations.fail_lost_plans(plan.period)
    db.session.refresh(plan)
    return render_template(
        "capacity/show.html",
        plan=plan,
        period=plan.period,
        answer=util.answer(plan),
        active=plan.status in (JobStatus.QUEUED, JobStatus.RUNNING),
    )
