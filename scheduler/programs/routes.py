"""Programs and their ordered sessions: the coordinator lists, creates, edits and deletes them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from scheduler.access import coordinator_required, get_or_404
from scheduler.breaks.saving import delete_checked
from scheduler.extensions import db
from scheduler.forms.fields import DeleteForm
from scheduler.forms.saving import save_or_show_error
from scheduler.models import Program
from scheduler.programs import operations, util
from scheduler.programs.forms import ProgramForm, pressed_row_button, rearranged

bp = Blueprint("programs", __name__)


@bp.context_processor
def formatting():
    return {"format_minutes": util.format_minutes}


@bp.route("/programs")
@coordinator_required
def index():
    """Every program with its sessions, seats and number of cohorts."""
    return render_template("programs/index.html", rows=util.programs_with_cohort_counts())


@bp.route("/programs/new", methods=["GET", "POST"])
@coordinator_required
def create():
    """Add a program with its sessions."""
    if pressed_row_button(request.form):
        return _rearranged_form(program=None)
    form = ProgramForm()
    if form.validate_on_submit():
        program = save_or_show_error(
            form,
            lambda: operations.create_program(form.session_rows(), **form.values()),
        )
        if program is not None:
            flash(f"Program {program.name} added.", "success")
            return redirect(url_for("programs.index"))
    return _program_form(form, program=None)


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(program_id: int):
    """Change a program and its sessions."""
    program = get_or_404(Program, program_id)
    if pressed_row_button(request.form):
        return _rearranged_form(program=program)
    form = ProgramForm(obj=program)
    if form.validate_on_submit():
        saved = save_or_show_error(
            form,
            lambda: operations.update_program(program, form.session_rows(), **form.values()),
        )
        if saved is not None:
            flash(f"Program {saved.name} saved.", "success")
            return redirect(url_for("programs.index"))
    return _program_form(form, program=program)


def _rearranged_form(program: Program | None):
    """Re-display the form with a session row added, removed or moved; nothing is saved."""
    formdata, message = rearranged(request.form)
    form = ProgramForm(formdata=formdata)
    if message:
        form.sessions.errors = [message]
    return _program_form(form, program=program)


def _program_form(form: ProgramForm, program: Program | None):
    return render_template(
        "programs/form.html", form=form, program=program, known_skills=util.known_skills()
    )


@bp.route("/programs/<int:program_id>/delete", methods=["GET", "POST"])
@coordinator_required
def delete(program_id: int):
    """Confirm (GET), then delete (POST) a program, its sessions and its cohorts."""
    program = get_or_404(Program, program_id)
    form = DeleteForm()
    name = program.name
    # Its cohorts go with it, so its published sections are broken as a deleted cohort's are
    # (see ``scheduler.cohorts.routes.delete``): listed first, deleted only on "Delete anyway".
    held = delete_checked(
        lambda: operations.delete_program(program),
        f"Program {name} deleted",
        form.validate_on_submit(),
    )
    if held is None:
        db.session.commit()
        flash(f"Program {name} deleted.", "success")
        return redirect(url_for("programs.index"))
    return render_template(
        "programs/confirm_delete.html",
        form=form,
        program=program,
        impact=util.program_deletion_impact(program),
        breaks=held,
    )
