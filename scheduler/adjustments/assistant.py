"""The move assistant's pages and the review calendar's drag-and-drop endpoint.

The assistant lists a session's valid alternatives (``solver.alternatives``), a chosen one is
shown with what it changes before the coordinator confirms it, and the confirmation posts the
ordinary move form: every move is made by ``operations.move_session``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, jsonify, render_template, request, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404
from scheduler.adjustments import operations, util
from scheduler.adjustments.forms import MoveForm
from scheduler.adjustments.moves import Move
from scheduler.adjustments.routes import bp
from scheduler.cohorts.util import NonexistentLocalTime, local_to_utc, utc_to_local
from scheduler.extensions import db
from scheduler.models import ScheduledSession
from scheduler.planning.locking import retry_on_conflict
from scheduler.planning.publishing import PublishRefused

_LOCAL = "%Y-%m-%dT%H:%M"


@bp.route("/planning/sessions/<int:session_id>/alternatives")
@coordinator_required
def alternatives(session_id: int):
    session = get_or_404(ScheduledSession, session_id)
    version = session.section.version
    return render_template(
        "adjustments/alternatives.html",
        session=session,
        version=version,
        period=version.period,
        alternatives=util.move_alternatives(session),
        facilitators=util.names_of(version, "facilitators"),
        rooms=util.names_of(version, "rooms"),
        local=lambda instant: utc_to_local(instant, version.period.timezone).strftime(_LOCAL),
    )


@bp.route("/planning/sessions/<int:session_id>/alternatives.json")
@coordinator_required
def alternatives_json(session_id: int):
    """The same list for the review calendar's side panel (times UTC ISO, names included)."""
    session = get_or_404(ScheduledSession, session_id)
    version = session.section.version
    facilitators = util.names_of(version, "facilitators")
    rooms = util.names_of(version, "rooms")
    return jsonify(
        session=session.id,
        timezone=version.period.timezone,
        alternatives=[
            {
                "start": alt.start.isoformat(),
                "end": alt.end.isoformat(),
                "facilitator": alt.facilitator,
                "facilitator_name": facilitators.get(alt.facilitator),
                "room": alt.room,
                "room_name": rooms.get(alt.room) if alt.room else None,
                "changes": list(alt.changes),
                "cost_change": alt.cost_change,
                "people": alt.people,
            }
            for alt in util.move_alternatives(session)
        ],
    )


@bp.route("/planning/sessions/<int:session_id>/alternatives/confirm")
@coordinator_required
def confirm_alternative(session_id: int):
    """One chosen placement with what it changes, and the button that makes the move."""
    session = get_or_404(ScheduledSession, session_id)
    version = session.section.version
    period = version.period
    try:
        move = _move_of(session, request.args)
    except (ValueError, NonexistentLocalTime):
        abort(400)
    form = MoveForm(formdata=None)
    form.period_version.data = period.version
    return render_template(
        "adjustments/confirm.html",
        session=session,
        version=version,
        period=period,
        move=move,
        preview=util.preview_move(session, move),
        form=form,
        start_local=utc_to_local(move.start, period.timezone).strftime(_LOCAL),
        facilitators=util.names_of(version, "facilitators"),
        rooms=util.names_of(version, "rooms"),
    )


@bp.route("/planning/sessions/<int:session_id>/move.json", methods=["POST"])
@coordinator_required
def move_json(session_id: int):
    """Drag-and-drop: move the session if every rule allows it, else say why (nothing saved).

    Request and answers are documented in docs/user-guide.md ("Moving a session by hand")."""
    session = get_or_404(ScheduledSession, session_id)
    period = session.section.version.period
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("period_version"), int):
        return _refused(400, ["Send JSON with start and period_version."], period)
    try:
        move = _move_of(session, data)
    except NonexistentLocalTime as error:
        return _refused(422, [str(error)], period)
    except (ValueError, TypeError):
        return _refused(400, ["The start must be a date and time, e.g. 2027-03-02T09:30."], period)
    try:
        draft = retry_on_conflict(lambda: _write(session, move, data["period_version"]))
    except operations.AdjustmentRefused as refused:
        db.session.rollback()
        return _refused(422, refused.problems, period)
    except PublishRefused as stale:
        db.session.rollback()
        return _refused(409, [str(stale)], period)
    moved = next(
        s for x in draft.sections if x.key == move.section for s in x.sessions
        if s.position == move.index
    )  # fmt: skip
    return jsonify(
        accepted=True,
        message=f"Session moved: draft version {draft.number} made and the session pinned.",
        version={"id": draft.id, "number": draft.number},
        period_version=draft.period.version,
        session={
            "id": moved.id,
            "start": moved.start.isoformat(),
            "end": moved.end.isoformat(),
            "facilitator": moved.facilitator.key if moved.facilitator else None,
            "room": moved.room.key if moved.room else None,
        },
        sessions_url=url_for("adjustments.sessions", version_id=draft.id),
    )


def _write(session: ScheduledSession, move: Move, expected: int):
    draft = operations.move_session(
        session,
        start=move.start,
        facilitator=move.facilitator,
        room=move.room,
        expected_version=expected,
        user=current_user,
    )
    db.session.commit()
    return draft


def _refused(status: int, reasons: list[str], period):
    return jsonify(accepted=False, reasons=reasons, period_version=period.version), status


def _move_of(session: ScheduledSession, values) -> Move:
    """A move from request values: ``start`` (local to the period's zone, or with an offset),
    and ``facilitator`` and ``room`` keys, each the session's own when absent."""
    period = session.section.version.period
    text = values.get("start")
    if not isinstance(text, str):
        raise ValueError("no start")
    start = datetime.fromisoformat(text)
    start = local_to_utc(start, period.timezone) if start.tzinfo is None else start
    facilitator = values.get("facilitator", util.key_of(session.facilitator)) or None
    room = values.get("room", util.key_of(session.room)) or None
    if not all(isinstance(v, str | None) for v in (facilitator, room)):
        raise ValueError("facilitator and room are keys")
    return Move(session.section.key, session.position, start.astimezone(UTC), facilitator, room)
