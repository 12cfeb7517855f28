"""Password reset by e-mail: a single-use link that expires.

The link carries a random token; only its SHA-256 is stored, so a copy of the database gives no
working link. Asking for a reset answers the same way whether or not the address has an account.
Using the link sets the new password, marks every open link of the account used, clears its
failed sign-ins and bumps ``session_version``, which signs out every other session.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select, update

from scheduler.auth import throttle
from scheduler.auth.operations import change_password
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message
from scheduler.models import PasswordResetToken, User
from scheduler.tokens import hash_token, new_token


def request_reset(user: User | None) -> None:
    """Mail ``user`` a reset link through the outbox (the caller commits); nothing for None."""
    if user is None or not user.is_enabled:
        return
    token = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=hash_token(token),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    link = url_for("auth.reset_password", token=token, _external=True)
    text = (
        f"Hello {user.name},\n\n"
        "Someone (hopefully you) asked to reset your password for the cohort scheduler.\n"
        f"Open this link within {hours} hour{'s' if hours != 1 else ''} to choose a new one:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password "
        "stays as it is.\n"
    )
    queue_message(compose(user.email, "Reset your password", text))


def valid_token(token: str) -> PasswordResetToken | None:
    """The unused, unexpired reset token ``token``, or None."""
    found = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    )
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        return None
    if not found.user.is_enabled:
        return None
    return found


def reset_password(token: str, new_password: str) -> User | None:
    """Set the password of ``token``'s account and use up its links (the caller commits);
    None when the token is unknown, used or expired."""
    # Claim the token with a conditional UPDATE: of two submits of one link, only one matches.
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == hash_token(token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > utcnow(),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    found = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    )
    user = found.user
    if not user.is_enabled:
        return None
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    change_password(user, new_password)  # bumps session_version: other sessions end
    throttle.clear_failures(user.email)
    return user
