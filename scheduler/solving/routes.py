"""Solving pages: the data check, Solve (and Retry), a job's live progress and Cancel.

The period page (``planning.show``) includes ``solving/_period_panel.html`` with the buttons
and the period's recent jobs.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404
from scheduler.models import PlanningPeriod, SolveJob
from scheduler.solving import operations, tasks, util
from scheduler.solving.check import check_period
from scheduler.solving.forms import ActionForm

bp = Blueprint("solving", __name__)
assert tasks.solve_period  # importing the tasks registers them on the job queue


@bp.route("/planning/<int:period_id>/check")
@coordinator_required
def check(period_id: int):
    """What no solve can schedule in the period, with links to fix the data."""
    period = get_or_404(PlanningPeriod, period_id)
    return render_template(
        "solving/check.html", period=period, result=check_period(period), form=ActionForm()
    )


@bp.route("/planning/<int:period_id>/solve", methods=["POST"])
@coordinator_required
def solve(period_id: int):
    """Queue a solve of the period (also the Retry of a failed one)."""
    period = get_or_404(PlanningPeriod, period_id)
    if not ActionForm().validate_on_submit():
        flash("Nothing was queued: the form had expired, please try again.", "error")
        return redirect(url_for("planning.show", period_id=period.id))
    try:
        job = operations.queue_solve(period, current_user)
    except operations.SolveRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("planning.show", period_id=period.id))
    return redirect(url_for("solving.job", job_id=job.id))


@bp.route("/solve-jobs/<int:job_id>")
@coordinator_required
def job(job_id: int):
    """A job's progress, updated live by solve-progress.js."""
    operations.fail_lost_jobs()
    job = get_or_404(SolveJob, job_id)
    return render_template(
        "solving/job.html",
        job=job,
        period=job.period,
        status=util.status_document(job),
        breakdown=util.bound_breakdown(job),
        form=ActionForm(),
    )


@bp.route("/solve-jobs/<int:job_id>/status")
@coordinator_required
def status(job_id: int):
    """The job's progress as JSON, polled every second by the progress page."""
    operations.fail_lost_jobs()
    return jsonify(util.status_document(get_or_404(SolveJob, job_id)))


@bp.route("/solve-jobs/<int:job_id>/cancel", methods=["POST"])
@coordinator_required
def cancel(job_id: int):
    job = get_or_404(SolveJob, job_id)
    if not ActionForm().validate_on_submit():
        flash("Nothing was cancelled: the form had expired, please try again.", "error")
    else:
        flash(operations.cancel(job), "info")
    return redirect(url_for("solving.job", job_id=job.id))


# The period page (another area's template) shows jobs through these helpers.
bp.add_app_template_global(util.summary, "solve_job_summary")
bp.add_app_template_global(util.displayed_bound, "displayed_bound")
