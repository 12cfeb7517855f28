"""Cached parts of pages: built once, served again while the data they show has not changed.

A part is cached under a key that names everything of the request it depends on (the user, the
week shown, the page...), in identities that are never given to anything else (a feed's token
hash, not its row id, which SQLite hands out again after a delete), with the data stamps
(``scheduler.stamps``) of the tables it read when it was built. It is served again only while
every one of those tables still has the same stamp, so a change anyone commits shows at once;
``timeout`` bounds how long a part that depends on the clock ("due", "upcoming") may be served.
A cached part never holds a form: CSRF tokens belong to one browser session.

The store is Flask-Caching: in the process by default, Redis when ``SCHEDULER_REDIS_URL`` is set
(then every app server shares it). What a part looks like also depends on the code and templates
that build it and on the engine (``solver``) that validates and prices what they show, which
no data stamp sees: every key starts with a digest of that code, so a deploy (or
an app server on another version, during a rolling one) never serves another version's parts
from Redis. A store that fails is logged and skipped: the part is built as if it had never been
cached.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache as once
from pathlib import Path
from typing import TypeVar

from flask import Flask
from flask_caching import Cache
from markupsafe import Markup

import solver
from scheduler import stamps

log = logging.getLogger(__name__)

cache = Cache()

T = TypeVar("T")

#: Cached parts kept in one process when there is no Redis (the oldest go first): a part is
#: 10-70 KB (a whole-schedule feed can be 1 MB), so at most some tens of MB per process.
LOCAL_ENTRIES = 500


def init_app(app: Flask) -> None:
    code = code_version(*code_folders(app))
    config = {"CACHE_DEFAULT_TIMEOUT": 300, "CACHE_KEY_PREFIX": f"scheduler:part:{code}:"}
    if app.config.get("REDIS_URL"):
        config |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    else:
        config |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": LOCAL_ENTRIES}
    if not app.config["PAGE_CACHE"]:
        config = {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    cache.init_app(app, config=config)
    stamps.init_app(app)


@once
def code_version(*folders: Path) -> str:
    """A short digest of the Python files and templates under ``folders`` (read once)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".html", ".ics", ".txt") and path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cached_part(key: str, build: Callable[[], str], timeout: int) -> Markup:
    """The HTML ``build()`` returns, from the cache while the tables it read are unchanged."""
    return Markup(_cached(key, build, timeout, fingerprint=None)["html"])


@dataclass(frozen=True)
class Document:
    """A cached document with what HTTP validators need (``ETag``, ``Last-Modified``)."""

    body: str
    etag: str  # changes whenever the key or ``fingerprint(body)`` does
    modified: datetime  # UTC, whole seconds: since when the document has had this etag


def cached_document(
    key: str, build: Callable[[], str], timeout: int, fingerprint: Callable[[str], str]
) -> Document:
    """Like ``cached_part``, for a document served with validators. ``fingerprint(body)`` is
    the part of the body that matters to a client (without, say, a "generated at" line): its
    SHA-256 with the key is the etag, so a rebuild that says the same thing keeps it."""
    entry = _cached(key, build, timeout, fingerprint)
    return Document(entry["html"], entry["etag"], entry["modified"])


def _cached(key: str, build: Callable[[], str], timeout: int, fingerprint) -> dict:
    if stamps.has_unsaved_writes():
        return _entry(key, str(build()), fingerprint, None, {})
    now = stamps.current_stamps()  # before building: a change made meanwhile is seen next time
    entry = _get(key)
    if entry is not None and _unchanged(entry["stamps"], now):
        return entry
    with stamps.reading_tables() as tables:
        html = str(build())
    entry = _entry(key, html, fingerprint, entry, {t: now.get(t) for t in tables})
    _set(key, entry, timeout)
    return entry


def _entry(key: str, html: str, fingerprint, previous: dict | None, read: dict) -> dict:
    entry = {"html": html, "stamps": read}
    if fingerprint is None:
        return entry
    etag = hashlib.sha256(f"{key}\n{fingerprint(html)}".encode()).hexdigest()
    modified = datetime.now(UTC).replace(microsecond=0)
    if previous is not None and previous.get("etag") is not None:
        if previous["etag"] == etag:
            modified = previous["modified"]  # rebuilt, but saying the same thing
        else:
            # HTTP dates have whole seconds: a change within the second of the last one must
            # still move Last-Modified, or If-Modified-Since would answer 304 for it.
            modified = max(modified, previous["modified"] + timedelta(seconds=1))
    return entry | {"etag": etag, "modified": modified}


def forget(key: str) -> None:
    """Drop the part cached under ``key`` (in this process's store, or Redis)."""
    try:
        cache.delete(key)
    except Exception:
        log.warning("page cache unavailable (delete)", exc_info=True)


def cached_by_content(content: tuple, build: Callable[[], str], timeout: int = 3600) -> Markup:
    """The HTML ``build()`` returns for ``content``: everything the part shows follows from
    ``content`` (whose ``repr`` is stable: strings, numbers, dates, frozen dataclasses), so no
    data stamp is needed; the key is its SHA-256."""
    key = "content:" + hashlib.sha256(repr(content).encode()).hexdigest()
    html = _get(key)
    if html is None:
        html = str(build())
        _set(key, html, timeout)
    return Markup(html)


def cached_value(content: tuple, build: Callable[[], T], timeout: int = 3600) -> T:
    """The value ``build()`` returns for ``content``, built once while it is kept: like
    ``cached_by_content`` for any value the store can pickle (a parsed document, figures).

    Everything the value depends on must be in ``content`` (``digest`` of the documents it is
    computed from; the key prefix already covers the app's and the engine's code), never a row id: no
    data stamp is checked. A value read from the store is unpickled afresh, so the caller may
    change it; a ``build()`` that returns None is built again every time."""
    key = "value:" + hashlib.sha256(repr(content).encode()).hexdigest()
    value = _get(key)
    if value is None:
        value = build()
        _set(key, value, timeout)
    return value


def digest(text: str) -> str:
    """The SHA-256 of a stored document's text: its identity in a cache key."""
    return hashlib.sha256(text.encode()).hexdigest()


def code_folders(app: Flask) -> tuple[Path, ...]:
    """The code a cached part depends on: the app, its templates, and the engine (``solver``),
    which validates and prices what pages show."""
    return (
        Path(app.root_path),
        Path(app.root_path, app.template_folder or ""),
        Path(solver.__file__).parent,
    )


def _unchanged(remembered: dict[str, int | None], now: dict[str, int]) -> bool:
    return all(now.get(table) == token for table, token in remembered.items())


def _get(key: str):
    try:
        return cache.get(key)
    except Exception:  # the cache is an optimisation: a broken one must not break pages
        log.warning("page cache unavailable (get)", exc_info=True)
        return None


def _set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        log.warning("page cache unavailable (set)", exc_info=True)
