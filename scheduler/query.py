"""Numbers, dates and text read from URLs: a value no page can use is "not found" or ignored,
never a crash.

Ids are integer columns (32 bits on PostgreSQL, 64 on SQLite): a larger id in a path made the
database driver raise, a 500. ``IdConverter`` replaces Flask's ``int`` converter app-wide, so
``/sites/99999999999999999999`` is a plain 404 on every route, including routes added later.
Query strings are read with ``int_arg`` and ``date_arg``: a value out of range or badly written
falls back to the page's default, as a missing one does.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, request
from werkzeug.routing import IntegerConverter

#: The largest value of the database's integer columns (PostgreSQL's ``integer``).
LARGEST_ID = 2**31 - 1

#: Searches longer than this are cut: no name, e-mail or id is that long.
SEARCH_MAX_LENGTH = 200


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a whole number from 0 to ``LARGEST_ID`` (else the URL matches no
    route, a 404). ASCII digits only: ``int()`` reads "١٢" but the URL builder never writes it."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, max: int = LARGEST_ID, **kwargs) -> None:  # noqa: A002
        super().__init__(map, *args, max=max, **kwargs)


def init_app(app: Flask) -> None:
    """Install ``IdConverter`` as ``int``; must run before the blueprints add their routes."""
    app.url_map.converters["int"] = IdConverter


def int_arg(name: str, default: int | None = None, *, minimum: int = 0,
            maximum: int = LARGEST_ID) -> int | None:  # fmt: skip
    """The query parameter ``name`` as a whole number from ``minimum`` to ``maximum``; ``default``
    when it is missing, badly written ("1e3", "²") or out of range."""
    return parse_int(request.args.get(name), default, minimum=minimum, maximum=maximum)


def int_args(name: str, *, minimum: int = 0, maximum: int = LARGEST_ID) -> list[int]:
    """Every value of the repeated query parameter ``name`` that is a usable whole number."""
    values = (
        parse_int(v, None, minimum=minimum, maximum=maximum) for v in request.args.getlist(name)
    )
    return [value for value in values if value is not None]


def parse_int(text: str | None, default: int | None = None, *, minimum: int = 0,
              maximum: int = LARGEST_ID) -> int | None:  # fmt: skip
    """``text`` as a whole number from ``minimum`` to ``maximum``, else ``default``."""
    text = (text or "").strip()
    digits = text.removeprefix("-")
    # ASCII digits only, and few enough of them: int() reads "²"-free Unicode digits and
    # refuses more than 4,300 digits with an error of its own.
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return default
    value = int(text)
    return value if minimum <= value <= maximum else default


def date_arg(name: str) -> date | None:
    """The query parameter ``name`` as a date written YYYY-MM-DD, or None."""
    return parse_date(request.args.get(name))


#: Dates pages move from by weeks or months: far enough from the ends of ``date`` that adding
#: or subtracting a year never overflows.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(9000, 12, 31)


def parse_date(text: str | None) -> date | None:
    """``text`` as a date from ``EARLIEST_DATE`` to ``LATEST_DATE``, else None."""
    try:
        value = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return value if EARLIEST_DATE <= value <= LATEST_DATE else None


def search_arg(name: str = "q") -> str:
    """A search text from the query string, stripped and cut to ``SEARCH_MAX_LENGTH``."""
    return (request.args.get(name) or "").strip()[:SEARCH_MAX_LENGTH]
