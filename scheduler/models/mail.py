"""The outbox: every e-mail the app sends is first a row here, written in the transaction that
decided to send it, then delivered by a background job (docs/calendar.md).

A sender claims a row (``claimed_until``, a lease) before talking to the SMTP server, so two
workers never send the same message; it marks the row sent right after the server accepted it.
A failure leaves the row pending with a later ``next_attempt_at`` (exponential backoff).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.database import UTCDateTime, enum_type, utcnow
from scheduler.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first try or its next retry
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; kept for the coordinator to see


class OutboxMessage(db.Model):
    """One e-mail, fully composed (RFC 5322 text), waiting to be sent or kept as sent."""

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)  # the Message-ID header
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(400))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus), default=OutboxStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


__all__ = ["OutboxMessage", "OutboxStatus"]
