"""Background tasks of the calendars area: deliver the outbox, queue due reminders, read replies.

Workers run them on a schedule: the outbox every minute (a publish also queues a send at once),
reminders every 15 minutes, the replies mailbox every ``IMAP_POLL_MINUTES`` when ``IMAP_HOST``
is set. ``flask --app scheduler calendars send-mail`` and ``... remind`` do the same by hand or
from cron (docs/calendar.md), ``flask --app scheduler mail send`` drains the outbox as one
periodic run does, and ``flask --app scheduler mail read-replies`` reads the mailbox once.
"""

from __future__ import annotations

import logging
import time

from huey import crontab

from scheduler.calendars.invites import queue_due_reminders
from scheduler.calendars.mailbox import MailboxError
from scheduler.calendars.reply_inbox import is_configured, read_replies
from scheduler.jobs import EveryMinutes, queue
from scheduler.mail.operations import SendReport, send_pending_mail

SEND_MAIL_TASK = "calendars.send_mail"
REMINDERS_TASK = "calendars.queue_reminders"
READ_REPLIES_TASK = "calendars.read_replies"

log = logging.getLogger(__name__)


#: Messages claimed at a time, and how long one run keeps taking batches: a publish can queue
#: a thousand invitations, which should not wait ten minutes of one batch per minute.
BATCH = 100
RUN_SECONDS = 45


@queue.periodic(SEND_MAIL_TASK, crontab(minute="*"))
def send_mail() -> int:
    """Send the outbox messages that are due, batch after batch; return how many were sent."""
    return drain_outbox().sent


def drain_outbox() -> SendReport:
    """One run of the periodic send (also ``flask mail send``): batches of due messages until a
    batch is not full or ``RUN_SECONDS`` have passed."""
    started, total = time.monotonic(), SendReport()
    while time.monotonic() - started < RUN_SECONDS:
        report = send_pending_mail(limit=BATCH)
        total.sent += report.sent
        total.failed += report.failed
        if report.sent + report.failed < BATCH:
            break
    return total


@queue.periodic(REMINDERS_TASK, crontab(minute="*/15"))
def queue_reminders() -> int:
    """Queue the reminders that are due, then send the outbox."""
    count = queue_due_reminders()
    send_pending_mail()
    return count


@queue.periodic(READ_REPLIES_TASK, EveryMinutes("IMAP_POLL_MINUTES"))
def read_reply_mail() -> int:
    """Read the attendees' answers from the mailbox, if one is configured; return how many
    messages were filed. An unreachable mailbox is logged and tried again next time."""
    if not is_configured():
        return 0
    try:
        report = read_replies()
    except MailboxError as error:
        log.warning("The replies mailbox could not be read: %s", error)
        return 0
    return report.recorded + report.unchanged + report.counters + report.unmatched
