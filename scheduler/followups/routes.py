"""Follow-ups: the coordinator's lessons and templates, a cohort's progress, the facilitator's
attendance page, and the learner's step page behind a personal link (no sign-in)."""

from __future__ import annotations

import time

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from scheduler.access import coordinator_required, get_or_404, owned_or_404, roles_required
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.followups import attaching, operations, tasks, util  # attaching: signal hooks
from scheduler.followups.delivery import STEP_PATH, send_due_nudges
from scheduler.followups.forms import (
    AttendanceForm,
    LessonForm,
    TemplateForm,
    quiz_text,
    steps_text,
)
from scheduler.followups.learning import Submission, record_submission
from scheduler.followups.rendering import render_markdown
from scheduler.forms.saving import FieldError, save_or_show_error
from scheduler.models import (
    Cohort,
    Facilitator,
    MicroLesson,
    Program,
    Role,
    ScheduledSession,
    SequenceTemplate,
    StepAnswer,
    StepKind,
    StepStatus,
    VersionStatus,
)
from scheduler.query import LARGEST_ID, parse_int
from scheduler.tokens import hash_token

bp = Blueprint("followups", __name__)
assert attaching.on_schedule_published and tasks.send_nudges


@bp.app_template_filter("markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@bp.context_processor
def labels():
    return {"kind_labels": util.KIND_LABELS}


# --- coordinator: content and progress ----------------------------------------------------------


@bp.route("/follow-ups")
@coordinator_required
def index():
    """Lessons, templates, and every cohort's follow-up progress."""
    return render_template(
        "followups/index.html",
        lessons=util.lessons(),
        templates=util.templates(),
        counts=util.step_counts(),
        cohorts=util.cohorts_with_steps(),
    )


@bp.route("/follow-ups/lessons/new", methods=["GET", "POST"])
@coordinator_required
def lesson_new():
    return _lesson_form(None)


@bp.route("/follow-ups/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@coordinator_required
def lesson_edit(lesson_id: int):
    return _lesson_form(get_or_404(MicroLesson, lesson_id))


def _lesson_form(lesson: MicroLesson | None):
    form = LessonForm(obj=lesson)
    if lesson is not None and request.method == "GET":
        form.quiz.data = quiz_text(lesson.questions)
    if form.validate_on_submit():
        saved = save_or_show_error(
            form, lambda: operations.save_lesson(lesson, form.values(), form.questions)
        )
        if saved is not None:
            flash(f"Lesson {saved.title} saved.", "success")
            return redirect(url_for("followups.lesson_show", lesson_id=saved.id))
    return render_template("followups/lesson_form.html", form=form, lesson=lesson)


@bp.route("/follow-ups/lessons/<int:lesson_id>")
@coordinator_required
def lesson_show(lesson_id: int):
    """The lesson as learners see it."""
    return render_template("followups/lesson.html", lesson=get_or_404(MicroLesson, lesson_id))


@bp.route("/follow-ups/templates/new", methods=["GET", "POST"])
@coordinator_required
def template_new():
    return _template_form(None)


@bp.route("/follow-ups/templates/<int:template_id>/edit", methods=["GET", "POST"])
@coordinator_required
def template_edit(template_id: int):
    return _template_form(get_or_404(SequenceTemplate, template_id))


def _template_form(template: SequenceTemplate | None):
    lessons = util.lessons()
    form = TemplateForm(obj=template)
    programs = db.session.scalars(select(Program).order_by(Program.name)).all()
    form.set_choices(programs, {lesson.key: lesson.id for lesson in lessons})
    if request.method == "GET":
        if template is not None:
            form.program_id.data = template.program_id or 0
            form.audience.data = template.audience.value
            form.step_lines.data = steps_text(
                template, {lesson.id: lesson.key for lesson in lessons}
            )
    if form.validate_on_submit():
        saved = save_or_show_error(
            form,
            lambda: operations.save_template(template, form.values(), form.parsed_steps),
        )
        if saved is not None:
            flash(f"Template {saved.name} saved.", "success")
            return redirect(url_for("followups.index"))
    return render_template(
        "followups/template_form.html", form=form, template=template, lessons=lessons
    )


@bp.route("/follow-ups/cohorts/<int:cohort_id>")
@coordinator_required
def cohort_progress(cohort_id: int):
    """Each learner's steps in a cohort: when, status, score, time spent."""
    cohort = get_or_404(Cohort, cohort_id)
    return render_template(
        "followups/progress.html", cohort=cohort, steps=util.cohort_steps(cohort.id)
    )


# --- facilitators: attendance -------------------------------------------------------------------


@bp.route("/attendance")
@roles_required(Role.FACILITATOR)
def my_sessions():
    """The signed-in facilitator's sessions of the last 60 days, to mark attendance."""
    facilitator = db.session.scalar(
        select(Facilitator).where(Facilitator.user_id == current_user.id)
    )
    sessions = util.facilitator_sessions(facilitator.id, utcnow()) if facilitator else []
    return render_template("followups/my_sessions.html", sessions=sessions)


@bp.route("/attendance/<int:session_id>", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR, Role.COORDINATOR)
def attendance(session_id: int):
    """Who attended a published session: its facilitator (or a coordinator) marks it."""
    session = db.session.get(ScheduledSession, session_id)
    owner = session.facilitator.user_id if session and session.facilitator else None
    session = owned_or_404(session, owner)
    if session.section.version.status != VersionStatus.PUBLISHED:
        abort(404)
    form = AttendanceForm()
    seats = sorted(session.section.seats, key=lambda seat: seat.learner.name)
    now = utcnow()
    if form.validate_on_submit():
        present = {parse_int(value) for value in request.form.getlist("attended")}
        marks = {seat.learner_id: seat.learner_id in present for seat in seats}
        try:
            no_shows = operations.mark_attendance(session, marks, current_user, now)
        except FieldError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
            return _attendance_page(form, session, seats, now)
        db.session.commit()
        flash(
            "Attendance saved."
            + (f" {len(no_shows)} no-show(s) flagged to the coordinator." if no_shows else ""),
            "success",
        )
        return redirect(url_for("followups.attendance", session_id=session.id))
    return _attendance_page(form, session, seats, now)


def _attendance_page(form, session, seats, now):
    return render_template(
        "followups/attendance.html",
        form=form,
        session=session,
        seats=seats,
        marked=util.attendance_of(session),
        not_open=operations.attendance_not_open(session) if now < session.start else None,
    )


# --- learners: a step behind its personal link ----------------------------------------------------


@bp.route(STEP_PATH + "<token>", methods=["GET", "POST"])
def step(token: str):
    """A learner's step: the lesson, its quiz and the due review items; then the results."""
    found = util.step_by_token_hash(hash_token(token)) if len(token) <= 100 else None
    if found is None:
        abort(404)
    questions = util.step_questions(found)
    error = None
    if request.method == "POST" and found.status == StepStatus.SENT:
        submission = _submission(questions)
        if questions and not any(submission.chosen.values()):
            # Sent without a single answer (an early click): not a 0 % result, ask again.
            error = "No answer was chosen: choose your answers, then send them."
        else:
            record_submission(found, submission, utcnow())
            return redirect(url_for("followups.step", token=token))
    return render_template(
        "followups/step.html",
        step=found,
        questions=questions,
        answers={answer.question_id: answer for answer in _answers(found)},
        started=int(time.time()),
        title=util.step_title(found),
        is_check_in=found.kind == StepKind.CHECK_IN,
        error=error,
        self_report=request.form.get("self_report", "") if error else "",
    )


def _submission(questions) -> Submission:
    """What the page sent; numbers that are not plain, in-range whole numbers ("²", 5,000
    digits) are ignored like missing ones."""
    chosen = {}
    for question in questions:
        values = request.form.getlist(f"q{question.id}")
        last = len(question.choices) - 1
        chosen[question.id] = {
            index for v in values if (index := parse_int(v, None, maximum=last)) is not None
        }
    timed = {}
    for question in questions:
        value = parse_int(request.form.get(f"t{question.id}"), None, maximum=LARGEST_ID)
        if value is not None:
            timed[question.id] = value
    started = parse_int(request.form.get("started"), None, maximum=LATEST_TIMESTAMP)
    seconds = int(time.time()) - started if started is not None else None
    confidence = request.form.get("confidence", "")
    return Submission(
        chosen=chosen,
        sure={q.id for q in questions if request.form.get(f"sure{q.id}")},
        seconds=seconds,
        question_seconds=timed,
        self_report=request.form.get("self_report", ""),
        confidence=int(confidence) if confidence in {"1", "2", "3", "4", "5"} else None,
    )


#: The page's "started" is a Unix time; anything after the year 9999 is not one.
LATEST_TIMESTAMP = 253_402_300_799


def _answers(step):
    return db.session.scalars(select(StepAnswer).where(StepAnswer.step_id == step.id)).all()


@bp.cli.command("send")
def send_command() -> None:
    """Queue the follow-up nudges that are due now."""
    click.echo(f"nudges queued {send_due_nudges()}")
