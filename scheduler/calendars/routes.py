"""Calendar pages: a facilitator's "My calendar", the coordinator's feed links, downloads, and
the public feed URL.

A facilitator reaches only ``/calendar...`` URLs, which always mean their own calendar: no id
to change. The feed URL ``/feeds/<token>.ics`` needs no sign-in (calendar apps cannot sign in)
and answers 404 for any token that is not live, so a wrong, revoked or regenerated token and a
disabled owner look the same. The token is in the path, and the app never logs paths; the
development server's request log is filtered (``redact_feed_tokens``), waitress logs none.
"""

from __future__ import annotations

import logging
import re

import click
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from scheduler.access import coordinator_required, get_or_404, roles_required
from scheduler.caching import cached_document
from scheduler.calendars import invites, operations, tasks, util
from scheduler.calendars.forms import IssueFeedForm
from scheduler.calendars.ics import calendar_bytes
from scheduler.extensions import db
from scheduler.followups.calendar import follow_up_events
from scheduler.mail.operations import send_pending_mail
from scheduler.models import Cohort, Facilitator, FeedKind, FeedToken, Learner, Role, Room

bp = Blueprint("calendars", __name__)
# Loading this area connects the publish hook and registers the background tasks.
assert invites.on_schedule_published and tasks.send_mail

FEED_PATH = re.compile(r"/feeds/[^/\s?\"]+")


class RedactFeedTokens(logging.Filter):
    """Replace feed tokens in log lines (werkzeug's request log) with ``/feeds/<redacted>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/feeds/" in message:
            record.msg = FEED_PATH.sub("/feeds/<redacted>", message)
            record.args = ()
        return True


def redact_feed_tokens() -> None:
    """Install the filter on werkzeug's logger once per process."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
        logger.addFilter(RedactFeedTokens())


bp.record_once(lambda state: redact_feed_tokens())


def _ics_response(
    name: str, zone: str, sessions, filename: str | None = None, extra_events=()
) -> Response:
    return _calendar_response(_ics_body(name, zone, sessions, extra_events), filename)


def _ics_body(name: str, zone: str, sessions, extra_events=()) -> bytes:
    events = [util.event_of(session) for session in sessions] + list(extra_events)
    return calendar_bytes(events, zone=zone, organizer=util.organizer(), name=name)


def _calendar_response(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, no-store"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _feed_urls(token: str) -> dict[str, str]:
    https = url_for("calendars.feed", token=token, _external=True)
    return {"https": https, "webcal": re.sub(r"^https?://", "webcal://", https)}


# --- A facilitator's own calendar ---------------------------------------------------------


def _own_facilitator() -> Facilitator:
    facilitator = util.facilitator_of_user(current_user.id)
    if facilitator is None:
        abort(404)
    return facilitator


@bp.route("/calendar")
@roles_required(Role.FACILITATOR)
def mine():
    """My calendar: download my sessions, or subscribe to them."""
    facilitator = _own_facilitator()
    return render_template(
        "calendars/mine.html",
        facilitator=facilitator,
        feed=util.feed_of_facilitator(facilitator.id),
        sessions=util.sessions_of_facilitator(facilitator.id),
        urls=None,
    )


@bp.route("/calendar/sessions.ics")
@roles_required(Role.FACILITATOR)
def mine_ics():
    """My published sessions as an .ics file."""
    facilitator = _own_facilitator()
    contents = util.calendar_contents(FeedKind.FACILITATOR, facilitator)
    return _ics_response(*contents, filename="my-training-sessions.ics")


@bp.route("/calendar/feed", methods=["POST"])
@roles_required(Role.FACILITATOR)
def mine_regenerate():
    """Make a new subscription link for my calendar; the old one stops working at once."""
    facilitator = _own_facilitator()
    feed, token = operations.issue_feed(FeedKind.FACILITATOR, facilitator, current_user)
    return render_template(
        "calendars/mine.html",
        facilitator=facilitator,
        feed=feed,
        sessions=util.sessions_of_facilitator(facilitator.id),
        urls=_feed_urls(token),
    )


@bp.route("/calendar/feed/revoke", methods=["POST"])
@roles_required(Role.FACILITATOR)
def mine_revoke():
    """Turn my subscription link off."""
    feed = util.feed_of_facilitator(_own_facilitator().id)
    if feed is not None:
        operations.revoke_feed(feed)
        flash("Your calendar link was turned off.", "success")
    return redirect(url_for("calendars.mine"))


# --- The coordinator's feed links and downloads -------------------------------------------

ISSUE_MODELS = {
    FeedKind.LEARNER: Learner,
    FeedKind.COHORT: Cohort,
    FeedKind.ROOM: Room,
    FeedKind.FACILITATOR: Facilitator,
}


@bp.route("/calendars", methods=["GET", "POST"])
@coordinator_required
def index():
    """Every live feed link; make links for learners, cohorts, rooms and facilitators."""
    form = IssueFeedForm()
    urls = subject = None
    if form.validate_on_submit():
        kind = FeedKind(form.kind.data)
        model = ISSUE_MODELS[kind]
        found = db.session.scalar(select(model).where(model.key == form.key.data.strip()))
        if found is None:
            form.key.errors.append(f"No {kind.value} has the id {form.key.data.strip()!r}.")
        else:
            feed, token = operations.issue_feed(kind, found, current_user)
            urls, subject = _feed_urls(token), util.feed_subject(feed)
    return render_template(
        "calendars/index.html",
        form=form,
        feeds=util.all_feeds(),
        describe=util.feed_subject,
        urls=urls,
        subject=subject,
    )


@bp.route("/calendars/schedule-feed", methods=["POST"])
@coordinator_required
def schedule_feed():
    """Make (or remake) my subscription link to the whole published schedule."""
    feed, token = operations.issue_feed(FeedKind.SCHEDULE, current_user, current_user)
    return render_template(
        "calendars/index.html",
        form=IssueFeedForm(formdata=None),
        feeds=util.all_feeds(),
        describe=util.feed_subject,
        urls=_feed_urls(token),
        subject=util.feed_subject(feed),
    )


@bp.route("/calendars/feeds/<int:feed_id>/revoke", methods=["POST"])
@coordinator_required
def revoke(feed_id: int):
    """Turn any feed link off."""
    feed = get_or_404(FeedToken, feed_id)
    subject = util.feed_subject(feed)
    operations.revoke_feed(feed)
    flash(f"The feed link of {subject} was turned off.", "success")
    return redirect(url_for("calendars.index"))


@bp.route("/calendars/schedule.ics")
@coordinator_required
def schedule_ics():
    """The whole published schedule as an .ics file."""
    contents = util.calendar_contents(FeedKind.SCHEDULE, current_user)
    return _ics_response(*contents, filename="published-schedule.ics")


@bp.route("/calendars/facilitators/<int:facilitator_id>.ics")
@coordinator_required
def facilitator_ics(facilitator_id: int):
    contents = util.calendar_contents(FeedKind.FACILITATOR, get_or_404(Facilitator, facilitator_id))
    return _ics_response(*contents, filename=f"facilitator-{facilitator_id}.ics")


@bp.route("/calendars/learners/<int:learner_id>.ics")
@coordinator_required
def learner_ics(learner_id: int):
    contents = util.calendar_contents(FeedKind.LEARNER, get_or_404(Learner, learner_id))
    steps = follow_up_events(learner_id)
    return _ics_response(*contents, filename=f"learner-{learner_id}.ics", extra_events=steps)


@bp.route("/calendars/cohorts/<int:cohort_id>.ics")
@coordinator_required
def cohort_ics(cohort_id: int):
    contents = util.calendar_contents(FeedKind.COHORT, get_or_404(Cohort, cohort_id))
    return _ics_response(*contents, filename=f"cohort-{cohort_id}.ics")


@bp.route("/calendars/rooms/<int:room_id>.ics")
@coordinator_required
def room_ics(room_id: int):
    contents = util.calendar_contents(FeedKind.ROOM, get_or_404(Room, room_id))
    return _ics_response(*contents, filename=f"room-{room_id}.ics")


# --- The subscription feed ----------------------------------------------------------------


@bp.route("/feeds/<token>.ics")
def feed(token: str):
    """A live feed link's calendar; 404 for anything else. No sign-in: the token is the key.

    Answers 304 to a calendar app that already has this version (``If-None-Match`` with the
    ETag, or ``If-Modified-Since``), so polling every few minutes costs a few hundred bytes.
    """
    found = util.feed_by_token(token)
    if found is None:
        abort(404)
    document = cached_document(
        util.feed_cache_key(found),
        lambda: _feed_body(found),
        timeout=FEED_CACHE_SECONDS,
        fingerprint=_without_dtstamps,
    )
    response = _calendar_response(document.body.encode())
    # Revalidate every time (no-cache), never in a shared cache (private): the URL is a secret.
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(document.etag, weak=True)  # weak: DTSTAMP differs between rebuilds
    response.last_modified = document.modified
    return response.make_conditional(request)


#: Calendar clients poll feeds; a feed is built again when its data changes, else this often
#: (for its DTSTAMPs; its ETag stays while the rest is the same).
FEED_CACHE_SECONDS = 300


def _feed_body(found: FeedToken) -> str:
    if found.kind == FeedKind.TEAM:
        return util.team_calendar(found.user).decode()
    # A learner's feed also shows their follow-up steps (scheduler/followups/calendar.py).
    steps = follow_up_events(found.learner_id) if found.kind == FeedKind.LEARNER else ()
    return _ics_body(*util.feed_contents(found), extra_events=steps).decode()


def _without_dtstamps(document: str) -> str:
    """``document`` without its DTSTAMP lines: they say when it was written, not what it says
    (the feed's ETag is taken from the rest, so rebuilding an unchanged feed keeps its ETag)."""
    lines = document.split("\r\n")
    return "\r\n".join(line for line in lines if not line.startswith("DTSTAMP"))


# --- Commands (``flask --app scheduler calendars ...``), for cron until jobs are periodic ---


@bp.cli.command("send-mail")
def send_mail_command() -> None:
    """Send the outbox messages that are due (or write them as .eml without SMTP)."""
    report = send_pending_mail()
    click.echo(f"sent {report.sent}, failed {report.failed}")


@bp.cli.command("remind")
def remind_command() -> None:
    """Queue the reminders that are due, then send the outbox."""
    count = invites.queue_due_reminders()
    report = send_pending_mail()
    click.echo(f"reminders queued {count}; sent {report.sent}, failed {report.failed}")
