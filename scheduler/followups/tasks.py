"""Background task of the follow-ups area: send the due nudges, then deliver the outbox.

Every worker schedules it every 15 minutes; runs that meet are safe (``delivery.py``).
``flask --app scheduler followups send`` does the same by hand.
"""

from __future__ import annotations

from huey import crontab

from scheduler.followups.delivery import send_due_nudges
from scheduler.jobs import queue
from scheduler.mail.operations import send_pending_mail

SEND_NUDGES_TASK = "followups.send_nudges"


@queue.periodic(SEND_NUDGES_TASK, crontab(minute="*/15"))
def send_nudges() -> int:
    """Queue the nudges that are due and send the outbox; return how many nudges were queued."""
    count = send_due_nudges()
    send_pending_mail()
    return count
