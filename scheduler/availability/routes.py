"""Availability pages: a facilitator's own, any facilitator's (coordinators), and rooms'.

A facilitator reaches only ``/availability``, which always shows their own profile: no route
that takes a facilitator id is open to them, so there is no id to change.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user
from markupsafe import Markup

from scheduler.access import coordinator_required, get_or_404, roles_required
from scheduler.availability import operations, util
from scheduler.availability.forms import AvailabilityForm, FacilitatorAvailabilityForm
from scheduler.breaks.saving import ChangeBreaksSessions, save_checked
from scheduler.breaks.util import breaks_of_facilitator, broken_sessions_of
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
    return _edit(
        AvailabilityForm,
        util.room_plan(found),
        save=lambda new_plan: operations.save_room_availability(found, new_plan),
        title=f"Availability of {found.name} ({found.site.name})",
        owner_word="the room",
        change=f"Availability of room {found.name} ({found.site.name}) changed",
    )


def _edit_facilitator(profile: Facilitator, title: str):
    own = profile.user_id == current_user.id
    return _edit(
        FacilitatorAvailabilityForm,
        util.facilitator_plan(profile),
        save=lambda new_plan: operations.save_facilitator_availability(profile, new_plan),
        title=title,
        owner_word="you" if own else profile.name,
        change=f"Availability of {profile.name} changed" + (" by themselves" if own else ""),
        facilitator=profile,
    )


def _edit(
    form_class: type[AvailabilityForm],
    plan: util.AvailabilityPlan,
    save: Callable[[util.AvailabilityPlan], None],
    title: str,
    owner_word: str,
    change: str,
    facilitator: Facilitator | None = None,
):
    """Show the page; on a valid POST save everything at once and come back to it, unless the
    change breaks published sessions: then the page shows them and offers "Save anyway"."""
    show_if_need_be = "if_need_be" in form_class.section_names
    preview = _preview(plan, owner_word, show_if_need_be)
    if request.method != "POST":
        # A GET shows the saved plan, and the same plan always gives the same fields: they are
        # built once per plan (the CSRF token, which differs per session, is outside them).
        fields = cached_by_content(
            ("availability/fields", form_class.__name__, plan),
            lambda: _fields(
                form_class(data=form_class.initial_data(plan), zone_name=plan.timezone)
            ),
        )
        return _page(title, form_class.shown_zone(plan), [], fields, preview, facilitator)
    form = form_class(zone_name=plan.timezone)
    held: list = []
    if form.validate_on_submit():
        try:
            save_checked(lambda: save(form.plan), change)
        except ChangeBreaksSessions as found:
            held = found.breaks
        else:
            db.session.commit()
            flash("Availability saved.", "success")
            for notice in form.notices:
                flash(notice, "info")
            return redirect(request.path)
    fields = _fields(form)
    return _page(title, form.display_zone(), form.problems, fields, preview, facilitator, held)


def _fields(form: AvailabilityForm) -> str:
    """The form's fields as HTML, with spare rows under each window list."""
    form.add_blank_rows()
    return render_template("availability/_fields.html", form=form)


def _page(
    title: str,
    zone_name: str,
    problems: list[str],
    fields: str,
    preview: str,
    facilitator: Facilitator | None = None,
    held: list | None = None,
):
    """The page; ``held``: the published sessions the submitted change would break. A
    facilitator sees only the sessions they teach, here and in the list of broken ones."""
    own = facilitator is not None and facilitator.user_id == current_user.id
    if own and held:
        held = breaks_of_facilitator(held, facilitator)
    return render_template(
        "availability/edit.html",
        title=title,
        zone_name=zone_name,
        problems=problems,
        fields=Markup(fields),
        preview=preview,
        breaks=held or [],
        own=own,
        broken=broken_sessions_of(facilitator) if facilitator is not None else [],
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
