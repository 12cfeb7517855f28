"""Writes of the login area: accounts, passwords and session invalidation."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import Role, User


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


def create_user(email: str, name: str, role: Role, password: str, timezone: str = "UTC") -> User:
    """Add a user account; the e-mail is unique, case-insensitively."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise AccountError(f"a user with e-mail {email} already exists")
    user = User(email=email, name=name, role=role, timezone=timezone)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember cookie of ``user`` (logout, password change)."""
    user.session_version += 1


def change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    end_all_sessions(user)
