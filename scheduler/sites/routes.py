"""Sites and their rooms: the coordinator lists, creates, edits and deletes them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from scheduler.access import coordinator_required, get_or_404
from scheduler.extensions import db
from scheduler.forms.fields import DeleteForm
from scheduler.forms.saving import save_or_show_error
from scheduler.models import Site
from scheduler.sites import operations, util
from scheduler.sites.forms import RoomForm, SiteForm

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
    return render_template(
        "sites/show.html",
        site=site,
        rooms=site.rooms,
        room_availability=util.room_availability_page_exists(),
    )


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(site_id: int):
    """Change a site's key, name or time zone."""
    site = get_or_404(Site, site_id)
    form = SiteForm(obj=site)
    if form.validate_on_submit():
        saved = save_or_show_error(form, lambda: operations.update_site(site, **form.values()))
        if saved is not None:
            flash(f"Site {saved.name} saved.", "success")
            return redirect(url_for("sites.show", site_id=site_id))
    return _site_form(form, site=site)


def _site_form(form: SiteForm, site: Site | None):
    return render_template("sites/form.html", form=form, site=site)


@bp.route("/sites/<int:site_id>/delete", methods=["GET", "POST"])
@coordinator_required
def delete(site_id: int):
    """Confirm (GET), then delete (POST) a site with its rooms."""
    site = get_or_404(Site, site_id)
    form = DeleteForm()
    if form.validate_on_submit():
        name = site.name
        operations.delete_site(site)
        db.session.commit()
        flash(f"Site {name} deleted.", "success")
        return redirect(url_for("sites.index"))
    return render_template(
        "sites/confirm_delete.html", form=form, site=site, impact=util.site_deletion_impact(site)
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
    if form.validate_on_submit():
        saved = save_or_show_error(form, lambda: operations.update_room(room, **form.values()))
        if saved is not None:
            flash(f"Room {saved.name} saved.", "success")
            return redirect(url_for("sites.show", site_id=site_id))
    return render_template("sites/room_form.html", form=form, site=site, room=room)


@bp.route("/sites/<int:site_id>/rooms/<int:room_id>/delete", methods=["GET", "POST"])
@coordinator_required
def delete_room(site_id: int, room_id: int):
    """Confirm (GET), then delete (POST) a room."""
    site = get_or_404(Site, site_id)
    room = util.room_in_site(site, room_id) or abort(404)
    form = DeleteForm()
    if form.validate_on_submit():
        name = room.name
        operations.delete_room(room)
        db.session.commit()
        flash(f"Room {name} deleted.", "success")
        return redirect(url_for("sites.show", site_id=site_id))
    return render_template(
        "sites/confirm_delete_room.html",
        form=form,
        site=site,
        room=room,
        rule_count=util.room_availability_rule_count(room),
    )
