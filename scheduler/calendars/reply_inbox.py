"""Read the organiser's mailbox: record each iMIP answer on its invitation, file every message.

A message is matched to one ``InviteRecord`` by the event's UID and the ATTENDEE's address
(the learner's, or the facilitator's account e-mail), and only when the mail comes from that
same address: anyone can write an ATTENDEE line, so a reply sent from another address (a
forward, a colleague, a forgery) is not taken as the attendee's word. What happens to a
message:

- an answer (ACCEPTED, DECLINED, TENTATIVE) matched to an invitation still held is recorded
  with ``record_reply`` and the message goes to the Processed folder;
- a proposed new time (COUNTER) for a matched invitation changes nothing and goes to the
  counter-proposals folder, where the coordinator decides;
- everything else (not a calendar reply, unreadable, an unknown UID or attendee, another
  sender, an answer to an older version of the invitation, an answer to a withdrawn one) goes
  to the Unmatched folder, with the reason in the log.

Nothing is deleted, and a message stays in the incoming folder only while its database work
failed (it is read again next time: recording the same answer twice changes nothing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from scheduler.calendars.mailbox import Mailbox
from scheduler.calendars.replies import ReplyRefused, record_reply
from scheduler.calendars.reply_mail import COUNTER, NotAReply, ReplyMessage, parse_reply
from scheduler.extensions import db
from scheduler.models import (
    Facilitator,
    InviteMethod,
    InviteRecord,
    Learner,
    Reply,
    ReplyChannel,
    User,
)

log = logging.getLogger(__name__)

#: Messages read in one run; more wait for the next (a run must not hold a worker for long).
BATCH = 200
#: A calendar reply is a few kilobytes; anything this large is filed unread.
MAX_BYTES = 5 * 1024 * 1024
ANSWERS = {Reply.ACCEPTED, Reply.DECLINED, Reply.TENTATIVE}

PROCESSED, COUNTERED, UNMATCHED = "processed", "counter", "unmatched"


@dataclass
class Filing:
    """Where one message goes, and why."""

    folder: str  # PROCESSED, COUNTERED or UNMATCHED
    reason: str
    changed: bool = False  # an answer that changed the ledger


@dataclass
class ReadReport:
    """What one run did."""

    recorded: int = 0  # answers that changed an invitation's status
    unchanged: int = 0  # answers the ledger already held
    counters: int = 0
    unmatched: int = 0

    def add(self, filing: Filing) -> None:
        if filing.folder == PROCESSED:
            if filing.changed:
                self.recorded += 1
            else:
                self.unchanged += 1
        elif filing.folder == COUNTERED:
            self.counters += 1
        else:
            self.unmatched += 1


def is_configured(config=None) -> bool:
    """Whether a mailbox to read is configured (``IMAP_HOST``)."""
    return bool((config or current_app.config).get("IMAP_HOST"))


def read_replies(limit: int = BATCH) -> ReadReport:
    """One pass over the incoming folder (raises ``MailboxError`` when it cannot be read)."""
    config = current_app.config
    folders = {
        PROCESSED: config["IMAP_PROCESSED_FOLDER"],
        COUNTERED: config["IMAP_COUNTER_FOLDER"],
        UNMATCHED: config["IMAP_UNMATCHED_FOLDER"],
    }
    report = ReadReport()
    with Mailbox(config) as mailbox:
        mailbox.ensure_folders(*folders.values())
        for uid in mailbox.waiting(limit):
            size = mailbox.size(uid)
            if size is None:
                continue  # filed meanwhile by another worker
            if size > MAX_BYTES:
                filing = Filing(UNMATCHED, f"{size} bytes: too large for a calendar reply")
            else:
                raw = mailbox.fetch(uid)
                if raw is None:
                    continue
                filing = file_message(raw)
            mailbox.move(uid, folders[filing.folder])
            report.add(filing)
            log.info(
                "Mailbox message %s filed in %s: %s",
                uid.decode(),
                folders[filing.folder],
                filing.reason,
            )
    return report


def file_message(raw: bytes) -> Filing:
    """Record what ``raw`` answers, if anything, and commit; say where it is to be filed."""
    try:
        message = parse_reply(raw)
    except NotAReply as error:
        return Filing(UNMATCHED, str(error))
    except Exception as error:  # a message no parser expected must not stop the run
        log.warning("Unreadable mailbox message: %r", error)
        return Filing(UNMATCHED, f"unreadable ({type(error).__name__})")
    try:
        filing = _apply(message)
        db.session.commit()
    except Exception:
        db.session.rollback()  # the message stays in the incoming folder for the next run
        raise
    return filing


def _apply(message: ReplyMessage) -> Filing:
    who = f"{message.attendee} on {message.uid}"
    if message.sender != message.attendee:
        return Filing(UNMATCHED, f"sent from {message.sender or 'no address'}, not by {who}")
    record = invitation_of(message.uid, message.attendee)
    if record is None:
        return Filing(UNMATCHED, f"no invitation for {who}")
    if message.method == COUNTER:
        if record.method != InviteMethod.REQUEST:
            return Filing(UNMATCHED, f"{who} proposes another time for a withdrawn invitation")
        return Filing(COUNTERED, f"{who} proposes another time")
    if message.sequence is not None and message.sequence < record.sequence:
        return Filing(
            UNMATCHED,
            f"{who} answers version {message.sequence}; version {record.sequence} was sent since",
        )
    try:
        answer = Reply(message.partstat)
    except ValueError:
        answer = None
    if answer not in ANSWERS:
        return Filing(UNMATCHED, f"{who} answers {message.partstat or 'nothing'}")
    try:
        changed = record_reply(record, answer, ReplyChannel.MAIL)
    except ReplyRefused as error:
        return Filing(UNMATCHED, f"{who}: {error}")
    return Filing(PROCESSED, f"{who} {answer.value}", changed=changed)


def invitation_of(uid: str, address: str) -> InviteRecord | None:
    """The invitation ``uid`` sent to the learner or facilitator whose e-mail is ``address``."""
    address = address.lower()
    learner = select(InviteRecord).join(Learner, InviteRecord.learner_id == Learner.id)
    learner = learner.where(InviteRecord.uid == uid, func.lower(Learner.email) == address)
    facilitator = (
        select(InviteRecord)
        .join(Facilitator, InviteRecord.facilitator_id == Facilitator.id)
        .join(User, Facilitator.user_id == User.id)
        .where(InviteRecord.uid == uid, func.lower(User.email) == address)
    )
    return db.session.scalars(learner).first() or db.session.scalars(facilitator).first()
