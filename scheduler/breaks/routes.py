"""Broken sessions: their list on the period page and in *Check the data*, and Repair.

The period page and the data check include ``breaks/_period.html``, which asks
``broken_sessions_in`` (a template global) for the period's broken sessions, so those pages'
routes need not know about this area.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404
from scheduler.breaks import tasks, util
from scheduler.models import BrokenSession, PlanningPeriod
from scheduler.planning.versions import published_version
from scheduler.solving.forms import ActionForm
from scheduler.solving.operations import SolveRefused, queue_solve

bp = Blueprint("breaks", __name__)
#: A repair's least time limit: on the demo (60 cohorts) every level was reached in 120 s, and
#: only the first in 60 s (bench/results/breaks.md).
REPAIR_SECONDS = 120
assert tasks.repair_period  # importing the tasks registers them on the job queue


@bp.app_template_global()
def broken_sessions_in(period: PlanningPeriod) -> list[BrokenSession]:
    """The sessions of the period's published plan recorded as broken."""
    return util.broken_sessions(period)


@bp.route("/planning/<int:period_id>/repair", methods=["POST"])
@coordinator_required
def repair(period_id: int):
    """Queue a repair of the period's published plan: the least change that fixes every broken
    session. Its draft is reviewed (with its diff) and published like any other."""
    period = get_or_404(PlanningPeriod, period_id)
    if not ActionForm().validate_on_submit():
        flash("Nothing was queued: the form had expired, please try again.", "error")
        return redirect(url_for("planning.show", period_id=period.id))
    if published_version(period) is None:
        flash("There is no published plan to repair: solve and publish first.", "error")
        return redirect(url_for("planning.show", period_id=period.id))
    try:
        limit = max(period.time_limit_seconds, REPAIR_SECONDS)
        job = queue_solve(period, current_user, time_limit=limit, task=tasks.REPAIR_TASK)
    except SolveRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("planning.show", period_id=period.id))
    return redirect(url_for("solving.job", job_id=job.id))
