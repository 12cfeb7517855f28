"""The answer page behind an invitation's personal link (no sign-in).

GET only shows: the session in the person's own time zone and the answers (mail scanners
fetch links before people click them). Every answer is a POST with the CSRF token. A learner
who cannot make it is offered the other sections of the program that fit them, and moves with
one click (the late joiners' seat code: CANCEL for the old sessions, REQUEST for the new,
follow-ups re-dated), or joins the waiting list. A facilitator's "no" is recorded; the
coordinator decides what happens to the session.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from scheduler.adjustments.late_joiners import (
    SeatRefused,
    move_learner,
    other_sections,
    wait_instead,
)
from scheduler.calendars import util
from scheduler.calendars.answer_links import ANSWER_PATH, Followed, LinkState, follow
from scheduler.calendars.replies import record_reply
from scheduler.extensions import db
from scheduler.followups.attaching import withdraw_learners
from scheduler.models import (
    InviteRecord,
    Reply,
    ReplyChannel,
    ScheduledSection,
    ScheduledSession,
    SectionSeat,
)
from scheduler.query import parse_int

bp = Blueprint("answers", __name__)

ANSWERS = {"yes": Reply.ACCEPTED, "no": Reply.DECLINED, "maybe": Reply.TENTATIVE}
DECLINED_REASON = "could not make section {key} (answered by link)"


@bp.route(ANSWER_PATH + "<token>")
@bp.route(ANSWER_PATH + "<token>/<any(yes, no, maybe):chosen>")
def answer(token: str, chosen: str = ""):
    """The invitation and its answers; after a learner's "no", the sections to move to."""
    followed = follow(token)
    if followed.state != LinkState.OPEN:
        return _closed(followed)
    record = followed.record
    session = _session(record)
    if session is None:
        return _closed(Followed(LinkState.WITHDRAWN))
    seat = _seat(record, session)
    offers = other_sections(seat) if seat is not None and record.reply == Reply.DECLINED else []
    return render_template(
        "calendars/answer.html",
        token=token,
        record=record,
        session=session,
        summary=util.event_of(session).summary,
        where=util.where(session),
        chosen=ANSWERS.get(chosen),
        seat=seat,
        offers=offers,
    )


@bp.post(ANSWER_PATH + "<token>")
def answer_post(token: str):
    """Record the answer, then show the page again (a learner's "no" shows the offers)."""
    followed = follow(token)
    reply = {r.value: r for r in ANSWERS.values()}.get(request.form.get("answer", ""))
    if followed.state != LinkState.OPEN:
        return _closed(followed)
    if reply is None:
        abort(400)
    record_reply(followed.record, reply, ReplyChannel.LINK)
    db.session.commit()
    return redirect(url_for("answers.answer", token=token), code=303)


@bp.post(ANSWER_PATH + "<token>/move")
def move(token: str):
    """Move the learner who declined to another fitting section, or onto the waiting list."""
    followed = follow(token)
    if followed.state != LinkState.OPEN:
        return _closed(followed)
    record = followed.record
    session = _session(record)
    seat = _seat(record, session) if session is not None else None
    if seat is None or record.reply != Reply.DECLINED:
        abort(409)
    old_key, program = seat.section.key, seat.section.program.name
    try:
        if request.form.get("wait"):
            cohort_id, learner_id = seat.cohort_id, seat.learner_id
            wait_instead(seat, DECLINED_REASON.format(key=old_key))
            withdraw_learners(cohort_id, [learner_id], reason="declined and waiting")
            section = None
        else:
            wanted = parse_int(request.form.get("section"))
            section = db.session.get(ScheduledSection, wanted) if wanted is not None else None
            if section is None:
                abort(404)
            seat = move_learner(seat, section)
    except SeatRefused as refused:
        db.session.rollback()
        return render_template("calendars/answer_done.html", refused=str(refused)), 409
    db.session.commit()
    return render_template(
        "calendars/answer_done.html",
        program=program,
        old_key=old_key,
        section=section,
        sessions=sorted(section.sessions, key=lambda s: s.start) if section else [],
        zone=record.timezone,
        name=(seat.learner.name if section else record.learner.name),
    )


def _closed(followed: Followed):
    """The page of a link that takes no answer: updated, withdrawn, or unknown (404)."""
    if followed.state == LinkState.UNKNOWN:
        abort(404)
    status = 410 if followed.state == LinkState.WITHDRAWN else 409
    return render_template("calendars/answer_closed.html", state=followed.state.value), status


def _session(record: InviteRecord) -> ScheduledSession | None:
    """The published session the invitation is about."""
    return db.session.scalar(
        util.published_sessions()
        .where(ScheduledSession.uid == record.uid)
        .options(*util.SESSION_LOADS)
        .limit(1)
    )


def _seat(record: InviteRecord, session: ScheduledSession) -> SectionSeat | None:
    """The learner's seat in the session's section (None for a facilitator's invitation)."""
    if record.learner_id is None:
        return None
    return db.session.scalar(
        select(SectionSeat).where(
            SectionSeat.learner_id == record.learner_id,
            SectionSeat.section_id == session.section_id,
        )
    )
