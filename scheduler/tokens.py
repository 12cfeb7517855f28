"""Secret links: feed URLs, follow-up step links and password-reset links.

Each is 256 random bits given to its owner once; the database keeps only its SHA-256, which
needs no salt for a random value of that size, so a copy of the database opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A fresh 256-bit token, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token: hex SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
