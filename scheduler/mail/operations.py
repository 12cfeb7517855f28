"""The outbox's writes: queue a message (inside the caller's transaction), and deliver it.

Delivery is at-least-once by construction and once in practice: a worker first *claims* a row
with a conditional UPDATE (a lease in ``claimed_until``, from the time of that claim) and commits,
and renews the lease just before sending, so two workers never send the same row; it marks the row sent in the transaction right after the SMTP server accepted it.
Only a crash between the server's "250 OK" and that commit can send a message twice (after the
lease runs out); the Message-ID is the same both times, so clients show it once.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: How long a claim holds: after it, a row whose worker died is taken by another one.
CLAIM_LEASE = timedelta(minutes=10)
#: Retry delays: 1 minute, doubling on each failure, at most 6 hours.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
#: The values of ``SMTP_SECURITY``; anything else is refused rather than sent in clear text.
SECURITY_MODES = ("starttls", "ssl", "none")


def queue_message(message: Message) -> OutboxMessage:
    """Add ``message`` to the outbox in the current transaction (the caller commits)."""
    row = OutboxMessage(
        message_id=message["Message-ID"].strip(),
        recipient=message["To"],
        subject=str(make_header(decode_header(message["Subject"]))),  # as the reader sees it
        content=message.as_string(),
        status=OutboxStatus.PENDING,
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    return row


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 minutes is far past the cap already
    return min(FIRST_RETRY * 2**doublings, LONGEST_RETRY)


@dataclass
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0  # tries that failed (the message stays queued unless it gave up)


def send_pending_mail(
    app_or_session: Flask | Session | None = None,
    *,
    now: datetime | None = None,
    clock: Callable[[], datetime] | None = None,
    limit: int = 100,
) -> SendReport:
    """Send the outbox messages that are due; the time is read from ``clock`` (default: the
    current time) at each claim, or is ``now`` throughout when given (tests).

    Called by the periodic job with the app (a fresh app context and database session), or
    with a session inside an app context. Without ``SMTP_HOST`` the messages are written as
    ``.eml`` files under ``OUTBOX_PATH`` instead.
    """
    if clock is None:
        clock = utcnow if now is None else (lambda: now)
    if isinstance(app_or_session, Flask):
        with app_or_session.app_context():
            return _send_due(db.session, clock, limit)
    return _send_due(app_or_session or db.session, clock, limit)


def _send_due(session: Session, clock: Callable[[], datetime], limit: int) -> SendReport:
    config = current_app.config
    worker = uuid.uuid4().hex
    due = session.scalars(
        select(OutboxMessage.id)
        .where(*_claimable(clock()))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    session.commit()
    report = SendReport()
    transport = SmtpTransport(config) if config.get("SMTP_HOST") else FileTransport(config)
    try:
        for message_id in due:
            # The time of each claim, not of the run's start: a run longer than the lease would
            # otherwise write leases already over, and another worker would send the row again.
            if not _claim(session, message_id, worker, clock()):
                continue  # another worker took it
            try:
                transport.open()
                # Opening a connection can take a while: send only under a lease still held.
                message = _renew(session, message_id, worker, clock())
                if message is None:
                    continue
                transport.send(message)
            except Exception as error:  # noqa: BLE001 - any failure means "try again later"
                transport.reset()
                max_attempts = config.get("MAIL_MAX_ATTEMPTS", 20)
                _record_failure(session, message_id, error, clock(), max_attempts)
                report.failed += 1
                continue
            _mark_sent(session, message_id, clock())
            report.sent += 1
    finally:
        transport.close()
    return report


def _claimable(now: datetime) -> tuple:
    return (
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def _claim(session: Session, message_id: int, worker: str, now: datetime) -> bool:
    """Take the row for this worker; false when another worker has it (or it is no longer due)."""
    return _lease(session, message_id, now, _claimable(now), worker)


@dataclass(frozen=True)
class Outgoing:
    """What a transport sends: read, and its transaction ended, before talking to the server
    (on SQLite an open transaction would hold the write lock for the whole send)."""

    id: int
    recipient: str
    content: str


def _renew(session: Session, message_id: int, worker: str, now: datetime) -> Outgoing | None:
    """Extend this worker's lease on the row and read it; None when the lease ran out (another
    worker may have the row now) or the row is no longer pending."""
    held = (
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.claimed_by == worker,
        OutboxMessage.claimed_until >= now,
    )
    if not _lease(session, message_id, now, held, worker):
        return None
    row = session.execute(
        select(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.content).where(
            OutboxMessage.id == message_id
        )
    ).one()
    session.commit()
    return Outgoing(*row)


def _mark_sent(session: Session, message_id: int, now: datetime) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            attempts=OutboxMessage.attempts + 1,
            claimed_by=None,
            claimed_until=None,
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _lease(session: Session, message_id: int, now: datetime, conditions, worker: str) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, *conditions)
        .values(claimed_by=worker, claimed_until=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def _record_failure(
    session: Session, message_id: int, error: Exception, now: datetime, max_attempts: int
) -> None:
    session.rollback()  # whatever the failed send left half-done in this transaction
    row = session.get(OutboxMessage, message_id)
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    row.next_attempt_at = now + retry_delay(row.attempts)
    row.claimed_by = row.claimed_until = None
    if row.attempts >= max_attempts:
        row.status = OutboxStatus.FAILED
    session.commit()
    log.warning("Mail %s to %s failed (attempt %d): %s", row.id, row.recipient, row.attempts, error)


class SmtpTransport:
    """One SMTP connection for a run, opened at the first message, reopened after an error."""

    def __init__(self, config) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect, unless connected already."""
        if self.connection is None:
            self.connection = self._connect()

    def send(self, row: Outgoing) -> None:
        self.open()
        self.connection.sendmail(self.config["MAIL_FROM"], [row.recipient], row.content)

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        security = (config.get("SMTP_SECURITY") or "starttls").lower()
        host, port = config["SMTP_HOST"], int(config.get("SMTP_PORT") or 587)
        timeout = config.get("SMTP_TIMEOUT", 30)
        if security not in SECURITY_MODES:  # a typo must not mean clear text
            raise ValueError(
                f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}"
            )
        # A private CA (an internal relay's certificate) replaces the system's trusted CAs;
        # certificates and host names are verified either way.
        context = ssl.create_default_context(cafile=config.get("SMTP_CAFILE") or None)
        if security == "ssl":
            connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if security == "starttls":
                connection.starttls(context=context)
            if config.get("SMTP_USERNAME"):
                connection.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        except BaseException:
            connection.close()  # a refused STARTTLS or login: hang up now, not at garbage collection
            raise
        return connection

    def reset(self) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


class FileTransport:
    """Writes each message to ``OUTBOX_PATH/<id>.eml``: the offline default, no server needed."""

    def __init__(self, config) -> None:
        self.folder = Path(config["OUTBOX_PATH"])

    def send(self, row: Outgoing) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{row.id:08d}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(row.content.encode("ascii", errors="replace"))
        os.replace(partial, target)  # a reader never sees half a message

    def open(self) -> None:
        pass

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass
