"""``flask --app scheduler ...`` commands: accounts, demo data, the job worker, planning periods
(``plan``, in scheduler/planning/commands.py) and the outbox (``mail``)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from scheduler.extensions import db
from scheduler.jobs.worker import worker_command
from scheduler.models import Role
from scheduler.planning.commands import plan
from scheduler.text import control_character

mail = AppGroup(
    "mail", help="The outbox of invitations, reminders and follow-up nudges; the replies mailbox."
)


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(plan)
    app.cli.add_command(mail)


def _one_line(context, parameter, value: str) -> str:
    """Click callback: a name or address with a line break would break calendars and mail."""
    found = control_character(value or "")
    if found:
        raise click.BadParameter(f"must be on one line, without control characters ({found}).")
    return value


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True, callback=_one_line)
@click.option("--name", required=True, callback=_one_line)
@click.option("--role", type=click.Choice([role.value for role in Role]), default="coordinator")
@click.option("--timezone", default="UTC")
@click.password_option()
def create_user_command(email: str, name: str, role: str, timezone: str, password: str) -> None:
    """Create a user account (the first coordinator, typically)."""
    from scheduler.auth.operations import AccountError, create_user

    try:
        create_user(email, name, Role(role), password, timezone)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@click.command("demo")
@with_appcontext
@click.option("--scale", type=int, default=1, help="Multiply learners and cohorts (benchmarks).")
def demo_command(scale: int) -> None:
    """Load the demo organisation into an empty database and print the demo accounts."""
    from scheduler.demo import DemoError, load_demo

    try:
        accounts = load_demo(scale=scale)
    except DemoError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo("Demo data loaded. Accounts (e-mail / password):")
    for role, email, password in accounts:
        click.echo(f"  {role:<12} {email:<36} {password}")


@mail.command("send")
def mail_send_command() -> None:
    """Send the outbox's due messages once, as the periodic send does (for cron); exit 1 if any
    failed (they are retried later)."""
    from scheduler.calendars.tasks import drain_outbox

    report = drain_outbox()
    click.echo(f"sent {report.sent}, failed {report.failed}")
    if report.failed:
        raise click.ClickException(
            f"{report.failed} message{'s' if report.failed != 1 else ''} could not be sent; "
            "each is tried again later (its last error is kept in the outbox)."
        )


@mail.command("read-replies")
def mail_read_replies_command() -> None:
    """Read the attendees' answers (iMIP replies) from the mailbox once, as the periodic task
    does (for cron); exit 1 if no mailbox is configured or it cannot be read."""
    from scheduler.calendars.mailbox import MailboxError
    from scheduler.calendars.reply_inbox import is_configured, read_replies

    if not is_configured():
        raise click.ClickException("No mailbox to read: set SCHEDULER_IMAP_HOST (docs/deploy.md).")
    try:
        report = read_replies()
    except MailboxError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"recorded {report.recorded}, unchanged {report.unchanged}, "
        f"counter-proposals {report.counters}, unmatched {report.unmatched}"
    )
