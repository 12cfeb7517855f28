"""Availability pages: a facilitator's own, any facilitator's (coordinators), and rooms'.

A facilitator reaches only ``/availability``, which always shows their own profile: no route
that takes a facilitator id is open to them, so there is no id to change.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404, roles_required
from scheduler.availability import operations, util
from scheduler.availability.forms import AvailabilityForm, FacilitatorAvailabilityForm
from scheduler.caching import cached_by_content
from scheduler.extensions import db
from scheduler.models import Facilitator, Role, Room

bp = Blueprint("availability", __name__)


@bp.route("/availability", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def mine():
    """The signed-in facilitator's own availability."""
    facilitator = util.facilitator_of_user(current_user.id)
    if facilitator is None:
        abort(404)
    return _edit_facilitator(facilitator, title="My availability")


@bp.route("/facilitators/<int:facilitator_id>/availability", methods=["GET", "POST"])
@coordinator_required
def facilitator(facilitator_id: int):
    """Any facilitator's availability, for coordinators."""
    profile = get_or_404(Facilitator, facilitator_id)
    return _edit_facilitator(profile, title=f"Availability of {profile.name}")


@bp.route("/rooms/<int:room_id>/availability", methods=["GET", "POST"])
@coordinator_required
def room(room_id: int):
    """A room's weekly opening hours, extra windows and blocked periods, for coordinators."""
    found = get_or_404(Room, room_id)
    plan = util.room_plan(found)
    form = _form(AvailabilityForm, plan)
    return _edit(
        form,
        plan,
        save=lambda new_plan: operations.save_room_availability(found, new_plan),
        title=f"Availability of {found.name} ({found.site.name})",
        owner_word="the room",
    )


def _edit_facilitator(profile: Facilitator, title: str):
    plan = util.facilitator_plan(profile)
    form = _form(FacilitatorAvailabilityForm, plan)
    if request.method == "GET":
        form.timezone.data = plan.timezone
    return _edit(
        form,
        plan,
        save=lambda new_plan: operations.save_facilitator_availability(profile, new_plan),
        title=title,
        owner_word="you" if profile.user_id == current_user.id else profile.name,
    )


def _form(form_class: type[AvailabilityForm], plan: util.AvailabilityPlan) -> AvailabilityForm:
    # On POST the submitted data wins; ``data`` only fills the form shown on GET.
    data = form_class.initial_data(plan) if request.method == "GET" else None
    return form_class(data=data, zone_name=plan.timezone)


def _edit(
    form: AvailabilityForm,
    plan: util.AvailabilityPlan,
    save: Callable[[util.AvailabilityPlan], None],
    title: str,
    owner_word: str,
):
    """Show the page; on a valid POST save everything at once and come back to it."""
    if form.validate_on_submit():
        save(form.plan)
        db.session.commit()
        flash("Availability saved.", "success")
        for notice in form.notices:
            flash(notice, "info")
        return redirect(request.path)
    form.add_blank_rows()
    return render_template(
        "availability/edit.html",
        form=form,
        title=title,
        zone_name=form.display_zone(),
        preview=_preview(plan, owner_word, show_if_need_be="if_need_be" in form.section_names),
    )


def _preview(plan: util.AvailabilityPlan, owner_word: str, show_if_need_be: bool):
    """The next weeks as saved: built again only when the plan, the day or the wording changes."""
    today = util.local_today(plan.timezone)

    def build() -> str:
        return render_template(
            "availability/_preview.html",
            owner_word=owner_word,
            saved_zone=plan.timezone,
            always_available=plan.always_available,
            show_if_need_be=show_if_need_be,
            days=util.preview(plan, today),
        )

    return cached_by_content(
        ("availability/preview", plan, today, owner_word, show_if_need_be), build
    )
