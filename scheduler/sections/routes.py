"""Section pages: a period's published sections with who answered, one section's answers (a
coordinator may record one on someone's behalf), its joining link, and a facilitator's own
sections.

A section is named in URLs by its period and its key (the solver's section id), as the invite
ledger names its sessions, so a link to it stays right after a re-publish. Coordinators reach
every section; a facilitator reaches the joining link of the sections they teach and nothing
else (404 for any other, whatever the URL says); the answers pages are coordinators' only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404, roles_required
from scheduler.calendars import place_updates
from scheduler.calendars.replies import ReplyRefused
from scheduler.calendars.util import facilitator_of_user, meeting_url
from scheduler.extensions import db
from scheduler.models import PlanningPeriod, ProgramMode, Reply, Role
from scheduler.sections import operations, util
from scheduler.sections.forms import ANSWER_CHOICES, AnswerForm, MeetingLinkForm

bp = Blueprint("sections", __name__)
# Loading this area connects the updates sent when an address or a meeting room changes.
assert place_updates.on_place_changed and place_updates.on_meeting_room_changed


@bp.app_template_global("period_answers")
def period_answers(period: PlanningPeriod) -> str:
    """The period page's line: "412 accepted · 23 declined · 1,020 not answered"."""
    return util.in_words(util.period_counts(period))


bp.add_app_template_global(util.sessions_needing_decision, "sessions_needing_decision")


@bp.route("/planning/<int:period_id>/sections")
@coordinator_required
def index(period_id: int):
    """Every published section of the period with its answers counted."""
    period = get_or_404(PlanningPeriod, period_id)
    counts = util.section_counts(period)
    return render_template(
        "sections/index.html",
        period=period,
        sections=util.published_sections(period),
        counts=counts,
        in_words=util.in_words,
        declined=util.sessions_needing_decision(period),
    )


@bp.route("/planning/<int:period_id>/sections/<section_key>")
@coordinator_required
def show(period_id: int, section_key: str):
    """Who of the section accepted, declined, is unsure or has not answered, per session."""
    period, section = _section_or_404(period_id, section_key)
    return _show(period, section, MeetingLinkForm(meeting_url=_link_of(section)))


def _show(period, section, link_form: MeetingLinkForm, status: int = 200):
    people = util.section_answers(section)
    return (
        render_template(
            "sections/show.html",
            period=period,
            section=section,
            people=people,
            counts=util.in_words(util.counts_of(people)),
            words=util.REPLY_WORDS,
            answer_choices=ANSWER_CHOICES,
            link_form=link_form,
            virtual=section.program.mode == ProgramMode.VIRTUAL,
            declined=[
                item
                for item in util.sessions_needing_decision(period)
                if item.session.section_id == section.id
            ],
        ),
        status,
    )


@bp.route("/planning/<int:period_id>/sections/<section_key>/answers", methods=["POST"])
@coordinator_required
def record_answer(period_id: int, section_key: str):
    """Record a person's answer for them (they told the coordinator by phone or in passing)."""
    period, section = _section_or_404(period_id, section_key)
    form = AnswerForm()
    record_id = form.chosen_record()
    if not form.validate_on_submit() or record_id is None:
        flash("Choose an answer to record.", "error")
    else:
        try:
            operations.record_answer(section, record_id, Reply(form.reply.data), current_user)
            db.session.commit()
            flash("Answer recorded.", "success")
        except (operations.AnswerRefused, ReplyRefused) as refused:
            db.session.rollback()
            flash(str(refused), "error")
    return redirect(url_for("sections.show", period_id=period.id, section_key=section.key))


@bp.route("/planning/<int:period_id>/sections/<section_key>/link", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.FACILITATOR)
def link(period_id: int, section_key: str):
    """The joining link of a virtual section: its coordinators, or its own facilitator."""
    period, section = _section_or_404(period_id, section_key)
    if current_user.role != Role.COORDINATOR and not util.teaches(current_user, section):
        abort(404)  # another facilitator's section: as if it did not exist
    form = MeetingLinkForm()
    virtual = section.program.mode == ProgramMode.VIRTUAL
    if not form.is_submitted():
        form.meeting_url.data = _link_of(section)
    elif not virtual:
        form.form_errors.append("An in-person section has no joining link.")
    elif form.validate():
        sent = operations.set_meeting_link(section, form.meeting_url.data or "", current_user)
        db.session.commit()
        flash(
            "Joining link saved"
            + (f"; {sent} update{'s' if sent != 1 else ''} queued." if sent else "."),
            "success",
        )
        return redirect(url_for("sections.link", period_id=period.id, section_key=section.key))
    return render_template(
        "sections/link.html",
        period=period,
        section=section,
        form=form,
        current=meeting_url(section.sessions[0]) if section.sessions else "",
        virtual=virtual,
    ), (400 if form.errors or form.form_errors else 200)


@bp.route("/my/sections")
@roles_required(Role.FACILITATOR)
def mine():
    """The facilitator's own published sections, with their joining links."""
    facilitator = facilitator_of_user(current_user.id)
    sections = util.sections_taught_by(facilitator) if facilitator is not None else []
    return render_template(
        "sections/mine.html", sections=sections, link_of=_link_of, meeting_url=meeting_url
    )


def _section_or_404(period_id: int, section_key: str):
    period = get_or_404(PlanningPeriod, period_id)
    section = util.published_section(period, section_key)
    if section is None:
        abort(404)
    return period, section


def _link_of(section) -> str:
    """The link entered for the section itself ("" when it uses the facilitator's room)."""
    return section.meeting_link.meeting_url if section.meeting_link is not None else ""
