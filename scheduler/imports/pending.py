"""Uploaded files waiting for the coordinator to confirm their preview.

A good file is kept server-side, in the instance folder, under a random token; the preview
page carries only the token. This beats sending the content back through the browser in a
signed hidden field: a 10 MB file would travel three times, and the page would hold the data.
The token is bound to the coordinator who uploaded the file and expires after a while; the
file is parsed and checked again on confirm, against the database as it is then.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

LIFETIME_SECONDS = 2 * 60 * 60
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class PendingImport:
    """A file uploaded by ``user_id``, waiting for confirmation."""

    token: str
    kind: str
    user_id: int
    filename: str
    text: str


def folder() -> Path:
    """Where pending files live: ``IMPORT_PENDING_FOLDER`` or ``<instance>/pending-imports``."""
    configured = current_app.config.get("IMPORT_PENDING_FOLDER")
    path = Path(configured) if configured else Path(current_app.instance_path) / "pending-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(token: str) -> Path | None:
    # The token names a file: only accept exactly what ``save`` makes, so no path tricks.
    return folder() / f"{token}.json" if TOKEN_PATTERN.fullmatch(token or "") else None


def save(kind: str, user_id: int, filename: str, text: str) -> str:
    """Keep a checked file until it is confirmed; return its token."""
    remove_expired()
    token = secrets.token_urlsafe(32)
    path = _path(token)
    temporary = path.with_suffix(".tmp")
    content = {"kind": kind, "user_id": user_id, "filename": filename, "text": text}
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(content, handle)
    os.replace(temporary, path)  # a reader never sees a half-written file
    return token


def load(token: str, user_id: int) -> PendingImport | None:
    """The pending file of this token if it belongs to ``user_id`` and has not expired."""
    path = _path(token)
    if path is None or not path.exists():
        return None
    if time.time() - path.stat().st_mtime > LIFETIME_SECONDS:
        discard(token)
        return None
    content = json.loads(path.read_text(encoding="utf-8"))
    if content["user_id"] != user_id:
        return None
    return PendingImport(token, content["kind"], user_id, content["filename"], content["text"])


def discard(token: str) -> None:
    """Forget a pending file (after it is saved or cancelled)."""
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def remove_expired() -> None:
    """Delete pending files older than the lifetime, left by previews never confirmed."""
    cutoff = time.time() - LIFETIME_SECONDS
    for path in folder().glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass  # removed by a concurrent request
