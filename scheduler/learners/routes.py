"""Learners: the coordinator's list and forms, and a manager's view of their team."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from scheduler.access import coordinator_required, get_or_404, roles_required
from scheduler.extensions import db
from scheduler.forms.fields import DeleteForm
from scheduler.forms.saving import save_or_show_error
from scheduler.learners import operations, util
from scheduler.learners.forms import LearnerForm
from scheduler.models import Learner, Role
from scheduler.query import int_arg, search_arg

bp = Blueprint("learners", __name__)


@bp.route("/learners")
@coordinator_required
def index():
    """Every learner, 50 a page, optionally filtered by name, e-mail, team or employee id."""
    query = search_arg()
    page = util.learner_page(query, int_arg("page", 1, minimum=1))
    return render_template("learners/index.html", page=page, query=query)


@bp.route("/learners/new", methods=["GET", "POST"])
@coordinator_required
def new():
    form = LearnerForm()
    return _save(form, None) or _render_form(form, None)


@bp.route("/learners/<int:learner_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(learner_id: int):
    learner = get_or_404(Learner, learner_id)
    form = LearnerForm(obj=learner)
    return _save(form, learner) or _render_form(form, learner)


def _save(form: LearnerForm, learner: Learner | None):
    """Save a valid submission and redirect to the list; None to (re)display the form."""
    form.set_choices(util.manager_choices(), util.site_choices())
    if not form.validate_on_submit():
        return None
    saved = save_or_show_error(form, lambda: operations.save_learner(learner, form.values()))
    if saved is None:
        return None
    flash(f"Learner {saved.name} ({saved.key}) saved.", "success")
    return redirect(url_for("learners.index", q=saved.key))


def _render_form(form: LearnerForm, learner: Learner | None):
    count = util.membership_count(learner) if learner is not None else 0
    return render_template(
        "learners/form.html",
        form=form,
        learner=learner,
        cohort_count=count,
    )


@bp.route("/learners/<int:learner_id>/delete", methods=["POST"])
@coordinator_required
def delete(learner_id: int):
    learner = get_or_404(Learner, learner_id)
    if DeleteForm().validate_on_submit():
        operations.delete_learner(learner)
        db.session.commit()
        flash(f"Learner {learner.name} ({learner.key}) deleted.", "success")
    else:
        flash("The learner was not deleted: the form had expired, please try again.", "error")
    return redirect(url_for("learners.index"))


@bp.route("/team")
@roles_required(Role.MANAGER)
def team():
    """The manager's learners and those of managers reporting to them, with their cohorts."""
    learners = util.team_learners(current_user)
    cohorts = util.cohorts_by_learner([learner.id for learner in learners])
    return render_template("learners/team.html", learners=learners, cohorts=cohorts)
