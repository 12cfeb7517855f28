"""Data stamps: a token per table, replaced by every transaction that writes to the table."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import db


class DataStamp(db.Model):
    """The last change of one table, as a random token (not a counter: a database restored from
    a backup must not bring back a token that a cached page still remembers).

    Written by ``scheduler.stamps`` in the same transaction as the change itself, so a reader
    never sees new data with an old token. A table that was never written has no row.
    """

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)
