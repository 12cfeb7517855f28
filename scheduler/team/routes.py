"""Managers' pages: the team's training table and chart, its CSV export and the team calendar.

Every URL here means "my team": there is no id to change, so a manager can only ever reach the
learners of their own reporting line (``scheduler.learners.util.team_manager_ids``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from scheduler.access import roles_required
from scheduler.caching import cached_part
from scheduler.calendars.util import feed_of_user, team_calendar
from scheduler.learners.util import team_manager_ids
from scheduler.models import FeedKind, Role
from scheduler.query import date_arg, int_arg
from scheduler.team import operations, util

bp = Blueprint("team", __name__)

manager_required = roles_required(Role.MANAGER)


@bp.route("/team/training")
@manager_required
def training():
    """Hours per person and week (50 people a page), follow-up progress, team totals, the chart,
    upcoming sessions."""
    start = util.first_week(current_user.timezone, date_arg("start"))
    page = int_arg("page", 1, minimum=1)
    key = f"team/training:{current_user.id}:{current_user.timezone}:{start.isoformat()}:{page}"
    body = cached_part(key, lambda: _training_body(start, page), timeout=TRAINING_CACHE_SECONDS)
    return render_template("team/training.html", body=body)


#: The page's "due" counts and upcoming sessions move with the clock: rebuilt at least this often.
TRAINING_CACHE_SECONDS = 60


def _training_body(start, page: int) -> str:
    manager_ids = team_manager_ids(current_user)
    table = util.team_table(current_user, start, manager_ids=manager_ids, page=page)
    return render_template(
        "team/_training_body.html",
        table=table,
        upcoming=util.upcoming_sessions(current_user, manager_ids=manager_ids),
        start=start,
        previous=start - timedelta(weeks=util.WEEKS_SHOWN),
        next=start + timedelta(weeks=util.WEEKS_SHOWN),
        percent=util.percent,
        week_label=util.week_label,
    )


@bp.route("/team/training.csv")
@manager_required
def training_csv():
    """The same table as CSV, for a spreadsheet: every person of the team, on one sheet."""
    start = util.first_week(current_user.timezone, date_arg("start"))
    # The byte order mark makes Excel read the file as UTF-8 (accented names stay whole);
    # other spreadsheets and csv readers skip it.
    body = "\ufeff" + util.team_csv(util.team_table(current_user, start))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="team-training-{start.isoformat()}.csv"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _feed_urls(token: str) -> dict[str, str]:
    https = url_for("calendars.feed", token=token, _external=True)
    return {"https": https, "webcal": re.sub(r"^https?://", "webcal://", https)}


@bp.route("/team/calendar")
@manager_required
def calendar():
    """Subscribe to (or download) the calendar of the team's sessions."""
    return render_template(
        "team/calendar.html", feed=feed_of_user(current_user.id, FeedKind.TEAM), urls=None
    )


@bp.route("/team/calendar/feed", methods=["POST"])
@manager_required
def calendar_regenerate():
    """Make a new subscription link; the old one stops working at once."""
    feed, token = operations.issue_team_feed(current_user)
    return render_template("team/calendar.html", feed=feed, urls=_feed_urls(token))


@bp.route("/team/calendar/feed/revoke", methods=["POST"])
@manager_required
def calendar_revoke():
    """Turn the subscription link off."""
    if operations.revoke_team_feed(current_user):
        flash("Your team calendar link was turned off.", "success")
    return redirect(url_for("team.calendar"))


@bp.route("/team/calendar/sessions.ics")
@manager_required
def calendar_ics():
    """The team's published sessions as an .ics file."""
    response = Response(team_calendar(current_user), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = 'attachment; filename="team-training.ics"'
    return response
