"""Adjustments: a version's sessions, the move form, pins and locks, and who waits for a seat.

Every change posts the period's version the page showed; the operation refuses it when the
plan changed since (another coordinator published, pinned or moved).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404
from scheduler.adjustments import operations, util
from scheduler.adjustments.forms import ChangeForm, MoveForm
from scheduler.cohorts.util import NonexistentLocalTime, local_to_utc, utc_to_local
from scheduler.extensions import db
from scheduler.models import PlanningPeriod, ScheduledSession, ScheduleVersion, SessionPin
from scheduler.planning.locking import retry_on_conflict
from scheduler.planning.publishing import PublishRefused
from scheduler.planning.versions import published_version

bp = Blueprint("adjustments", __name__)


@bp.route("/planning/versions/<int:version_id>/sessions")
@coordinator_required
def sessions(version_id: int):
    version = get_or_404(ScheduleVersion, version_id)
    pins = {(pin.section_key, pin.position): pin for pin in util.pins_of(version.period)}
    return render_template(
        "adjustments/sessions.html",
        version=version,
        period=version.period,
        sections=util.sections_of(version),
        pins=pins,
        form=_change_form(version.period),
    )


@bp.route("/planning/sessions/<int:session_id>/move", methods=["GET", "POST"])
@coordinator_required
def move(session_id: int):
    session = get_or_404(ScheduledSession, session_id)
    version = session.section.version
    period = version.period
    form = MoveForm()
    _move_choices(form, version, session)
    if not form.is_submitted():
        _move_defaults(form, session, period)
    elif form.validate():
        draft = _try_move(form, session, period)
        if draft is not None:
            flash(
                f"Session moved: draft version {draft.number} made and the session pinned.",
                "success",
            )
            return redirect(url_for("adjustments.sessions", version_id=draft.id))
    return _render_move(form, db.session.get(ScheduledSession, session_id))


def _try_move(form: MoveForm, session: ScheduledSession, period: PlanningPeriod):
    """The new draft, or None with the reason shown on the form (nothing saved then)."""
    try:
        start = local_to_utc(form.start.data, period.timezone)

        def write():
            draft = operations.move_session(
                session,
                start=start,
                facilitator=form.facilitator.data,
                room=form.room.data or None,
                expected_version=form.period_version.data,
                user=current_user,
            )
            db.session.commit()
            return draft

        return retry_on_conflict(write)
    except NonexistentLocalTime as error:
        form.start.errors.append(str(error))
    except operations.AdjustmentRefused as refused:
        db.session.rollback()
        form.form_errors.extend(refused.problems)
    except PublishRefused as stale:
        form.form_errors.append(str(stale))
        # The next submit is checked against the plan as it is now.
        form.period_version.data, form.period_version.raw_data = period.version, None
    return None


def _move_choices(form: MoveForm, version: ScheduleVersion, session: ScheduledSession) -> None:
    form.facilitator.choices = util.facilitator_choices(version, session)
    form.room.choices = util.room_choices(version, session)


def _move_defaults(form: MoveForm, session: ScheduledSession, period: PlanningPeriod) -> None:
    form.period_version.data = period.version
    form.start.data = utc_to_local(session.start, period.timezone).replace(tzinfo=None)
    form.facilitator.data = session.facilitator.key if session.facilitator else None
    form.room.data = session.room.key if session.room else util.NO_ROOM


def _render_move(form: MoveForm, session: ScheduledSession):
    version = session.section.version
    form.start.label.text = f"New start ({version.period.timezone})"
    return render_template(
        "adjustments/move.html", form=form, session=session, version=version, period=version.period
    )


@bp.route("/planning/sessions/<int:session_id>/pin", methods=["POST"])
@coordinator_required
def pin(session_id: int):
    return _pin(session_id, locked=False)


@bp.route("/planning/sessions/<int:session_id>/lock", methods=["POST"])
@coordinator_required
def lock(session_id: int):
    return _pin(session_id, locked=True)


def _pin(session_id: int, locked: bool):
    session = get_or_404(ScheduledSession, session_id)
    version_id = session.section.version_id
    if _changed(lambda expected: operations.pin_session(session, expected, locked=locked)):
        flash("Session locked." if locked else "Session pinned: re-plans keep it.", "success")
    return redirect(url_for("adjustments.sessions", version_id=version_id))


@bp.route("/planning/pins/<int:pin_id>/release", methods=["POST"])
@coordinator_required
def release(pin_id: int):
    pin = get_or_404(SessionPin, pin_id)
    period_id = pin.period_id
    if _changed(lambda expected: operations.release_pin(pin, expected)):
        flash("Session released: the next re-plan may move it.", "success")
    return redirect(url_for("adjustments.pins", period_id=period_id))


def _changed(write: Callable[[int], object]) -> bool:
    """Run a pin write with the period version the page showed, and commit; flash why it was
    refused and return False otherwise."""
    form = ChangeForm()
    if not form.validate_on_submit():
        flash("This page is out of date; reload it and try again.", "error")
        return False
    try:
        retry_on_conflict(lambda: (write(form.period_version.data), db.session.commit()))
    except (operations.AdjustmentRefused, PublishRefused) as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return False
    return True


@bp.route("/planning/<int:period_id>/pins")
@coordinator_required
def pins(period_id: int):
    period = get_or_404(PlanningPeriod, period_id)
    return render_template(
        "adjustments/pins.html",
        period=period,
        pins=util.pins_of(period),
        published=published_version(period),
        drafts=util.drafts_of(period),
        form=_change_form(period),
    )


@bp.route("/planning/<int:period_id>/waiting")
@coordinator_required
def waiting(period_id: int):
    period = get_or_404(PlanningPeriod, period_id)
    return render_template(
        "adjustments/waiting.html", period=period, waiting=util.waiting_learners(period)
    )


def _change_form(period: PlanningPeriod) -> ChangeForm:
    """The hidden field of the pin, lock and release buttons: the version the page shows."""
    form = ChangeForm(formdata=None)
    form.period_version.data = period.version
    return form


# The move assistant's routes are on this blueprint too (imported last: they use ``bp``).
from scheduler.adjustments import assistant  # noqa: E402, F401
