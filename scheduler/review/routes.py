"""Review a schedule version (calendar, costs, sections, learners left out) and diff it; publishing
it is the publishing area's (``scheduler.publishing``)."""

from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)

from scheduler.access import coordinator_required, get_or_404
from scheduler.caching import cached_part
from scheduler.extensions import db
from scheduler.models import ScheduleVersion, VersionStatus
from scheduler.planning.versions import schedule_of
from scheduler.query import int_arg
from scheduler.review import calendar, util, zones
from scheduler.sorting import natural_key
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
    # Only the version's own row here: the body loads the rest when it is built, and is served
    # from the cache while nothing it read has changed (scheduler/caching.py). It holds no
    # CSRF token (the page's <meta> has it): one body serves every coordinator.
    version = get_or_404(ScheduleVersion, version_id)
    key = f"review/version:{version.id}:{version.created_at.isoformat()}"
    shown = int_arg("sections", 1, minimum=1)
    every = request.args.get("left_out") == "all"
    page = render_template(
        "review/version.html",
        version=version,
        period=version.period,
        body=cached_part(
            f"{key}:{shown}:{every}", lambda: _body(version_id, shown, every), PART_SECONDS
        ),
        is_draft=version.status == VersionStatus.DRAFT,
        stale=version.period_version != version.period.version,
    )
    return allow_calendar(make_response(page))


#: The review page's parts show stored data only (no clock): the stamps decide when they go.
PART_SECONDS = 3600


def _body(version_id: int, shown: int, every_left_out: bool) -> str:
    """Everything below the publish button: costs, solver, calendar, sections, left out."""
    version = db.session.get(ScheduleVersion, version_id)
    schedule = schedule_of(version)
    return render_template(
        "review/_body.html",
        version=version,
        period=version.period,
        is_draft=version.status == VersionStatus.DRAFT,
        costs=util.cost_lines(schedule),
        cost=schedule["cost"],
        against_greedy=util.against_greedy(version.total_cost, version.greedy_cost),
        solver=util.solver_summary(schedule),
        choices=calendar.calendar_choices(version),
        zones=zones.zone_choices(version),
        legend=calendar.legend(version),
        first_day=calendar.first_day(version),
        **_sections(version, schedule, shown, every_left_out),
    )


#: Sections listed per page of the review page's table (the calendar shows every session).
SECTIONS_PER_PAGE = 50


#: Cohorts with learners left out listed unless every one is asked for (each may have long
#: reasons: the demo's 64 made a 92 KB page).
LEFT_OUT_SHOWN = 10


def _sections(version: ScheduleVersion, schedule: dict, shown: int, every: bool) -> dict:
    unscheduled = sorted(
        util.unscheduled(version, schedule),
        key=lambda entry: (-entry["learners"], natural_key(entry["cohort"])),
    )
    return {
        "table": util.section_page(version.id, shown, SECTIONS_PER_PAGE),
        "learners": util.learners_seated(version.id),
        "unscheduled": unscheduled,
        "left_out": unscheduled if every else unscheduled[:LEFT_OUT_SHOWN],
    }


@bp.route("/planning/versions/<int:version_id>/events.json")
@coordinator_required
def events(version_id: int):
    """The calendar's events (JSON) for the range FullCalendar shows (``start``, ``end``: local
    dates, end excluded; both optional) and its filters (``facilitator``, ``room``, ``site``,
    ``program``: ids; ``room=none`` and ``site=virtual`` for virtual sessions) in the grid's
    time zone (``zone``: a time zone name; the period's when absent or unknown). Sessions
    first, then the sites' public holidays and closures as background events."""
    version = get_or_404(ScheduleVersion, version_id)
    chosen = calendar.Chosen(
        start=_date_param("start"),
        end=_date_param("end"),
        facilitator=int_arg("facilitator"),
        room=calendar.NO_ROOM if request.args.get("room") == "none" else int_arg("room"),
        site=calendar.VIRTUAL if request.args.get("site") == "virtual" else int_arg("site"),
        program=int_arg("program"),
        zone=zones.shown_zone(version, request.args.get("zone")),
    )
    key = f"review/events:{version.id}:{version.created_at.isoformat()}:{chosen!r}"

    def build() -> str:
        shown = db.session.get(ScheduleVersion, version_id)
        return json.dumps(
            calendar.calendar_events(shown, chosen) + calendar.closed_day_events(shown, chosen),
            ensure_ascii=False,
        )

    body = str(cached_part(key, build, PART_SECONDS))
    return current_app.response_class(body, mimetype="application/json")


@bp.route("/planning/versions/<int:version_id>/sessions/<int:session_id>.json")
@coordinator_required
def session_details(version_id: int, session_id: int):
    """What the side panel fetches on a click: the names of the session's learners."""
    version = get_or_404(ScheduleVersion, version_id)
    names = calendar.learner_names(version, session_id)
    if names is None:
        abort(404)
    return jsonify({"learnerNames": names})


def _date_param(name: str) -> date | None:
    """FullCalendar's ``start``/``end`` ("2027-03-15T00:00:00Z" or "2027-03-15") as the local
    date they name (the calendar shows the grid zone's wall clock as UTC); None if unreadable."""
    text = request.args.get(name, "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


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
