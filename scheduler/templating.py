"""Template helpers: instants shown in the reader's time zone, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_login import current_user

from scheduler.forms.timezones import timezone_options
from scheduler.sorting import naturally

DEFAULT_ZONE = "UTC"


def reader_zone() -> str:
    """The signed-in user's zone (their profile), else UTC."""
    zone = getattr(current_user, "timezone", None) if current_user else None
    return zone or DEFAULT_ZONE


def localtime(
    instant: datetime | None, zone: str | None = None, fmt: str = "%a %d %b %Y %H:%M"
) -> str:
    """``instant`` (UTC, aware) in ``zone`` (default: the reader's) with the zone's abbreviation,
    e.g. "Mon 29 Mar 2027 09:00 BST": the abbreviation shows which side of a DST change it is."""
    if instant is None:
        return ""
    local = instant.astimezone(ZoneInfo(zone or reader_zone()))
    return f"{local.strftime(fmt)} {local.tzname()}"


def has_endpoint(endpoint: str) -> bool:
    """Whether a page exists, so templates link only to areas that are installed."""
    return endpoint in current_app.view_functions


def natural_sort(items, attribute: str | None = None) -> list:
    """``items`` in natural order (S2 before S10) of ``attribute`` (dotted, like Jinja's own
    ``sort``), or of the items themselves: the template side of ``scheduler.sorting``."""

    def text(item) -> str:
        for name in (attribute or "").split(".") if attribute else ():
            item = getattr(item, name)
        return str(item)

    return naturally(items, key=text)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["natural_sort"] = natural_sort
    app.jinja_env.globals["has_endpoint"] = has_endpoint
    app.jinja_env.globals["timezone_options"] = timezone_options
