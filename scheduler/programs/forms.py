"""Forms of the programs area: a program with its ordered sessions.

The session rows are a ``FieldList``; the coordinator adds, removes and reorders rows with
ordinary submit buttons (no JavaScript), which re-display the form with the rows rearranged
and save nothing.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, SubmitField
from wtforms.validators import AnyOf, Length, ValidationError

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms < 3.3, where (value, label) tuples are the only form
    from collections import namedtuple

    SelectChoice = namedtuple("SelectChoice", "value label")

from scheduler.forms.fields import (
    InRange,
    LineField,
    MoneyField,
    Required,
    WholeNumberField,
    blank_to_none,
    key_field,
    slugify,
    strip,
    text_field,
)
from scheduler.models import ProgramMode

SESSION_STEP_MINUTES = 15
MAX_SESSION_MINUTES = 12 * 60
MAX_SESSIONS = 50
#: Upper bounds keep values inside the database columns (NUMERIC, 32-bit integers).
MAX_SEATS = 10_000
MAX_GAP_DAYS = 3650
MAX_SEAT_COST = 99_999_999
MAX_DEVELOPMENT_COST = 9_999_999_999

MODE_CHOICES = [
    SelectChoice(ProgramMode.IN_PERSON.value, "In person"),
    SelectChoice(ProgramMode.VIRTUAL.value, "Virtual"),
]


def skill_slug(form, field) -> None:
    """Keep the skill as the slug facilitators' skills are stored as ("point-of-sale")."""
    if field.data is None:
        return
    slug = slugify(field.data)
    if not slug:
        raise ValidationError(f"{field.label.text} must contain letters or digits.")
    field.data = slug


def whole_quarter_hours(form, field) -> None:
    """Sessions are planned on a 15-minute grid, so durations must fit it."""
    if field.data is not None and field.data % SESSION_STEP_MINUTES:
        raise ValidationError(
            f"{field.label.text} must be a multiple of {SESSION_STEP_MINUTES} minutes."
        )


class SessionForm(Form):
    """One session row; a plain ``Form`` because the enclosing form carries the CSRF token."""

    title = text_field("Title", 200)
    duration_minutes = WholeNumberField(
        "Duration",
        validators=[
            Required(),
            InRange(SESSION_STEP_MINUTES, MAX_SESSION_MINUTES, " minutes"),
            whole_quarter_hours,
        ],
    )


class ProgramForm(FlaskForm):
    """A program: what is taught, to how many, at what cost, in which sessions."""

    key = key_field()
    name = text_field("Name", 200)
    mode = SelectField(
        "Delivery",
        choices=MODE_CHOICES,
        default=ProgramMode.IN_PERSON.value,
        validate_choice=False,  # AnyOf below says it in the user's words
        validators=[
            AnyOf(
                [mode.value for mode in ProgramMode],
                message="Delivery must be In person or Virtual.",
            )
        ],
    )
    # Stored as a slug ("Point of Sale" as point-of-sale), as facilitators' skills are,
    # so that the two match however either was typed.
    skill = LineField(
        "Required skill",
        filters=[strip, blank_to_none],
        validators=[
            Length(max=64, message="Required skill must be at most 64 characters."),
            skill_slug,
        ],
    )
    seats_min = WholeNumberField(
        "Minimum seats", default=1, validators=[Required(), InRange(1, MAX_SEATS)]
    )
    seats_max = WholeNumberField(
        "Maximum seats", default=20, validators=[Required(), InRange(1, MAX_SEATS)]
    )
    seat_cost = MoneyField("Cost per seat", default=0, maximum=MAX_SEAT_COST)
    same_facilitator = BooleanField("The same facilitator teaches every session", default=True)
    gap_min_days = WholeNumberField(
        "Minimum days between sessions",
        default=0,
        validators=[Required(), InRange(0, MAX_GAP_DAYS)],
    )
    gap_max_days = WholeNumberField(
        "Maximum days between sessions",
        default=14,
        validators=[Required(), InRange(0, MAX_GAP_DAYS)],
    )
    fixed_development_cost = MoneyField(
        "Fixed development cost", default=0, maximum=MAX_DEVELOPMENT_COST
    )
    sessions = FieldList(
        FormField(SessionForm),
        min_entries=1,
        max_entries=MAX_SESSIONS,
        validators=[Length(min=1, message="Add at least one session.")],
    )
    submit = SubmitField("Save program")

    def validate_seats_max(self, field) -> None:
        """The maximum cannot be below the minimum."""
        if field.data is not None and self.seats_min.data is not None:
            if field.data < self.seats_min.data:
                raise ValidationError(
                    f"Maximum seats must be at least the minimum seats ({self.seats_min.data})."
                )

    def validate_gap_max_days(self, field) -> None:
        """The longest gap cannot be shorter than the shortest one."""
        if field.data is not None and self.gap_min_days.data is not None:
            if field.data < self.gap_min_days.data:
                raise ValidationError(
                    "Maximum days between sessions must be at least the minimum "
                    f"({self.gap_min_days.data})."
                )

    def values(self) -> dict:
        """The program's own fields, as keyword arguments of the operations."""
        return {
            "key": self.key.data,
            "name": self.name.data,
            "mode": ProgramMode(self.mode.data),
            "skill": self.skill.data,
            "seats_min": self.seats_min.data,
            "seats_max": self.seats_max.data,
            "seat_cost": float(self.seat_cost.data),
            "same_facilitator": self.same_facilitator.data,
            "gap_min_days": self.gap_min_days.data,
            "gap_max_days": self.gap_max_days.data,
            "fixed_development_cost": float(self.fixed_development_cost.data),
        }

    def session_rows(self) -> list[tuple[str, int]]:
        """The sessions in order, as (title, duration in minutes)."""
        return [(row.title.data, row.duration_minutes.data) for row in self.sessions]


# --- Adding, removing and moving session rows without JavaScript -------------------------

ADD_SESSION = "add_session"
REMOVE_SESSION = "remove_session"
MOVE_SESSION_UP = "move_session_up"
ROW_BUTTONS = (ADD_SESSION, REMOVE_SESSION, MOVE_SESSION_UP)
_SESSION_INPUT = re.compile(r"^sessions-(\d+)-(\w+)$")


def pressed_row_button(formdata: MultiDict) -> bool:
    """Whether the coordinator pressed a button that rearranges rows (rather than Save)."""
    return any(name in formdata for name in ROW_BUTTONS)


def rearranged(formdata: MultiDict) -> tuple[MultiDict, str | None]:
    """The form data with the session rows added, removed or moved as the button asked.

    Works on the raw text so that whatever the coordinator typed (even invalid) comes back
    as typed. Returns the new form data and a message when the request cannot be honoured.
    """
    rows = _session_rows(formdata)
    message = None
    if ADD_SESSION in formdata:
        if len(rows) >= MAX_SESSIONS:
            message = f"A program can have at most {MAX_SESSIONS} sessions."
        else:
            rows.append({})
    elif REMOVE_SESSION in formdata:
        index = formdata.get(REMOVE_SESSION, type=int)
        if index is not None and 0 <= index < len(rows):
            del rows[index]
    elif MOVE_SESSION_UP in formdata:
        index = formdata.get(MOVE_SESSION_UP, type=int)
        if index is not None and 0 < index < len(rows):
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
    return _with_rows(formdata, rows), message


def _session_rows(formdata: MultiDict) -> list[dict[str, str]]:
    by_index: dict[int, dict[str, str]] = {}
    for name, value in formdata.items(multi=True):
        match = _SESSION_INPUT.match(name)
        if match:
            by_index.setdefault(int(match[1]), {})[match[2]] = value
    return [by_index[index] for index in sorted(by_index)]


def _with_rows(formdata: MultiDict, rows: list[dict[str, str]]) -> MultiDict:
    kept = [
        (name, value)
        for name, value in formdata.items(multi=True)
        if name not in ROW_BUTTONS and not _SESSION_INPUT.match(name)
    ]
    result = MultiDict(kept)
    for index, row in enumerate(rows):
        for field_name in ("title", "duration_minutes"):
            result.add(f"sessions-{index}-{field_name}", row.get(field_name, ""))
    return result
