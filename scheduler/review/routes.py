"""Review a schedule version (calendar, costs, sections, learners left out) and diff it; publishing
it is the publishing area's (``scheduler.publishing``)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    render_template,
)

from scheduler.access import coordinator_required
from scheduler.models import ScheduleVersion, VersionStatus
from scheduler.planning.versions import schedule_of
from scheduler.review import util
from scheduler.vendor import allow_calendar

bp = Blueprint("review", __name__)


def _version_or_404(version_id: int) -> ScheduleVersion:
    version = util.load_version(version_id)
    if version is None:
        abort(404)
    return version


@bp.route("/planning/versions/<int:version_id>")
@coordinator_required
def version(version_id: int):
    version = _version_or_404(version_id)
    schedule = schedule_of(version)
    page = render_template(
        "review/version.html",
        version=version,
        period=version.period,
        costs=util.cost_lines(schedule),
        cost=schedule["cost"],
        against_greedy=util.against_greedy(version.total_cost, version.greedy_cost),
        solver=util.solver_summary(schedule),
        learners=util.learners_in(version),
        unscheduled=util.unscheduled(version, schedule),
        filters=util.calendar_filters(version),
        first_day=util.first_day(version),
        is_draft=version.status == VersionStatus.DRAFT,
        stale=version.period_version != version.period.version,
    )
    return allow_calendar(make_response(page))


@bp.route("/planning/versions/<int:version_id>/events.json")
@coordinator_required
def events(version_id: int):
    """The calendar's events (JSON): the page script fetches them, no inline data needed.
    Sessions first, then the sites' public holidays and closures as background events."""
    version = _version_or_404(version_id)
    return jsonify(util.calendar_events(version) + util.closed_day_events(version))


@bp.route("/planning/versions/<int:version_id>/diff")
@coordinator_required
def diff(version_id: int):
    version = _version_or_404(version_id)
    published, changes = util.diff_against_published(version)
    return render_template(
        "review/diff.html",
        version=version,
        period=version.period,
        published=published,
        diff=changes,
        is_draft=version.status == VersionStatus.DRAFT,
    )
