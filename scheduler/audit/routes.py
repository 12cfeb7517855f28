"""The audit log page: every publish and manual change, newest first, for coordinators."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from scheduler.access import coordinator_required
from scheduler.audit import operations, util

bp = Blueprint("audit", __name__)
# Loading this area connects the publish hook.
assert operations.on_schedule_published


@bp.route("/audit")
@coordinator_required
def index():
    page = request.args.get("page", 1, type=int) or 1
    period_id = request.args.get("period", type=int)
    found = util.entries(page, period_id)
    return render_template(
        "audit/index.html",
        entries=found[: util.PAGE_SIZE],
        has_next=len(found) > util.PAGE_SIZE,
        page=page,
        period_id=period_id,
    )
