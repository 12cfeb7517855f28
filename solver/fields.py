"""Reading raw JSON values at a JSON path, collecting every error instead of stopping at the first.

``solver.validate`` builds on this: each reader method takes a value and its path, returns the
parsed value, or records ``{"path", "message"}`` and returns ``None``. Coordinators fix a whole
file in one round when they see every error at once, so nothing here raises.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REQUIRED = object()  # marker: the field has no default

# Properties starting with this prefix are extensions that every reader ignores.
EXTENSION_PREFIX = "x-"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(\d{2}):(\d{2})")
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?")


def join(path: str, key: str | int) -> str:
    """The JSON path of ``key`` inside ``path``: ``cohorts[3].deadline``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path and path != "$" else key


def describe(value: Any) -> str:
    """A short description of a JSON value's type, for messages."""
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list) else "an object"
    )


class Reader:
    """Collects the errors found while reading one document."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

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
                self.error(join(path, key), f"unknown property '{key}'{suffix}")
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
        """A non-empty string."""
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"must be a non-empty string, not {describe(value)}")
            return None
        return value

    def flag(self, value: Any, path: str) -> bool | None:
        """A boolean."""
        if not isinstance(value, bool):
            self.error(path, f"must be true or false, not {describe(value)}")
            return None
        return value

    def whole(self, value: Any, path: str, minimum: int = 0, unit: str = "") -> int | None:
        """A whole number at least ``minimum`` (``1.0`` is accepted as 1)."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                path, f"must be a whole number{unit and ' of ' + unit}, not {describe(value)}"
            )
            return None
        if value < minimum:
            self.error(path, f"must be at least {minimum}, not {value}")
            return None
        return value

    def count(self, value: Any, path: str) -> int | None:
        """A whole number, zero or more."""
        return self.whole(value, path, 0)

    def positive(self, value: Any, path: str) -> int | None:
        """A whole number, one or more."""
        return self.whole(value, path, 1)

    def amount(self, value: Any, path: str) -> float | None:
        """A finite number, zero or more (money, in the document's currency)."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.error(path, f"must be a number, not {describe(value)}")
            return None
        if value < 0:
            self.error(path, f"must not be negative, not {value}")
            return None
        return float(value)

    def day(self, value: Any, path: str) -> date | None:
        """A calendar date "2027-01-04"."""
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f"must be a date like 2027-01-04, not {value!r}")
        return None

    def clock(self, value: Any, path: str) -> int | None:
        """A time of day "09:30" as minutes after midnight; "24:00" (1440) ends a day."""
        match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
        if match:
            hours, mins = int(match[1]), int(match[2])
            if mins < 60 and (hours < 24 or (hours == 24 and mins == 0)):
                return hours * 60 + mins
        self.error(path, f"must be a time between 00:00 and 24:00 like 09:30, not {value!r}")
        return None

    def local_datetime(self, value: Any, path: str) -> datetime | None:
        """A local wall-clock time "2027-01-09T09:00" without a UTC offset (naive)."""
        if isinstance(value, str) and _LOCAL.fullmatch(value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f"must be a local date and time like 2027-01-09T09:00, not {value!r}")
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
            f"must be a date and time like 2027-01-05T09:00 or 2027-01-05T09:00+01:00, not {value!r}",
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
        self.error(path, f"unknown time zone {value!r} (use an IANA name like Europe/London)")
        return None
