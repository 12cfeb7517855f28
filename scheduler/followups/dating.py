"""When a follow-up step is due: a day offset after the cohort's last session, on a working day
of the learner, at a fixed local hour, stored as a UTC instant.

The learner's own zone decides the date and the hour, so the same step lands at 10:00 in London
and 10:00 in New York, and 10:00 stays 10:00 local across a clock change.

A sequence attached late (a plan published after its workshop, a learner seated in a past
section) would otherwise be sent all at once: ``catch_up_anchor`` starts it again from now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: Monday to Friday: no better data on learners' working days exists (cohort hours are for
#: workshops, not for reading a lesson).
WORKING_DAYS = frozenset(range(5))
DEFAULT_HOUR = 10
#: A sequence whose first pending step fell due more than this long before it is attached is
#: re-dated (a day: the periodic job being down for a few hours is not "late").
STALE_AFTER = timedelta(days=1)


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while day.weekday() not in WORKING_DAYS:
        day += timedelta(days=1)
    return day


def at_local_hour(day: date, zone: str, hour: int = DEFAULT_HOUR) -> datetime:
    """``hour``:00 local on ``day`` in ``zone``, as a UTC instant."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def step_due(anchor: datetime, day_offset: int, zone: str, hour: int = DEFAULT_HOUR) -> datetime:
    """The instant a step ``day_offset`` days after ``anchor`` (the last session's end) is due
    for a learner in ``zone``: the local date plus the offset, moved to a working day."""
    last_day = anchor.astimezone(ZoneInfo(zone)).date()
    return at_local_hour(next_working_day(last_day + timedelta(days=day_offset)), zone, hour)


def working_day_on_or_after(instant: datetime, zone: str, hour: int = DEFAULT_HOUR) -> datetime:
    """The first working-day ``hour``:00 local at or after ``instant`` (the next day if that
    day's hour has passed)."""
    local = instant.astimezone(ZoneInfo(zone))
    day = local.date() if local.time() <= time(hour) else local.date() + timedelta(days=1)
    return at_local_hour(next_working_day(day), zone, hour)


def is_stale(anchor: datetime, day_offset: int, zone: str, now: datetime) -> bool:
    """Whether the step ``day_offset`` days after ``anchor`` fell due long before ``now``."""
    return step_due(anchor, day_offset, zone) < now - STALE_AFTER


def catch_up_anchor(anchor: datetime, first_offset: int, zone: str, now: datetime) -> datetime:
    """``anchor`` moved later by whole days so that the first pending step (``first_offset``)
    is due on the first working morning at or after ``now``: the pending steps keep their
    order and spacing but start from now instead of all falling due at once."""
    days = (now.astimezone(ZoneInfo(zone)).date() - anchor.astimezone(ZoneInfo(zone)).date()).days
    days = max(0, days - first_offset)
    while step_due(anchor + timedelta(days=days), first_offset, zone) < now:
        days += 1
    return anchor + timedelta(days=days)
