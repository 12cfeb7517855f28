"""The learning-record outbox: xAPI statements waiting to be sent to the company's LRS.

Like the mail outbox, a statement is written in the transaction that records the event (a
publish, attendance, a completed follow-up step), so an event and its statement commit or roll
back together, and a worker delivers it later with retry and back-off. Each statement has a
stable id derived from the event, so writing or sending it twice never makes a second record.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.database import UTCDateTime, enum_type, utcnow
from scheduler.extensions import db


class StatementStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first try or its next retry
    SENT = "sent"
    FAILED = "failed"  # the LRS refused it, or it gave up after XAPI_MAX_ATTEMPTS


class LearningRecord(db.Model):
    """One xAPI statement (JSON) for the LRS."""

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)  # a UUID
    event: Mapped[str] = mapped_column(String(40))  # "registered", "attended", ... (for people)
    learner_email: Mapped[str] = mapped_column(String(254))
    statement: Mapped[str] = mapped_column(Text)  # the JSON sent
    status: Mapped[StatementStatus] = mapped_column(
        enum_type(StatementStatus), default=StatementStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


__all__ = ["LearningRecord", "StatementStatus"]
