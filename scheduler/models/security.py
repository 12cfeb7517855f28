"""Security records: failed sign-ins (for lockout), password reset requests and tokens, and the
audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, utcnow
from scheduler.extensions import db
from scheduler.models.accounts import User


class LoginFailure(db.Model):
    """One failed sign-in: counted per account and per address to lock out password guessing.

    Rows live in the database, not in a process, so every app server sees the same count.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # The e-mail as typed, lower-cased; it need not belong to an account.
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip_address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PasswordResetRequest(db.Model):
    """One "forgot your password" request, counted per client address to limit them.

    Recorded for every request, whether or not the e-mail has an account, so that asking does
    the same work either way; a background job then decides whether to mail a link.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # The e-mail as typed, lower-cased; it need not belong to an account.
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PasswordResetToken(db.Model):
    """A password reset link sent by e-mail: only the token's SHA-256 is stored; single use."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AuditEntry(db.Model):
    """Who changed a schedule, when, and what: one row per publish, move, pin, lock or release,
    written in the transaction of the change itself."""

    __table_args__ = (Index("ix_audit_entry_period_at", "period_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The name at the time, so the log still reads right after an account is renamed or deleted.
    user_name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(20))  # publish, move, pin, lock, unpin, unlock
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("planning_period.id", ondelete="SET NULL")
    )
    period_name: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship()
