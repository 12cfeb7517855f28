"""The audit log page: every publish and manual change, newest first, for coordinators."""

from __future__ import annotations

from flask import Blueprint, render_template

from scheduler.access import coordinator_required
from scheduler.audit import operations, util
from scheduler.query import int_arg

bp = Blueprint("audit", __name__)
# Loading this area connects the publish hook.
assert operations.on_schedule_published


@bp.route("/audit")
@coordinator_required
def index():
    page = int_arg("page", 1, minimum=1)
    period_id = int_arg("period")
    found = util.entries(page, period_id)
    return render_template(
        "audit/index.html",
        entries=found[: util.PAGE_SIZE],
        has_next=len(found) > util.PAGE_SIZE,
        page=page,
        period_id=period_id,
    )
