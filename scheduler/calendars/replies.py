"""Answers to invitations: the one place a person's reply is recorded, whatever brought it.

An iMIP REPLY read from the mailbox, a click on an answer link and a coordinator's entry all
end here, so the ledger row (``InviteRecord``) is the single record of who said what.
"""

from __future__ import annotations

from datetime import datetime

from scheduler.database import utcnow
from scheduler.models import InviteMethod, InviteRecord, Reply, ReplyChannel


class ReplyRefused(ValueError):
    """An answer that cannot apply: the invitation was withdrawn, or the answer is not one."""


def record_reply(
    record: InviteRecord,
    reply: Reply,
    channel: ReplyChannel,
    *,
    at: datetime | None = None,
) -> bool:
    """Record ``reply`` on the invitation ``record``; return whether it changed anything.

    A withdrawn invitation (the last message was a CANCEL) takes no answer: saying yes to a
    session you were taken off would mislead the coordinator's counts.
    """
    if record.method != InviteMethod.REQUEST:
        raise ReplyRefused("This invitation was withdrawn.")
    if reply == Reply.NEEDS_ACTION:
        raise ReplyRefused("An answer is accepted, declined or tentative.")
    if record.reply == reply:
        return False
    record.reply = reply
    record.reply_channel = channel
    record.replied_at = at or utcnow()
    return True
