"""Cohorts: the list, the cohort form, blocked periods and the member list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from scheduler.access import coordinator_required, get_or_404
from scheduler.breaks.operations import cancel_withdrawn
from scheduler.breaks.saving import ChangeBreaksSessions, save_checked
from scheduler.cohorts import operations, util
from scheduler.cohorts.forms import (
    BlockForm,
    CohortForm,
    MemberIdsForm,
    PasteMembersForm,
)
from scheduler.extensions import db
from scheduler.forms.fields import DeleteForm
from scheduler.forms.saving import FieldError, save_or_show_error
from scheduler.learners.util import site_choices
from scheduler.models import Cohort, CohortBlock
from scheduler.query import int_arg, search_arg

bp = Blueprint("cohorts", __name__)


@bp.route("/cohorts")
@coordinator_required
def index():
    """Every cohort with its program, site, size and deadline, 50 a page."""
    query = search_arg()
    page = util.cohort_page(query, int_arg("page", 1, minimum=1))
    counts = util.member_counts([cohort.id for cohort in page.items])
    return render_template("cohorts/index.html", page=page, query=query, counts=counts)


@bp.route("/cohorts/new", methods=["GET", "POST"])
@coordinator_required
def new():
    form = CohortForm()
    return _save(form, None) or render_template("cohorts/form.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    form = CohortForm(data=util.cohort_form_data(cohort))
    held: list = []
    try:
        saved = _save(form, cohort)
    except ChangeBreaksSessions as found:
        saved, held = None, found.breaks
    return saved or render_template("cohorts/form.html", form=form, cohort=cohort, breaks=held)


def _save(form: CohortForm, cohort: Cohort | None):
    """Save a valid submission and go to the cohort's page; None to (re)display the form.

    A change of a cohort in a published plan that breaks its sessions raises
    ``ChangeBreaksSessions`` unless "Save anyway" was pressed."""
    form.set_choices(*_choices())
    if not form.validate_on_submit():
        return None
    if cohort is None:
        saved = save_or_show_error(form, lambda: operations.save_cohort(None, form.values()))
    else:
        saved = save_or_show_error(
            form,
            lambda: save_checked(
                lambda: operations.save_cohort(cohort, form.values()),
                f"Cohort {cohort.key} changed",
            ),
        )
    if saved is None:
        return None
    flash(f"Cohort {saved.key} saved.", "success")
    return redirect(url_for("cohorts.show", cohort_id=saved.id))


def _choices():
    programs, in_person = util.program_choices()
    return programs, site_choices("— none (virtual only) —"), in_person


@bp.route("/cohorts/<int:cohort_id>/delete", methods=["POST"])
@coordinator_required
def delete(cohort_id: int):
    """Delete a cohort; when that breaks published sessions, show them first and delete only
    on "Delete anyway".

    What a coordinator expects of "Delete anyway": the cohort's learners are no longer invited
    (their seats go with the cohort, and their calendars get cancellations at once, see
    ``operations.delete_cohort``), while the sessions themselves are recorded as broken rather
    than cancelled: their facilitator, room, and any other cohort sharing the section are
    re-planned by the repair, whose publishing tells those people, with its confirmation."""
    cohort = get_or_404(Cohort, cohort_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        flash("The cohort was not deleted: the form had expired, please try again.", "error")
        return redirect(url_for("cohorts.edit", cohort_id=cohort.id))
    key = cohort.key
    try:
        withdrawn = save_checked(lambda: operations.delete_cohort(cohort), f"Cohort {key} deleted")
    except ChangeBreaksSessions as found:
        return render_template(
            "cohorts/confirm_delete.html", form=form, cohort=cohort, breaks=found.breaks
        )
    cancel_withdrawn(withdrawn)
    db.session.commit()
    flash(f"Cohort {key} deleted; its learners are kept.", "success")
    return redirect(url_for("cohorts.index"))


@bp.route("/cohorts/<int:cohort_id>")
@coordinator_required
def show(cohort_id: int):
    """The cohort's settings and blocked periods, with a form to block another period."""
    cohort = get_or_404(Cohort, cohort_id)
    return _render_show(cohort, BlockForm())


def _render_show(cohort: Cohort, block_form: BlockForm, breaks: list | None = None):
    return render_template(
        "cohorts/show.html",
        cohort=cohort,
        block_form=block_form,
        breaks=breaks or [],
        member_count=util.member_counts([cohort.id]).get(cohort.id, 0),
        local=util.utc_to_local,
    )


@bp.route("/cohorts/<int:cohort_id>/blocks", methods=["POST"])
@coordinator_required
def add_block(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    form = BlockForm()
    if form.validate_on_submit():
        try:
            block = save_or_show_error(
                form,
                lambda: save_checked(
                    lambda: operations.add_block(
                        cohort, form.start.data, form.end.data, form.reason.data or ""
                    ),
                    f"Cohort {cohort.key} blocked from {form.start.data:%a %d %b %Y %H:%M} "
                    f"to {form.end.data:%a %d %b %Y %H:%M} ({cohort.timezone})",
                ),
            )
        except ChangeBreaksSessions as found:
            return _render_show(cohort, form, found.breaks)
        if block is not None:
            flash("Blocked period added.", "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return _render_show(cohort, form)


@bp.route("/cohorts/<int:cohort_id>/blocks/<int:block_id>/delete", methods=["POST"])
@coordinator_required
def delete_block(cohort_id: int, block_id: int):
    block = get_or_404(CohortBlock, block_id)
    if block.cohort_id != cohort_id:
        abort(404)
    if DeleteForm().validate_on_submit():
        operations.delete_block(block)
        db.session.commit()
        flash("Blocked period removed.", "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort_id))


@bp.route("/cohorts/<int:cohort_id>/members")
@coordinator_required
def members(cohort_id: int):
    """The cohort's learners, a learner search to add more, and a box to paste employee ids."""
    cohort = get_or_404(Cohort, cohort_id)
    return _render_members(cohort, PasteMembersForm())


def _render_members(cohort: Cohort, paste_form: PasteMembersForm):
    query = search_arg()
    return render_template(
        "cohorts/members.html",
        cohort=cohort,
        members=util.members(cohort),
        query=query,
        results=util.addable_learners(cohort, query),
        paste_form=paste_form,
    )


@bp.route("/cohorts/<int:cohort_id>/members/add", methods=["POST"])
@coordinator_required
def add_members(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    form = MemberIdsForm()
    if _valid(form):
        try:
            added = operations.add_members(cohort, form.learner_ids.data)
        except FieldError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"{added} learner{'s' if added != 1 else ''} added to {cohort.key}.", "success")
    return redirect(url_for("cohorts.members", cohort_id=cohort.id, q=request.args.get("q")))


@bp.route("/cohorts/<int:cohort_id>/members/paste", methods=["POST"])
@coordinator_required
def paste_members(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    form = PasteMembersForm()
    if form.validate_on_submit():
        employee_ids = util.parse_employee_ids(form.employee_ids.data)
        added = save_or_show_error(
            form, lambda: operations.add_members_by_employee_id(cohort, employee_ids)
        )
        if added is not None:
            already = len(employee_ids) - added
            note = f" ({already} already in it)" if already else ""
            flash(
                f"{added} learner{'s' if added != 1 else ''} added to {cohort.key}{note}.",
                "success",
            )
            return redirect(url_for("cohorts.members", cohort_id=cohort.id))
    return _render_members(cohort, form)


@bp.route("/cohorts/<int:cohort_id>/members/remove", methods=["POST"])
@coordinator_required
def remove_members(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    form = MemberIdsForm()
    if _valid(form):
        removed = operations.remove_members(cohort, form.learner_ids.data)
        db.session.commit()
        flash(
            f"{removed} learner{'s' if removed != 1 else ''} removed from {cohort.key}.", "success"
        )
    return redirect(url_for("cohorts.members", cohort_id=cohort.id))


def _valid(form: MemberIdsForm) -> bool:
    """Validate a tick-list form, flashing its first error (the list page has no field to show it)."""
    if form.validate_on_submit():
        return True
    for errors in form.errors.values():
        flash(errors[0], "error")
        break
    return False
