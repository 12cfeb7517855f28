"""Sites, their rooms and closures: the coordinator lists, creates, edits and deletes them."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from scheduler.access import coordinator_required, get_or_404
from scheduler.breaks.saving import ChangeBreaksSessions, delete_checked, save_checked
from scheduler.extensions import db
from scheduler.forms.fields import DeleteForm
from scheduler.forms.saving import save_or_show_error
from scheduler.models import Closure, Site
from scheduler.sites import closed_days, operations, util
from scheduler.sites.forms import ClosureForm, RoomForm, SiteForm, subdivision_list

#: How far ahead a site's page lists its public holidays.
HOLIDAYS_AHEAD = timedelta(days=365)

bp = Blueprint("sites", __name__)


@bp.route("/sites")
@coordinator_required
def index():
    """Every site with its time zone and number of rooms."""
    return render_template("sites/index.html", rows=util.sites_with_room_counts())


@bp.route("/sites/new", methods=["GET", "POST"])
@coordinator_required
def create():
    """Add a site."""
    form = SiteForm()
    if form.validate_on_submit():
        site = save_or_show_error(form, lambda: operations.create_site(**form.values()))
        if site is not None:
            flash(f"Site {site.name} added.", "success")
            return redirect(url_for("sites.show", site_id=site.id))
    return _site_form(form, site=None)


@bp.route("/sites/<int:site_id>")
@coordinator_required
def show(site_id: int):
    """A site with its rooms."""
    site = get_or_404(Site, site_id)
    today = util.site_today(site)
    return render_template(
        "sites/show.html",
        site=site,
        rooms=site.rooms,
        room_availability=util.room_availability_page_exists(),
        holidays_label=closed_days.holidays_label(site),
        holidays=closed_days.public_holidays(
            site.country, site.subdivision, today, today + HOLIDAYS_AHEAD
        ),
    )


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(site_id: int):
    """Change a site's key, name or time zone."""
    site = get_or_404(Site, site_id)
    form = SiteForm(obj=site)
    held: list = []
    if form.validate_on_submit():
        change = f"Site {site.name} changed (its time zone or public holidays)"
        try:
            saved = save_or_show_error(
                form,
                lambda: save_checked(lambda: operations.update_site(site, **form.values()), change),
            )
        except ChangeBreaksSessions as found:
            saved, held = None, found.breaks
        if saved is not None:
            flash(f"Site {saved.name} saved.", "success")
            return redirect(url_for("sites.show", site_id=site_id))
    return _site_form(form, site=site, breaks=held)


def _site_form(form: SiteForm, site: Site | None, breaks: list | None = None):
    country = form.chosen_country()
    return render_template(
        "sites/form.html",
        form=form,
        site=site,
        breaks=breaks or [],
        subdivisions=closed_days.subdivisions(country) if country else {},
        subdivision_list=subdivision_list(country) if country else "",
    )


@bp.route("/sites/<int:site_id>/delete", methods=["GET", "POST"])
@coordinator_required
def delete(site_id: int):
    """Confirm (GET), then delete (POST) a site with its rooms. The confirmation lists the
    published sessions the deletion breaks (their rooms go, their cohorts lose their site);
    then only "Delete anyway" deletes."""
    site = get_or_404(Site, site_id)
    form = DeleteForm()
    name = site.name
    held = delete_checked(
        lambda: operations.delete_site(site), f"Site {name} deleted", form.validate_on_submit()
    )
    if held is None:
        db.session.commit()
        flash(f"Site {name} deleted.", "success")
        return redirect(url_for("sites.index"))
    return render_template(
        "sites/confirm_delete.html",
        form=form,
        site=site,
        impact=util.site_deletion_impact(site),
        breaks=held,
    )


@bp.route("/sites/<int:site_id>/rooms/new", methods=["GET", "POST"])
@coordinator_required
def create_room(site_id: int):
    """Add a room to a site."""
    site = get_or_404(Site, site_id)
    form = RoomForm()
    if form.validate_on_submit():
        room = save_or_show_error(form, lambda: operations.create_room(site, **form.values()))
        if room is not None:
            flash(f"Room {room.name} added to {site.name}.", "success")
            return redirect(url_for("sites.show", site_id=site_id))
    return render_template("sites/room_form.html", form=form, site=site, room=None)


@bp.route("/sites/<int:site_id>/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_room(site_id: int, room_id: int):
    """Change a room's key, name, capacity or hourly cost."""
    site = get_or_404(Site, site_id)
    room = util.room_in_site(site, room_id) or abort(404)
    form = RoomForm(obj=room)
    held: list = []
    if form.validate_on_submit():
        change = f"Room {room.name} ({site.name}) changed"
        try:
            saved = save_or_show_error(
                form,
                lambda: save_checked(lambda: operations.update_room(room, **form.values()), change),
            )
        except ChangeBreaksSessions as found:
            saved, held = None, found.breaks
        if saved is not None:
            flash(f"Room {saved.name} saved.", "success")
            return redirect(url_for("sites.show", site_id=site_id))
    return render_template("sites/room_form.html", form=form, site=site, room=room, breaks=held)


@bp.route("/sites/<int:site_id>/rooms/<int:room_id>/delete", methods=["GET", "POST"])
@coordinator_required
def delete_room(site_id: int, room_id: int):
    """Confirm (GET), then delete (POST) a room. The confirmation lists the published sessions
    held in it; then only "Delete anyway" deletes."""
    site = get_or_404(Site, site_id)
    room = util.room_in_site(site, room_id) or abort(404)
    form = DeleteForm()
    name = room.name
    held = delete_checked(
        lambda: operations.delete_room(room),
        f"Room {name} ({site.name}) deleted",
        form.validate_on_submit(),
    )
    if held is None:
        db.session.commit()
        flash(f"Room {name} deleted.", "success")
        return redirect(url_for("sites.show", site_id=site_id))
    return render_template(
        "sites/confirm_delete_room.html",
        form=form,
        site=site,
        room=room,
        rule_count=util.room_availability_rule_count(room),
        breaks=held,
    )


@bp.route("/sites/closures", methods=["GET", "POST"])
@coordinator_required
def closures():
    """Every closure, and the form to add one (for the whole organisation or one site)."""
    form = ClosureForm(sites=closed_days.sites_by_name())
    held: list = []
    if form.validate_on_submit():
        values = form.values()
        try:
            closure = save_or_show_error(
                form,
                lambda: save_checked(
                    lambda: operations.create_closure(**values), closure_change(values)
                ),
            )
        except ChangeBreaksSessions as found:
            closure, held = None, found.breaks
        if closure is not None:
            flash(f"Closure {closure.name} added.", "success")
            return redirect(url_for("sites.closures"))
    return render_template(
        "sites/closures.html",
        form=form,
        closures=closed_days.all_closures(),
        delete_form=DeleteForm(),
        breaks=held,
    )


def closure_change(values: dict) -> str:
    """ "Closure Refit added at Paris, Mon 04 Jan 2027 to Fri 08 Jan 2027", for the record."""
    site = db.session.get(Site, values["site_id"]) if values.get("site_id") else None
    where = f"at {site.name}" if site else "for the whole organisation"
    return (
        f"Closure {values['name']} added {where}, "
        f"{values['start']:%a %d %b %Y} to {values['end']:%a %d %b %Y}"
    )


@bp.route("/sites/closures/<int:closure_id>/delete", methods=["POST"])
@coordinator_required
def delete_closure(closure_id: int):
    """Delete a closure: its days are open again (CSRFProtect checks the form's token)."""
    closure = get_or_404(Closure, closure_id)
    name = closure.name
    operations.delete_closure(closure)
    db.session.commit()
    flash(f"Closure {name} deleted.", "success")
    return redirect(url_for("sites.closures"))
