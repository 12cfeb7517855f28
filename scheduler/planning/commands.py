"""``flask --app scheduler plan ...``: solve, publish and inspect a planning period from cron.

Each command runs the operation behind the page's button: ``queue_solve`` (Solve),
``publish_draft`` (the confirmed Publish, run as the same publish job); nothing here decides
what may be solved or published. Exit codes (docs/jobs.md): 0 done, 1 the operation failed or was refused, 2 unknown
period, version or user (and click's own usage errors), 130 interrupted.
"""

from __future__ import annotations

from time import sleep

import click
from flask import current_app
from flask.cli import AppGroup

from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import (
    JobStatus,
    PlanningPeriod,
    ScheduleVersion,
    SolveJob,
    User,
    VersionStatus,
)
from scheduler.planning import util
from scheduler.planning.publishing import PublishRefused
from scheduler.planning.versions import published_version, schedule_of
from scheduler.publishing.operations import create_job
from scheduler.publishing.tasks import run_publish_job
from scheduler.review.util import unscheduled
from scheduler.solving import operations, tasks
from scheduler.solving.util import active_job, summary
from scheduler.templating import localtime

plan = AppGroup("plan", help="Solve, publish and inspect planning periods (for cron).")

EXIT_FAILED = 1
EXIT_NOT_FOUND = 2
EXIT_INTERRUPTED = 130
#: Seconds between two reads of a job that a worker elsewhere is running.
POLL_SECONDS = 1.0
#: Periods named in the message about an unknown one.
LISTED_PERIODS = 20


class NotFound(click.ClickException):
    """A period, version or user the command was given does not exist: a usage error."""

    exit_code = EXIT_NOT_FOUND


class Interrupted(click.ClickException):
    exit_code = EXIT_INTERRUPTED


period_option = click.option(
    "--period", "period_name", required=True, metavar="NAME", help="The planning period's name."
)
by_option = click.option(
    "--by",
    "by_email",
    metavar="EMAIL",
    help="A coordinator's e-mail: the audit log and the period page name them. Default: nobody.",
)


# --- plan solve ----------------------------------------------------------------------------------


@plan.command("solve")
@period_option
@click.option(
    "--time-limit",
    type=click.IntRange(1, 3600),
    metavar="SECONDS",
    help="Stop the search after this long (default: the period's time limit).",
)
@by_option
def solve_command(period_name: str, time_limit: int | None, by_email: str | None) -> None:
    """Solve a period as its Solve button does and wait for the draft; print its version and cost."""
    period, user = find_period(period_name), find_coordinator(by_email)
    try:
        job = operations.queue_solve(period, user, time_limit)
    except operations.SolveRefused as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(
        f"Solving {job.period.name} (job {job.id}, at most {job.time_limit_seconds} s)...", err=True
    )
    job = run_to_the_end(job.id)
    if job.status != JobStatus.FINISHED:
        raise click.ClickException(f"Job {job.id} {job.status.value}: {summary(job)}")
    draft = job.draft
    click.echo(
        f"Draft version {draft.number} of {job.period.name}: "
        f"cost {draft.total_cost:,.2f} ({draft.solver_status})."
    )
    click.echo(not_placed_line(draft))


def run_to_the_end(job_id: int) -> SolveJob:
    """The job once it has ended. Without Redis no worker may be running (cron on a machine
    without ``serve``), so this process runs the task itself; if a ``serve`` on this machine took
    the job first, the task sees it started and returns, and the job is waited for like one a
    Redis worker runs."""
    solving_here = False
    try:
        if queue.is_embedded(current_app._get_current_object()):
            solving_here = True
            tasks.solve_period(job_id)
            solving_here = False
        return wait_for_job(job_id)
    except KeyboardInterrupt:
        db.session.rollback()
        if solving_here:  # nobody else would ever end the job: end it now
            operations.fail_job(job_id, "Stopped from the command line before it finished.")
            said = "The solve was stopped; the last good schedule is unchanged."
        else:  # a worker runs it: ask it to stop, as the page's Cancel does
            said = operations.cancel(db.session.get(SolveJob, job_id))
        raise Interrupted(f"Interrupted. {said}") from None


def wait_for_job(job_id: int) -> SolveJob:
    """Read the job every ``POLL_SECONDS`` until it has ended, saying when its status changes."""
    said = None
    while True:
        operations.fail_lost_jobs()  # a worker that died mid-solve fails its job instead of hanging here
        job = db.session.get(SolveJob, job_id, populate_existing=True)
        if not job.status.active:
            return job
        if job.status != said:
            click.echo(summary(job), err=True)
            said = job.status
        # On SQLite an open transaction holds the write lock the worker's heartbeats need.
        db.session.rollback()
        sleep(POLL_SECONDS)


def not_placed_line(version: ScheduleVersion) -> str:
    """Who the version leaves out, on one line: each cohort with its count."""
    left_out = unscheduled(version, schedule_of(version))
    if not left_out:
        return "Not placed: nobody."
    total = sum(entry["learners"] for entry in left_out)
    cohorts = "; ".join(f"{entry['cohort']}: {entry['learners']}" for entry in left_out)
    return f"Not placed: {total} learner{'s' if total != 1 else ''} ({cohorts})."


# --- plan publish --------------------------------------------------------------------------------


@plan.command("publish")
@period_option
@click.option(
    "--version", "number", type=click.IntRange(1), metavar="N", help="The draft's number."
)
@click.option("--latest-draft", is_flag=True, help="Publish the period's newest draft.")
@by_option
def publish_command(
    period_name: str, number: int | None, latest_draft: bool, by_email: str | None
) -> None:
    """Publish a draft as the review page's Publish button does; its invitations are queued."""
    if (number is None) == (not latest_draft):
        raise click.UsageError("Give either --version N or --latest-draft (one of them).")
    period, user = find_period(period_name), find_coordinator(by_email)
    draft = util.latest_draft(period) if latest_draft else util.version_numbered(period, number)
    if draft is None:
        raise NotFound(_no_such_version(period, number))
    number = draft.number
    # The same job as the confirmation page's button, run here rather than by a worker: cron
    # needs no server, and the period page lists the publish like any other.
    try:
        job = run_publish_job(create_job(draft, user))
    except PublishRefused as refused:
        raise click.ClickException(str(refused)) from refused
    if job.status != JobStatus.FINISHED:
        raise click.ClickException(job.error)
    replacing = f", replacing version {job.replaced_number}" if job.replaced_number else ""
    click.echo(f"Published version {number} of {period.name}{replacing}.")
    queued = job.messages
    click.echo(f"Invitations queued: {queued} message{'s' if queued != 1 else ''}.")


def _no_such_version(period: PlanningPeriod, number: int | None) -> str:
    drafts = [str(v.number) for v in util.versions(period) if v.status == VersionStatus.DRAFT]
    listed = f"its drafts: {', '.join(reversed(drafts))}" if drafts else "it has no draft"
    if number is None:
        return f"{period.name} has no draft to publish: solve it first."
    return f"{period.name} has no version {number}; {listed}."


# --- plan status ---------------------------------------------------------------------------------


@plan.command("status")
@period_option
def status_command(period_name: str) -> None:
    """Print a period's published version, latest draft and solve in progress."""

    operations.fail_lost_jobs()  # as the period page does: a job whose worker died shows as failed
    period = find_period(period_name)
    click.echo(f"{period.name} ({period.start} to {period.end}, {period.timezone})")
    published = published_version(period)
    line = _version_line(published)
    if published is not None and published.published_at is not None:
        by = db.session.get(User, published.published_by_id) if published.published_by_id else None
        line += f"; published {localtime(published.published_at, period.timezone)}"
        line += f" by {by.name}" if by is not None else ""
    click.echo(f"Published:    {line}")
    draft = util.latest_draft(period)
    line = _version_line(draft)
    if draft is not None and draft.period_version != period.version:
        line += "; out of date: the plan changed since it was made, publishing it is refused"
    click.echo(f"Latest draft: {line}")
    click.echo(f"Solve:        {_solve_line(period)}")


def _version_line(version: ScheduleVersion | None) -> str:
    if version is None:
        return "none"
    sessions, left_out = util.session_count(version), util.unplaced_learners(version)
    return (
        f"version {version.number}, cost {version.total_cost:,.2f}, "
        f"{sessions} session{'s' if sessions != 1 else ''}, "
        f"{left_out} learner{'s' if left_out != 1 else ''} not placed"
    )


def _solve_line(period: PlanningPeriod) -> str:
    job = active_job(period)
    if job is not None:
        best = f", best cost so far {job.best_cost:,.2f}" if job.best_cost is not None else ""
        return (
            f"{job.status.value} (job {job.id}, {job.elapsed_seconds:.0f} s of "
            f"{job.time_limit_seconds} s{best})"
        )
    jobs = util.recent_jobs(period, limit=1)
    if not jobs:
        return "none queued or running; never solved"
    return f"none queued or running; last: job {jobs[0].id}: {summary(jobs[0])}"


# --- finding what the options name -------------------------------------------------------------


def find_period(name: str) -> PlanningPeriod:
    """The period ``--period`` names; a usage error naming the known ones if there is none, and
    listing the candidates with their ids if the name is ambiguous."""
    found = util.periods_named(name)
    if len(found) == 1:
        return found[0]
    if found:
        candidates = "; ".join(f"{p.id}: {p.name} ({p.start} to {p.end})" for p in found)
        raise NotFound(
            f"{len(found)} periods are named {name!r} ({candidates}). "
            "Give the id instead, e.g. --period " + str(found[0].id) + "."
        )
    known = util.periods()
    if not known:
        raise NotFound(f"No planning period named {name!r}: there are no periods yet.")
    names = ", ".join(repr(p.name) for p in known[:LISTED_PERIODS])
    more = f" and {len(known) - LISTED_PERIODS} more" if len(known) > LISTED_PERIODS else ""
    raise NotFound(f"No planning period named {name!r}. Known periods: {names}{more}.")


def find_coordinator(email: str | None) -> User | None:
    """The coordinator ``--by`` names (None without ``--by``)."""
    if email is None:
        return None
    user = util.coordinator_by_email(email)
    if user is None:
        raise NotFound(f"No enabled coordinator has the e-mail {email!r}.")
    return user
