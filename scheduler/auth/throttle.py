"""Login throttling: lock an account after repeated wrong passwords, and slow down an address
that tries many accounts.

Failures are rows in the database (``LoginFailure``), so every app server counts the same ones.
An account with ``ACCOUNT_LIMIT`` failures within ``WINDOW`` is locked until ``WINDOW`` after
its latest failure, even for the right password; an address with ``ADDRESS_LIMIT`` failures in
``WINDOW`` (guessing across many accounts) is refused the same way. A successful sign-in clears
the account's failures. Limits are settings: ``LOGIN_ACCOUNT_LIMIT``, ``LOGIN_ADDRESS_LIMIT``,
``LOGIN_LOCKOUT_MINUTES``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import LoginFailure


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def refusal(email: str, ip_address: str, now: datetime | None = None) -> str | None:
    """Why a sign-in from ``ip_address`` as ``email`` is refused before its password is checked,
    or None when it may go ahead."""
    now = now or utcnow()
    since = now - _window()
    email = email.strip().lower()
    count, latest = db.session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
            LoginFailure.email == email, LoginFailure.at > since
        )
    ).one()
    if count >= current_app.config["LOGIN_ACCOUNT_LIMIT"]:
        return (
            "Too many wrong passwords for this account: it is locked for "
            f"{_minutes_left(latest, now)}. Try again later, or reset your password."
        )
    count, latest = db.session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
            LoginFailure.ip_address == ip_address, LoginFailure.at > since
        )
    ).one()
    if count >= current_app.config["LOGIN_ADDRESS_LIMIT"]:
        return (
            "Too many failed sign-ins from your network address: try again in "
            f"{_minutes_left(latest, now)}."
        )
    return None


def _minutes_left(latest: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((latest + _window() - now).total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def record_failure(email: str, ip_address: str) -> None:
    """Count one failed sign-in (the caller commits)."""
    db.session.add(LoginFailure(email=email.strip().lower()[:254], ip_address=ip_address[:64]))
    # Keep the table small: rows older than the window no longer count for anything.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 2 * _window()))


def clear_failures(email: str) -> None:
    """Forget the account's failures after a successful sign-in or a password reset."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email.strip().lower()))
