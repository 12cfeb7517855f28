"""Local wall-clock times of the demo's people and places, turned into UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_instant(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of ``at`` o'clock on ``day`` in ``timezone`` (DST handled by zoneinfo)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_week(monday: date, timezone: str) -> tuple[datetime, datetime]:
    """A whole local week, Monday 00:00 to the next Monday 00:00, as UTC instants."""
    return local_instant(monday, time(0, 0), timezone), local_instant(
        monday + timedelta(weeks=1), time(0, 0), timezone
    )


def planning_start(today: date) -> date:
    """The Monday on or after ``today``: the demo's deadlines are counted in weeks from it."""
    return today + timedelta(days=(7 - today.weekday()) % 7)
