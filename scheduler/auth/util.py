"""Reads of the login area."""

from __future__ import annotations

import re
import secrets
from functools import cache
from urllib.parse import urlsplit

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from scheduler.extensions import db
from scheduler.models import User

# What a browser's URL parser (WHATWG) drops before reading a Location: C0 controls and spaces
# at either end, and tabs and newlines anywhere. "/\t/evil.example" passes a naive check and
# then means "//evil.example" to the browser.
_ENDS = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def password_matches(user: User | None, password: str) -> bool:
    """Whether ``user`` may sign in with ``password``.

    Exactly one hash check either way: an unknown or disabled account is checked against a
    throwaway hash of the same algorithm and cost, so the answer takes as long as for a real
    account and its timing does not tell which e-mail addresses have one.
    """
    if user is None or not user.is_enabled:
        check_password_hash(_throwaway_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


@cache
def _throwaway_hash() -> str:
    """A hash made like ``User.set_password`` makes them, of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(32))


def safe_next_url(target: str | None) -> str | None:
    """``target`` as a path on this site, or None when a browser could read it as another
    site (no open redirects).

    The check runs on the value the browser will see: stripped the way its URL parser strips
    it, with ``\\`` read as ``/`` as it is for http(s) URLs. What is returned is that normalised
    value, so the check and the redirect agree.
    """
    if not target:
        return None
    path = _TAB_OR_NEWLINE.sub("", target.strip(_ENDS)).replace("\\", "/")
    if not path.startswith("/") or path.startswith("//") or _CONTROL.search(path):
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return None
    return path
