"""Reads of the login area."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import User


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def safe_next_url(target: str | None) -> str | None:
    """``target`` if it is a local path (no scheme, no host), else None: no open redirects."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
