"""Publishing pages: the confirmation (who gets which mail, what moves), the confirmed Publish
(queued as a job), and the job's status page.

The review page and the diff link to the confirmation; nothing is sent before its button.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404
from scheduler.models import PublishJob, ScheduleVersion
from scheduler.planning.publishing import PublishRefused, refusal
from scheduler.publishing import operations, tasks, util
from scheduler.publishing.forms import ConfirmForm
from scheduler.review.util import diff_against_published, load_version

bp = Blueprint("publishing", __name__)
assert tasks.publish_version  # importing the tasks registers them on the job queue


@bp.route("/planning/versions/<int:version_id>/publish")
@coordinator_required
def confirm(version_id: int):
    """What publishing the draft would do: the mail it sends and the sessions it moves."""
    # With all its rows: the diff reads every session, seat and learner.
    version = load_version(version_id)
    if version is None:
        abort(404)
    refused = refusal(version)
    published, changes = diff_against_published(version) if refused is None else (None, None)
    return render_template(
        "publishing/confirm.html",
        version=version,
        period=version.period,
        refused=refused,
        published=published,
        diff=changes,
        mailing=util.mailing(version) if refused is None else None,
        active=util.active_job(version.period),
        form=ConfirmForm(),
    )


@bp.route("/planning/versions/<int:version_id>/publish", methods=["POST"])
@coordinator_required
def publish(version_id: int):
    """The confirmation's button: queue the publish and follow it on the job's page."""
    version = get_or_404(ScheduleVersion, version_id)
    if not ConfirmForm().validate_on_submit():
        flash("Nothing was published: the form had expired, please try again.", "error")
        return redirect(url_for("publishing.confirm", version_id=version_id))
    try:
        job = operations.queue_publish(version, current_user._get_current_object())
    except PublishRefused as refused:
        # Nothing was queued: the draft and the period are as they were.
        flash(str(refused), "error")
        return redirect(url_for("review.version", version_id=version_id))
    return redirect(url_for("publishing.job", job_id=job.id))


@bp.route("/publish-jobs/<int:job_id>")
@coordinator_required
def job(job_id: int):
    """A publish job's state, updated live by publish-progress.js."""
    operations.fail_lost_jobs()
    job = get_or_404(PublishJob, job_id)
    return render_template(
        "publishing/job.html", job=job, period=job.period, status=util.status_document(job)
    )


@bp.route("/publish-jobs/<int:job_id>/status")
@coordinator_required
def status(job_id: int):
    """The job's state as JSON, polled every second by the status page."""
    operations.fail_lost_jobs()
    return jsonify(util.status_document(get_or_404(PublishJob, job_id)))


# The period page (another area's template) lists publish jobs through these helpers.
bp.add_app_template_global(util.recent_jobs, "recent_publish_jobs")
bp.add_app_template_global(util.summary, "publish_job_summary")
