"""Comparing rendered pages."""

from __future__ import annotations

import re

# Flask-WTF signs a CSRF token with the current second, so the same page rendered twice differs
# in its tokens whenever a second boundary falls between the two renders.
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*?value=")[^"]*(")')


def without_csrf_tokens(page: str | bytes) -> str:
    """``page`` with every CSRF token's value blanked, for comparing two renders of it."""
    text = page.decode() if isinstance(page, bytes) else page
    return CSRF_VALUE.sub(r"\1\2", text)
