"""Forms of the availability area, and the parsing of what people type into them.

A weekly day is one text box holding its ranges ("09:00-12:00, 13:00-17:30"): the whole week
fits on one screen and needs no script. One-off windows are rows of two ``datetime-local``
inputs. Every message names the row it is about, because the form is long.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, Form, FormField, StringField, SubmitField

from scheduler.availability.util import (
    MINUTES_PER_DAY,
    WEEKDAYS,
    AvailabilityPlan,
    WeeklyRange,
    Window,
    exists_locally,
    minutes_label,
    to_local_input,
    wall_clock_to_utc,
    zone,
)
from scheduler.forms.timezones import canonical_timezone, unknown_timezone_hint
from scheduler.forms.widgets import TextInput
from scheduler.models import AvailabilityKind
from scheduler.text import control_character

MAX_NOTE = 200
MAX_ROWS = 200  # per list of windows: far more than anyone needs, small enough to bound a request
LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")
_RANGE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?-(\d{1,2})(?:[:.](\d{2}))?$")

# (field name, kind, heading, name used in messages, hint)
WINDOW_SECTIONS = (
    (
        "extra",
        AvailabilityKind.AVAILABLE,
        "Extra availability",
        "Extra availability",
        "One-off times you can teach outside your weekly pattern.",
    ),
    (
        "if_need_be",
        AvailabilityKind.IF_NEED_BE,
        "If need be",
        "If need be",
        "Times you would accept but prefer not to teach; the scheduler avoids them when it can.",
    ),
    (
        "blocked",
        AvailabilityKind.UNAVAILABLE,
        "Blocked periods (leave)",
        "Blocked periods",
        "Leave and other absences; they win over everything above. For whole days, go from "
        "00:00 on the first day to 00:00 on the day after the last.",
    ),
)


class WindowRow(Form):
    """One one-off window; a row left empty is ignored.

    The page has some 35 inputs: they use the faster ``TextInput`` (scheduler/forms/widgets.py)."""

    start = StringField("From", render_kw={"type": "datetime-local"}, widget=TextInput())
    end = StringField("Until", render_kw={"type": "datetime-local"}, widget=TextInput())
    note = StringField("Note", render_kw={"maxlength": MAX_NOTE}, widget=TextInput())

    def is_empty(self) -> bool:
        """True for a row the user left (or made) blank."""
        return not any((field.data or "").strip() for field in (self.start, self.end, self.note))


def _window_list() -> FieldList:
    return FieldList(FormField(WindowRow), min_entries=0)


class AvailabilityForm(FlaskForm):
    """The weekly pattern, extra windows and blocked periods (rooms use exactly this)."""

    monday = StringField("Monday", widget=TextInput())
    tuesday = StringField("Tuesday", widget=TextInput())
    wednesday = StringField("Wednesday", widget=TextInput())
    thursday = StringField("Thursday", widget=TextInput())
    friday = StringField("Friday", widget=TextInput())
    saturday = StringField("Saturday", widget=TextInput())
    sunday = StringField("Sunday", widget=TextInput())
    extra = _window_list()
    blocked = _window_list()
    submit = SubmitField("Save availability")

    #: The window lists of this form, in page order.
    section_names: tuple[str, ...] = ("extra", "blocked")

    def __init__(self, *args, zone_name: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        self.plan: AvailabilityPlan | None = None
        self.notices: list[str] = []
        self.problems: list[str] = []

    # --- display ---

    def weekday_fields(self) -> list[StringField]:
        """The seven weekday boxes, Monday first."""
        return [self[day.lower()] for day in WEEKDAYS]

    def window_sections(self) -> list[tuple[FieldList, str, str]]:
        """(rows, heading, hint) of each window list, for the template."""
        return [
            (self[name], heading, hint)
            for name, _, heading, _, hint in WINDOW_SECTIONS
            if name in self.section_names
        ]

    def add_blank_rows(self, count: int = 2) -> None:
        """Spare empty rows under each window list, so that no script is needed to add one."""
        for name in self.section_names:
            for _ in range(count):
                self[name].append_entry()

    @classmethod
    def shown_zone(cls, plan: AvailabilityPlan) -> str:
        """The zone a GET of ``plan`` shows its times in (``display_zone`` before any input)."""
        return plan.timezone

    @classmethod
    def initial_data(cls, plan: AvailabilityPlan) -> dict:
        """Form data showing a saved plan, in the plan's zone."""
        data: dict = {
            day.lower(): ", ".join(r.label for r in plan.weekly if r.weekday == weekday)
            for weekday, day in enumerate(WEEKDAYS)
        }
        for name, kind, *_ in WINDOW_SECTIONS:
            data[name] = [
                {
                    "start": to_local_input(w.start, plan.timezone),
                    "end": to_local_input(w.end, plan.timezone),
                    "note": w.note,
                }
                for w in plan.windows_of(kind)
            ]
        return data

    # --- validation ---

    def chosen_zone(self) -> str | None:
        """The zone every time on the form is read in (validation reports an unknown one)."""
        return self.zone_name

    def display_zone(self) -> str:
        """The zone the form's times are shown in: the one typed if it is known, else the saved one."""
        return self.zone_name

    def problem(self, field, message: str) -> None:
        """Record a message next to ``field`` and in the list at the top of the page."""
        field.errors.append(message)
        self.problems.append(message)

    def validate(self, extra_validators=None) -> bool:
        """Check every field, then build ``self.plan`` (and ``self.notices``) if all is well."""
        self.problems = []
        if not super().validate(extra_validators):  # only the CSRF token has validators
            self.problems.append("This page expired before it was saved; please save again.")
            return False
        zone_name = self.chosen_zone()
        weekly = self._weekly_ranges()
        windows: list[Window] = []
        if zone_name is not None:
            for name, kind, _, row_name, _ in WINDOW_SECTIONS:
                if name in self.section_names:
                    windows.extend(self._windows(self[name], kind, row_name, zone_name))
        if zone_name is None or self.problems:
            return False
        self.plan = AvailabilityPlan(zone_name, tuple(weekly), tuple(windows))
        return True

    def _weekly_ranges(self) -> list[WeeklyRange]:
        ranges: list[WeeklyRange] = []
        for weekday, field in enumerate(self.weekday_fields()):
            day_ranges, errors = parse_day_ranges(field.data or "", WEEKDAYS[weekday])
            for message in errors:
                self.problem(field, message)
            if errors:
                continue
            merged, notices = merge_day_ranges(day_ranges, WEEKDAYS[weekday])
            self.notices.extend(notices)
            ranges.extend(WeeklyRange(weekday, start, end) for start, end in merged)
        return ranges

    def _windows(
        self, rows: FieldList, kind: AvailabilityKind, row_name: str, zone_name: str
    ) -> list[Window]:
        if len(rows) > MAX_ROWS:
            self.problems.append(f"{row_name}: at most {MAX_ROWS} rows can be saved at once.")
            return []
        windows = []
        for number, row in enumerate(rows, start=1):
            form: WindowRow = row.form
            if form.is_empty():
                continue
            window, errors = parse_window(form, kind, f"{row_name}, row {number}", zone_name)
            for field, message in errors:
                self.problem(field, message)
            if window is not None:
                windows.append(window)
        return windows


class FacilitatorAvailabilityForm(AvailabilityForm):
    """A facilitator's page adds their time zone and "if need be" windows."""

    timezone = StringField("Time zone", widget=TextInput())
    if_need_be = _window_list()

    section_names = ("extra", "if_need_be", "blocked")

    @classmethod
    def shown_zone(cls, plan: AvailabilityPlan) -> str:
        return canonical_timezone(plan.timezone) or plan.timezone

    @classmethod
    def initial_data(cls, plan: AvailabilityPlan) -> dict:
        return {**super().initial_data(plan), "timezone": plan.timezone}

    def display_zone(self) -> str:
        return canonical_timezone(self.timezone.data) or self.zone_name

    def chosen_zone(self) -> str | None:
        name = canonical_timezone(self.timezone.data)
        if name is None:
            typed = (self.timezone.data or "").strip()
            self.problem(
                self.timezone,
                f"Time zone '{typed}' is not a known time zone. " + unknown_timezone_hint(typed),
            )
        return name


# --- Parsing -------------------------------------------------------------------------------


def parse_day_ranges(text: str, day: str) -> tuple[list[tuple[int, int]], list[str]]:
    """The ranges typed for one weekday, in minutes, and a message for each bad one.

    Accepts "09:00-12:00, 13:00-17:30", also "9-12", "9.30–12" and "9:00 to 12:00";
    24:00 is allowed as an end.
    """
    text = re.sub(r"\s*(?:-|–|—|\bto\b)\s*", "-", text.strip(), flags=re.IGNORECASE)
    ranges, errors = [], []
    for token in filter(None, re.split(r"[,;\s]+", text)):
        match = _RANGE.match(token)
        if match is None:
            errors.append(f"{day}: “{token}” is not a time range; write it like 09:00-12:00.")
            continue
        start_hour, start_minute, end_hour, end_minute = (int(g or 0) for g in match.groups())
        start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
        if start_minute > 59 or end_minute > 59 or start > MINUTES_PER_DAY or end > MINUTES_PER_DAY:
            errors.append(f"{day}: “{token}” is outside 00:00–24:00.")
        elif end <= start:
            errors.append(
                f"{day}: in “{token}” the end must be after the start. A range cannot run past "
                "midnight: end it at 24:00 and continue at 00:00 on the next day."
            )
        else:
            ranges.append((start, end))
    return ranges, errors


def merge_day_ranges(
    ranges: list[tuple[int, int]], day: str
) -> tuple[list[tuple[int, int]], list[str]]:
    """Join overlapping or touching ranges of one day, with a notice for each join."""
    merged: list[tuple[int, int]] = []
    joined: list[list[tuple[int, int]]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            joined[-1].append((start, end))
        else:
            merged.append((start, end))
            joined.append([(start, end)])
    notices = [
        f"{day}: {' and '.join(_range_label(r) for r in parts)} overlap or touch, "
        f"so they were saved as {_range_label(result)}."
        for result, parts in zip(merged, joined, strict=True)
        if len(parts) > 1
    ]
    return merged, notices


def _range_label(minutes: tuple[int, int]) -> str:
    return f"{minutes_label(minutes[0])}-{minutes_label(minutes[1])}"


def parse_local(text: str) -> datetime | None:
    """A naive local date and time from a ``datetime-local`` input, or None."""
    text = (text or "").strip()
    for pattern in LOCAL_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def parse_window(
    row: WindowRow, kind: AvailabilityKind, row_label: str, zone_name: str
) -> tuple[Window | None, list[tuple[Field, str]]]:
    """The window of one row in UTC, or None and the messages for the row's fields."""
    tz = zone(zone_name)
    start, end = parse_local(row.start.data), parse_local(row.end.data)
    errors: list[tuple[Field, str]] = []
    for field, value, what in ((row.start, start, "start"), (row.end, end, "end")):
        if value is None:
            if (field.data or "").strip():
                message = f"{row_label}: give the {what} as a date and time, like 2027-03-01 09:00."
            else:
                message = f"{row_label}: the {what} is missing."
            errors.append((field, message))
        elif not exists_locally(value, tz):
            errors.append(
                (
                    field,
                    (
                        f"{row_label}: {value:%Y-%m-%d %H:%M} does not exist in {zone_name} "
                        "(the clocks go forward then); pick a time outside the jump."
                    ),
                )
            )
    note = (row.note.data or "").strip()
    if len(note) > MAX_NOTE:
        errors.append((row.note, f"{row_label}: the note is longer than {MAX_NOTE} characters."))
    elif control_character(note):
        errors.append(
            (row.note, f"{row_label}: the note must be on one line, without control characters.")
        )
    if errors:
        return None, errors
    if end <= start:
        return None, [(row.end, f"{row_label}: the end must be after the start.")]
    # A repeated hour (clocks going back) is read as its first occurrence at both ends.
    return Window(kind, wall_clock_to_utc(start, tz), wall_clock_to_utc(end, tz), note), []
