"""Reads of the login area."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

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
