"""Password reset by e-mail: a single-use link that expires.

The link carries a random token; only its SHA-256 is stored, so a copy of the database gives no
working link. Asking for a reset does the same work whether or not the address has an account:
the request records the ask and queues a background job, and answers alike; the job looks the
account up and mails the link, so neither the answer nor its timing tells who has an account.

Asking is limited, with counts in the database so that every app server and worker sees them:
at most ``PASSWORD_RESET_ACCOUNT_LIMIT`` links are mailed to one account, and at most
``PASSWORD_RESET_ADDRESS_LIMIT`` requests from one client address are answered, within
``PASSWORD_RESET_LIMIT_MINUTES``. Past a limit the answer is the same; only no mail goes out.

Using the link sets the new password, marks every open link of the account used, clears its
failed sign-ins and bumps ``session_version``, which signs out every other session.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, func, select, update

from scheduler.auth import throttle
from scheduler.auth.operations import change_password
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message
from scheduler.models import PasswordResetRequest, PasswordResetToken, User
from scheduler.tokens import hash_token, new_token

log = logging.getLogger(__name__)

#: The background job that answers a recorded request (scheduler/auth/tasks.py).
SEND_LINK_TASK = "auth.send_reset_link"


def _limit_window() -> timedelta:
    return timedelta(minutes=current_app.config["PASSWORD_RESET_LIMIT_MINUTES"])


def record_request(email: str, ip_address: str) -> int:
    """Record that ``ip_address`` asked for a reset link for ``email`` and return the record's id
    for the job (the caller commits). The same writes whatever the address."""
    asked = PasswordResetRequest(email=email.strip().lower()[:254], ip_address=ip_address[:64])
    db.session.add(asked)
    # Keep the table small: rows older than the window no longer count for anything.
    db.session.execute(
        delete(PasswordResetRequest).where(PasswordResetRequest.at < utcnow() - 2 * _limit_window())
    )
    db.session.flush()
    return asked.id


def answer_request(request_id: int, site_root: str) -> bool:
    """Mail a reset link for the recorded request through the outbox, unless the address has
    no enabled account or a limit is reached (the caller commits); whether a link was queued.

    ``site_root`` is the address the request came to (``request.url_root``), for the link.
    """
    asked = db.session.get(PasswordResetRequest, request_id)
    if asked is None or _address_over_limit(asked):
        return False
    # Locked so that two workers answering requests for one account count each other's links.
    user = db.session.scalar(
        select(User).where(func.lower(User.email) == asked.email).with_for_update()
    )
    if user is None or not user.is_enabled or _account_over_limit(user, asked):
        return False
    _queue_link(user, site_root)
    return True


def _address_over_limit(asked: PasswordResetRequest) -> bool:
    earlier = db.session.scalar(
        select(func.count(PasswordResetRequest.id)).where(
            PasswordResetRequest.ip_address == asked.ip_address,
            PasswordResetRequest.at > asked.at - _limit_window(),
            PasswordResetRequest.id <= asked.id,
        )
    )
    if earlier > current_app.config["PASSWORD_RESET_ADDRESS_LIMIT"]:
        log.warning(
            "password reset requests from %s over the limit: not answered", asked.ip_address
        )
        return True
    return False


def _account_over_limit(user: User, asked: PasswordResetRequest) -> bool:
    mailed = db.session.scalar(
        select(func.count(PasswordResetToken.id)).where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.created_at > asked.at - _limit_window(),
        )
    )
    if mailed >= current_app.config["PASSWORD_RESET_ACCOUNT_LIMIT"]:
        log.warning("password reset links for user %s over the limit: not mailed", user.id)
        return True
    return False


def _queue_link(user: User, site_root: str) -> None:
    token = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=hash_token(token),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    link = _reset_link(site_root, token)
    text = (
        f"Hello {user.name},\n\n"
        "Someone (hopefully you) asked to reset your password for the cohort scheduler.\n"
        f"Open this link within {hours} hour{'s' if hours != 1 else ''} to choose a new one:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password "
        "stays as it is.\n"
    )
    queue_message(compose(user.email, "Reset your password", text))


def _reset_link(site_root: str, token: str) -> str:
    """The absolute address of the reset page of ``token`` on the site at ``site_root`` (a job
    runs outside any request, so ``url_for`` has no host to go by)."""
    root = urlsplit(site_root)
    urls = current_app.url_map.bind(
        root.netloc, script_name=root.path or "/", url_scheme=root.scheme
    )
    return urls.build("auth.reset_password", {"token": token}, force_external=True)


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
