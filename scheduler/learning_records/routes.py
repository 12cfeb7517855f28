"""The coordinator's view of learning-record delivery, and the hooks that queue statements.

Statements are queued by the events themselves (publish, a late joiner's seat, attendance, a
completed follow-up step) through ``operations``; this page shows what is waiting and what the
LRS refused, and puts failed statements back in the queue once the cause is fixed.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import SubmitField

from scheduler.access import coordinator_required
from scheduler.adjustments.late_joiners import learner_seated
from scheduler.extensions import db
from scheduler.learning_records import operations, tasks
from scheduler.models import LearningRecord, StatementStatus, VersionStatus
from scheduler.planning.publishing import schedule_published

bp = Blueprint("learning_records", __name__, url_prefix="/learning-records")
assert tasks.send_learning_records  # importing the tasks registers them on the job queue

SHOWN = 50


class RetryForm(FlaskForm):
    submit = SubmitField("Send failed statements again")


@schedule_published.connect
def on_schedule_published(period, version, previous=None) -> None:
    """Everyone seated in the published version is registered (new seats only: ids are stable)."""
    operations.queue_registrations(version)


@learner_seated.connect
def on_learner_seated(seat) -> None:
    if seat.section.version.status == VersionStatus.PUBLISHED:
        operations.queue_registrations(seat.section.version)


@bp.route("")
@coordinator_required
def index():
    counts = dict(
        db.session.execute(
            select(LearningRecord.status, func.count()).group_by(LearningRecord.status)
        ).all()
    )
    troubled = db.session.scalars(
        select(LearningRecord)
        .where(LearningRecord.last_error != "", LearningRecord.status != StatementStatus.SENT)
        .order_by(LearningRecord.id)
        .limit(SHOWN)
    ).all()
    return render_template(
        "learning_records/index.html",
        enabled=operations.enabled(),
        counts={status: counts.get(status, 0) for status in StatementStatus},
        troubled=troubled,
        form=RetryForm(),
    )


@bp.route("/retry", methods=["POST"])
@coordinator_required
def retry():
    if RetryForm().validate_on_submit():
        count = operations.retry_failed()
        db.session.commit()
        flash(f"{count} failed statements will be sent again.", "success")
    return redirect(url_for(".index"))
