"""Background tasks of the calendars area: deliver the outbox, queue due reminders.

Both are meant to run every few minutes. The job queue (scheduler/jobs) registers named tasks
but has no periodic schedule yet (its workers run with ``periodic=False``), so these are plain
tasks for now: queue them with ``queue.enqueue(SEND_MAIL_TASK)`` or run
``flask --app scheduler send-mail`` from cron (docs/calendar.md).
"""

from __future__ import annotations

from scheduler.calendars.invites import queue_due_reminders
from scheduler.jobs import queue
from scheduler.mail.operations import send_pending_mail

SEND_MAIL_TASK = "calendars.send_mail"
REMINDERS_TASK = "calendars.queue_reminders"


@queue.task(SEND_MAIL_TASK)
def send_mail() -> int:
    """Send the outbox messages that are due; return how many were sent."""
    return send_pending_mail().sent


@queue.task(REMINDERS_TASK)
def queue_reminders() -> int:
    """Queue the reminders that are due, then send the outbox."""
    count = queue_due_reminders()
    send_pending_mail()
    return count
