"""Column mappings: how an HR system's export maps onto one of our import formats.

A coordinator maps a Workday or BambooHR report's columns to ours once; the mapping is kept per
import kind and per *layout* (the file's header row), so the next export of the same report is
imported without asking again, and a different report of the same kind gets its own mapping.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.database import UTCDateTime, utcnow
from scheduler.extensions import db


class ImportMapping(db.Model):
    """One saved column mapping for an import kind and a header layout."""

    __table_args__ = (UniqueConstraint("kind", "layout"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "learners", "cohorts", "facilitators"
    # Hex SHA-256 of the normalised header row: the layout's identity, whatever its length.
    layout: Mapped[str] = mapped_column(String(64))
    header: Mapped[str] = mapped_column(Text)  # JSON list of the file's column names, as read
    columns: Mapped[str] = mapped_column(Text)  # JSON {our column: [their columns, ...]}
    date_format: Mapped[str] = mapped_column(String(20), default="iso")
    name_order: Mapped[str] = mapped_column(String(20), default="as_written")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


__all__ = ["ImportMapping"]
