"""Reading raw JSON values at a JSON path, collecting every error instead of stopping at the first.

``solver.validate`` builds on this: each reader method takes a value and its path, returns the
parsed value, or records ``{"path", "message"}`` and returns ``None``. Coordinators fix a whole
file in one round when they see every error at once, so nothing here raises.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solver.limits import CENT_DECIMALS, MAX_AMOUNT, MAX_COUNT, MAX_TEXT

REQUIRED = object()  # marker: the field has no default

# Properties starting with this prefix are extensions that every reader ignores.
EXTENSION_PREFIX = "x-"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(\d{2}):(\d{2})")
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?")
# Longest text of a value or property name quoted in a message: a hostile document must not turn
# one error line into megabytes.
SHOWN_CHARS = 40


def join(path: str, key: str | int) -> str:
    """The JSON path of ``key`` inside ``path``: ``cohorts[3].deadline``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    key = key_text(key)
    return f"{path}.{key}" if path and path != "$" else key


def key_text(key: str) -> str:
    """A property name as a path shows it: as written, unless it is long or holds control
    characters (then quoted, escaped and cut), so that every error stays one short line."""
    if len(key) <= SHOWN_CHARS and key.isprintable():
        return key
    cut = key[:SHOWN_CHARS]
    return json.dumps(cut) + ("…" if cut != key else "")


def shown(value: Any) -> str:
    """A value as a message quotes it: ``repr``, cut to a few dozen characters; large numbers in
    exponent form."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        value = float(value) if abs(value) < 10**300 else (math.inf if value > 0 else -math.inf)
    if isinstance(value, float) and math.isfinite(value) and abs(value) >= 1e15:
        return f"{value:.3g}"
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def describe(value: Any) -> str:
    """A short description of a JSON value's type, for messages."""
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list) else "an object"
    )


def is_text(value: Any) -> bool:
    """Whether ``Reader.text`` accepts ``value`` without an error."""
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_TEXT


class Reader:
    """Collects the errors found while reading one document."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []
        # Values read without an error, kept for this document only: thousands of cohorts repeat
        # the same hours, zones, dates and amounts (see ``validate_common.remembered``). A key
        # holds the whole value read (and its type), never an object's identity.
        self.memo: dict[Any, Any] = {}

    def error(self, path: str, message: str) -> None:
        """Record one error at a JSON path."""
        self.errors.append({"path": path, "message": message})

    # --- containers -------------------------------------------------------------------------

    def obj(self, value: Any, path: str, known: Iterable[str]) -> dict[str, Any] | None:
        """An object whose properties must all be ``known`` (or extensions starting with "x-")."""
        if not isinstance(value, dict):
            self.error(path, f"must be an object, not {describe(value)}")
            return None
        known = tuple(known)
        for key in value:
            if key not in known and not str(key).startswith(EXTENSION_PREFIX):
                hint = difflib.get_close_matches(key, known, n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.error(join(path, key), f"unknown property '{key_text(key)}'{suffix}")
        return value

    def items(self, value: Any, path: str) -> list[Any] | None:
        """A JSON list."""
        if not isinstance(value, list):
            self.error(path, f"must be a list, not {describe(value)}")
            return None
        return value

    def field(
        self,
        mapping: dict[str, Any],
        key: str,
        path: str,
        read: Callable[[Any, str], Any],
        default: Any = REQUIRED,
    ) -> Any:
        """Read ``mapping[key]`` with ``read``; a missing or null value takes ``default``."""
        value = mapping.get(key)
        if value is None:
            if default is REQUIRED:
                self.error(join(path, key), f"{key} is required")
            return None if default is REQUIRED else default
        return read(value, join(path, key))

    def list_of(self, read: Callable[[Any, str], Any]) -> Callable[[Any, str], list[Any] | None]:
        """A reader for a list whose every element is read with ``read``."""

        def read_list(value: Any, path: str) -> list[Any] | None:
            items = self.items(value, path)
            if items is None:
                return None
            parsed = [read(item, join(path, k)) for k, item in enumerate(items)]
            return None if any(p is None for p in parsed) else parsed

        return read_list

    # --- scalars ----------------------------------------------------------------------------

    def text(self, value: Any, path: str) -> str | None:
        """A non-empty string of at most ``MAX_TEXT`` characters (ids, names, sites, tags)."""
        if is_text(value):
            return value
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"must be a non-empty string, not {describe(value)}")
        else:
            self.error(path, f"must be at most {MAX_TEXT:,} characters, not {len(value):,}")
        return None

    def flag(self, value: Any, path: str) -> bool | None:
        """A boolean."""
        if not isinstance(value, bool):
            self.error(path, f"must be true or false, not {describe(value)}")
            return None
        return value

    def whole(
        self, value: Any, path: str, minimum: int = 0, unit: str = "", maximum: int = MAX_COUNT
    ) -> int | None:
        """A whole number from ``minimum`` to ``maximum`` (``1.0`` is accepted as 1)."""
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, float) and not math.isfinite(value):
            what = "NaN" if math.isnan(value) else "a number that large"
            self.error(path, f"must be a whole number from {minimum} to {maximum:,}, not {what}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                path, f"must be a whole number{unit and ' of ' + unit}, not {describe(value)}"
            )
            return None
        if value < minimum:
            self.error(path, f"must be at least {minimum}, not {shown(value)}")
            return None
        if value > maximum:
            self.error(path, f"must be at most {maximum:,}, not {shown(value)}")
            return None
        return value

    def count(self, value: Any, path: str, maximum: int = MAX_COUNT) -> int | None:
        """A whole number, zero or more."""
        return self.whole(value, path, 0, maximum=maximum)

    def positive(self, value: Any, path: str, maximum: int = MAX_COUNT) -> int | None:
        """A whole number, one or more."""
        return self.whole(value, path, 1, maximum=maximum)

    def amount(self, value: Any, path: str) -> float | None:
        """Money in the document's currency: a number from 0 to ``MAX_AMOUNT`` in whole cents.

        More decimals are refused rather than rounded: each cost item would round them its own
        way, and a coordinator who typed 12.345 should decide what they meant."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"must be a number, not {describe(value)}")
            return None
        # An int is always finite (and too large for ``isfinite`` past 10**308).
        if isinstance(value, float) and not math.isfinite(value):
            self.error(path, f"must be a finite number, not {value}")
            return None
        if value < 0:
            self.error(path, f"must not be negative, not {shown(value)}")
            return None
        if value > MAX_AMOUNT:
            self.error(path, f"must be at most {MAX_AMOUNT:,}, not {shown(value)}")
            return None
        if Decimal(repr(value)).as_tuple().exponent < -CENT_DECIMALS:
            self.error(path, f"must be in whole cents (at most two decimals), not {shown(value)}")
            return None
        return float(value)

    def day(self, value: Any, path: str) -> date | None:
        """A calendar date "2027-01-04"."""
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f"must be a date like 2027-01-04, not {shown(value)}")
        return None

    def clock(self, value: Any, path: str) -> int | None:
        """A time of day "09:30" as minutes after midnight; "24:00" (1440) ends a day."""
        match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
        if match:
            hours, mins = int(match[1]), int(match[2])
            if mins < 60 and (hours < 24 or (hours == 24 and mins == 0)):
                return hours * 60 + mins
        self.error(path, f"must be a time between 00:00 and 24:00 like 09:30, not {shown(value)}")
        return None

    def local_datetime(self, value: Any, path: str) -> datetime | None:
        """A local wall-clock time "2027-01-09T09:00" without a UTC offset (naive)."""
        if isinstance(value, str) and _LOCAL.fullmatch(value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f"must be a local date and time like 2027-01-09T09:00, not {shown(value)}")
        return None

    def instant(self, value: Any, path: str, tz: str | None) -> datetime | None:
        """A date and time, local to ``tz`` when it has no offset; returned timezone-aware."""
        if isinstance(value, str) and _INSTANT.fullmatch(value):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                # Without a valid zone the time zone's own error already explains the problem.
                return parsed.replace(tzinfo=ZoneInfo(tz)) if tz else None
            if parsed is not None and parsed.tzinfo is not None:
                return parsed
        self.error(
            path,
            f"must be a date and time like 2027-01-05T09:00 or 2027-01-05T09:00+01:00, "
            f"not {shown(value)}",
        )
        return None

    def timezone(self, value: Any, path: str) -> str | None:
        """An IANA time zone name known to ``zoneinfo``."""
        if isinstance(value, str) and value:
            try:
                ZoneInfo(value)
                return value
            except (ZoneInfoNotFoundError, ValueError, OSError):
                pass
        self.error(path, f"unknown time zone {shown(value)} (use an IANA name like Europe/London)")
        return None
