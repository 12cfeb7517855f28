"""Facilitators: the coordinator's list, profiles, and account switches."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for

from scheduler.access import coordinator_required, get_or_404
from scheduler.breaks.saving import ChangeBreaksSessions, save_checked
from scheduler.breaks.util import broken_sessions_of
from scheduler.extensions import db
from scheduler.facilitators import operations, util
from scheduler.facilitators.forms import (
    AccountForm,
    FacilitatorForm,
    NewFacilitatorForm,
    with_travel_costs,
)
from scheduler.forms.saving import save_or_show_error
from scheduler.learners.util import site_choices
from scheduler.models import Facilitator

bp = Blueprint("facilitators", __name__)


@bp.route("/facilitators")
@coordinator_required
def index():
    """Every facilitator with skills, home site and whether their account is enabled."""
    return render_template("facilitators/index.html", facilitators=util.all_facilitators())


@bp.route("/facilitators/new", methods=["GET", "POST"])
@coordinator_required
def new():
    """Create the account and the profile; a generated password is shown once."""
    form = _form(NewFacilitatorForm)
    if form.validate_on_submit():
        generated = not form.password.data
        password = form.password.data or operations.temporary_password()
        facilitator = save_or_show_error(
            form, lambda: operations.create_facilitator(form.values(), password)
        )
        if facilitator is not None:
            if generated:
                return _show_password_once(facilitator, password)
            flash(f"Facilitator {facilitator.name} created.", "success")
            return redirect(url_for("facilitators.show", facilitator_id=facilitator.id))
    return _render_form(form, None)


def _show_password_once(facilitator: Facilitator, password: str):
    # The password goes only into this response, never into the session cookie or a flash.
    response = make_response(
        render_template("facilitators/created.html", facilitator=facilitator, password=password)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/facilitators/<int:facilitator_id>")
@coordinator_required
def show(facilitator_id: int):
    facilitator = get_or_404(Facilitator, facilitator_id)
    return render_template(
        "facilitators/show.html",
        facilitator=facilitator,
        travel_costs=util.travel_costs(facilitator),
        broken=broken_sessions_of(facilitator),
    )


@bp.route("/facilitators/<int:facilitator_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(facilitator_id: int):
    facilitator = get_or_404(Facilitator, facilitator_id)
    form = _form(FacilitatorForm, data=util.form_data(facilitator))
    if form.validate_on_submit():
        if save_or_show_error(
            form, lambda: operations.update_facilitator(facilitator, form.values())
        ):
            flash(f"Facilitator {facilitator.name} saved.", "success")
            return redirect(url_for("facilitators.show", facilitator_id=facilitator.id))
    return _render_form(form, facilitator)


def _form(form_class: type[FacilitatorForm], **kwargs) -> FacilitatorForm:
    form = with_travel_costs(form_class, util.all_sites())(**kwargs)
    form.site_id.choices = site_choices()
    return form


def _render_form(form: FacilitatorForm, facilitator: Facilitator | None):
    return render_template(
        "facilitators/form.html",
        form=form,
        facilitator=facilitator,
        program_skills=util.program_skills(),
    )


@bp.route("/facilitators/<int:facilitator_id>/disable", methods=["POST"])
@coordinator_required
def disable(facilitator_id: int):
    """Stop the facilitator signing in and end their open sessions; the profile is kept."""
    return _set_enabled(facilitator_id, False)


@bp.route("/facilitators/<int:facilitator_id>/enable", methods=["POST"])
@coordinator_required
def enable(facilitator_id: int):
    return _set_enabled(facilitator_id, True)


def _set_enabled(facilitator_id: int, enabled: bool):
    """Enable or disable an account. A disabled facilitator teaches nothing from then on, so
    disabling one who teaches published sessions shows those sessions first and goes through
    only on "Disable anyway" (they are recorded as broken and the coordinators told)."""
    facilitator = get_or_404(Facilitator, facilitator_id)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            if enabled:  # one more facilitator breaks nothing
                operations.set_enabled(facilitator, True)
            else:
                save_checked(
                    lambda: operations.set_enabled(facilitator, False),
                    f"Facilitator {facilitator.name} disabled",
                )
        except ChangeBreaksSessions as found:
            return render_template(
                "facilitators/confirm_disable.html",
                form=form,
                facilitator=facilitator,
                breaks=found.breaks,
            )
        db.session.commit()
        state = "can sign in again" if enabled else "can no longer sign in"
        flash(f"{facilitator.name} {state}.", "success")
    else:
        flash("Nothing changed: the form had expired, please try again.", "error")
    return redirect(url_for("facilitators.show", facilitator_id=facilitator.id))
