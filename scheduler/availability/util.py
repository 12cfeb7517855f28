"""Reads of the availability area: an owner's rules, and what they add up to over the next weeks.

Weekly ranges are local wall-clock times; one-off windows are UTC instants. The preview lays
the weekly pattern out on each local date with ``zoneinfo`` (so 09:00 stays 09:00 local on both
sides of a DST change), converts everything to UTC instants, does the interval arithmetic there,
and cuts the result back into local dates for display. The rules mirror the solver's
(``solver.localtime.bookable_windows``): weekly plus extra windows plus "if need be" windows, minus
blocked periods; an owner with neither a weekly pattern nor extra windows is available at any time;
time inside an "if need be" window counts as "if need be" even where the weekly pattern covers it,
because that is what the solver charges for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import AvailabilityKind, AvailabilityRule, Facilitator, Room
from solver.localtime import merge, subtract  # the same interval arithmetic as the checker

PREVIEW_DAYS = 28
MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Span = tuple[datetime, datetime]  # [start, end) between two aware UTC instants


@dataclass(frozen=True)
class WeeklyRange:
    """A recurring local range on one weekday (0 = Monday), in minutes after midnight (1440 = 24:00)."""

    weekday: int
    start: int
    end: int

    @property
    def label(self) -> str:
        return f"{minutes_label(self.start)}-{minutes_label(self.end)}"


@dataclass(frozen=True)
class Window:
    """A one-off period between two UTC instants: extra availability, if need be, or blocked."""

    kind: AvailabilityKind
    start: datetime
    end: datetime
    note: str = ""


@dataclass(frozen=True)
class AvailabilityPlan:
    """An owner's whole availability: their zone, weekly pattern and one-off windows."""

    timezone: str
    weekly: tuple[WeeklyRange, ...] = ()
    windows: tuple[Window, ...] = ()

    @property
    def always_available(self) -> bool:
        """True when nothing limits the owner: no weekly pattern and no extra windows."""
        return not self.weekly and not any(
            w.kind == AvailabilityKind.AVAILABLE for w in self.windows
        )

    def windows_of(self, kind: AvailabilityKind) -> list[Window]:
        """The one-off windows of one kind, in saved order."""
        return [w for w in self.windows if w.kind == kind]


@dataclass(frozen=True)
class PreviewRange:
    """A piece of one local date: UTC instants plus their local wall-clock labels."""

    start: datetime
    end: datetime
    start_label: str
    end_label: str
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.start_label}–{self.end_label}"


@dataclass(frozen=True)
class PreviewDay:
    """What one local date of the preview looks like."""

    day: date
    offset_label: str
    clocks_change: bool
    available: tuple[PreviewRange, ...]
    if_need_be: tuple[PreviewRange, ...]
    blocked: tuple[PreviewRange, ...]


# --- Time zones ---------------------------------------------------------------------------


@cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` of a known IANA name (cached: the preview converts many instants)."""
    return ZoneInfo(name)


def exists_locally(local: datetime, tz: ZoneInfo) -> bool:
    """False for a wall-clock time skipped when the clocks go forward (e.g. 01:30 in London on
    2027-03-28)."""
    round_trip = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return round_trip.replace(tzinfo=None) == local


def wall_clock_to_utc(local: datetime, tz: ZoneInfo, *, fold: int = 0) -> datetime:
    """The UTC instant of naive wall-clock time ``local`` in ``tz``.

    In the repeated hour when the clocks go back, ``fold=0`` picks the first occurrence and
    ``fold=1`` the second. A time skipped when the clocks go forward is moved to the moment of
    the change: nothing happens at a skipped time, so a range that starts or ends inside the gap
    really starts or ends when the clocks jump (which is also how the solver reads it).
    """
    if exists_locally(local, tz):
        return local.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    # Inside a gap fold=1 applies the offset after the change and fold=0 the one before, so the
    # change lies between the two instants: find it to the second.
    low = local.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    offset_before = low.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def offset_label(offset: timedelta | None) -> str:
    """ "UTC+01:00" for a UTC offset."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def minutes_label(minutes: int) -> str:
    """ "09:30" for 570 minutes after midnight; 1440 is "24:00"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def to_local_input(instant: datetime, tz_name: str) -> str:
    """An instant as the value of a ``datetime-local`` input in zone ``tz_name``."""
    return instant.astimezone(zone(tz_name)).strftime("%Y-%m-%dT%H:%M")


def local_today(tz_name: str) -> date:
    """Today's date in zone ``tz_name``: where the preview starts."""
    return datetime.now(UTC).astimezone(zone(tz_name)).date()


def weekly_spans(
    weekly: Iterable[WeeklyRange], tz: ZoneInfo, first: date, last: date
) -> list[Span]:
    """The weekly pattern laid out on every local date from ``first`` to ``last``, as UTC spans.

    Each range is placed on the local date, then converted: 09:00 is 09:00 local whatever the
    UTC offset of that date. The end takes the later reading of a repeated hour, so a range is
    never cut short by the clocks going back.
    """
    by_weekday: dict[int, list[WeeklyRange]] = {}
    for weekly_range in weekly:
        by_weekday.setdefault(weekly_range.weekday, []).append(weekly_range)
    spans: list[Span] = []
    day = first
    while day <= last:
        midnight = datetime.combine(day, time())
        for r in by_weekday.get(day.weekday(), ()):
            start = wall_clock_to_utc(midnight + timedelta(minutes=r.start), tz)
            end = wall_clock_to_utc(midnight + timedelta(minutes=r.end), tz, fold=1)
            spans.append((start, end))
        day += timedelta(days=1)
    return merge(spans)


# --- The preview --------------------------------------------------------------------------


def preview(plan: AvailabilityPlan, first_day: date, days: int = PREVIEW_DAYS) -> list[PreviewDay]:
    """What ``plan`` means on each local date from ``first_day`` on, for ``days`` days."""
    tz = zone(plan.timezone)
    bounds = [
        wall_clock_to_utc(datetime.combine(first_day + timedelta(days=k), time()), tz)
        for k in range(days + 1)
    ]
    blocked_windows = plan.windows_of(AvailabilityKind.UNAVAILABLE)
    blocked = merge((w.start, w.end) for w in blocked_windows)
    reluctant = merge((w.start, w.end) for w in plan.windows_of(AvailabilityKind.IF_NEED_BE))
    if plan.always_available:
        base = [(bounds[0], bounds[-1])]
    else:
        # One extra day on each side catches ranges that the clocks push over midnight.
        pattern = weekly_spans(
            plan.weekly, tz, first_day - timedelta(days=1), first_day + timedelta(days=days)
        )
        extra = [(w.start, w.end) for w in plan.windows_of(AvailabilityKind.AVAILABLE)]
        base = merge(pattern + extra)
    available = subtract(base, merge(reluctant + blocked))
    if_need_be = subtract(reluctant, blocked)
    return [
        _preview_day(bounds[k], bounds[k + 1], tz, available, if_need_be, blocked_windows)
        for k in range(days)
    ]


def _preview_day(
    day_start: datetime,
    day_end: datetime,
    tz: ZoneInfo,
    available: list[Span],
    if_need_be: list[Span],
    blocked: list[Window],
) -> PreviewDay:
    offset_at_start = day_start.astimezone(tz).utcoffset()
    offset_at_end = (day_end - timedelta(microseconds=1)).astimezone(tz).utcoffset()
    label = offset_label(offset_at_start)
    if offset_at_end != offset_at_start:
        label = f"{label} → {offset_label(offset_at_end)}"

    def clip(start: datetime, end: datetime, note: str = "") -> PreviewRange | None:
        start, end = max(start, day_start), min(end, day_end)
        if end <= start:
            return None
        end_label = "24:00" if end == day_end else f"{end.astimezone(tz):%H:%M}"
        return PreviewRange(start, end, f"{start.astimezone(tz):%H:%M}", end_label, note)

    def clip_all(pieces: Iterable[PreviewRange | None]) -> tuple[PreviewRange, ...]:
        return tuple(piece for piece in pieces if piece is not None)

    return PreviewDay(
        day=day_start.astimezone(tz).date(),
        offset_label=label,
        clocks_change=offset_at_end != offset_at_start,
        available=clip_all(clip(s, e) for s, e in available),
        if_need_be=clip_all(clip(s, e) for s, e in if_need_be),
        blocked=clip_all(clip(w.start, w.end, w.note) for w in sorted(blocked, key=_by_start)),
    )


def _by_start(window: Window) -> datetime:
    return window.start


# --- Reading owners and their rules -------------------------------------------------------


def facilitator_of_user(user_id: int) -> Facilitator | None:
    """The facilitator profile of a user account, if it has one."""
    return db.session.scalar(select(Facilitator).where(Facilitator.user_id == user_id))


def room_timezone(room: Room) -> str:
    """A room keeps the time zone of its site."""
    return room.site.timezone


def facilitator_plan(facilitator: Facilitator) -> AvailabilityPlan:
    """The saved availability of a facilitator."""
    rules = db.session.scalars(
        select(AvailabilityRule)
        .where(AvailabilityRule.facilitator_id == facilitator.id)
        .order_by(AvailabilityRule.id)
    )
    return plan_from_rules(rules, facilitator.timezone)


def room_plan(room: Room) -> AvailabilityPlan:
    """The saved availability of a room, in its site's zone."""
    rules = db.session.scalars(
        select(AvailabilityRule)
        .where(AvailabilityRule.room_id == room.id)
        .order_by(AvailabilityRule.id)
    )
    return plan_from_rules(rules, room_timezone(room))


def plan_from_rules(rules: Iterable[AvailabilityRule], timezone: str) -> AvailabilityPlan:
    """Turn stored rules into a plan; weekly ranges are sorted by weekday and start."""
    weekly: list[WeeklyRange] = []
    windows: list[Window] = []
    for rule in rules:
        if rule.kind == AvailabilityKind.WEEKLY:
            weekly.extend(_weekly_ranges_of(rule))
        elif rule.start is not None and rule.end is not None:
            windows.append(Window(rule.kind, rule.start, rule.end, rule.note or ""))
    weekly.sort(key=lambda r: (r.weekday, r.start, r.end))
    windows.sort(key=lambda w: (w.start, w.end))
    return AvailabilityPlan(timezone, tuple(weekly), tuple(windows))


def _weekly_ranges_of(rule: AvailabilityRule) -> list[WeeklyRange]:
    # The page never saves a range over midnight, but imported rules may (the solver reads an end
    # at or before the start as the next day): show such a rule as two ranges on two weekdays.
    start = rule.start_time.hour * 60 + rule.start_time.minute
    end = rule.end_time.hour * 60 + rule.end_time.minute
    if end > start:
        return [WeeklyRange(rule.weekday, start, end)]
    ranges = [WeeklyRange(rule.weekday, start, MINUTES_PER_DAY)]
    if end > 0:
        ranges.append(WeeklyRange((rule.weekday + 1) % 7, 0, end))
    return ranges
