"""Fields and validators shared by the coordinator's data-entry forms.

Blank numbers count as missing (one "is required" message) rather than as badly written
numbers, and every message names the field.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional, Regexp, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from scheduler.query import parse_int
from scheduler.text import control_character

#: Keys the coordinator makes up (sites, rooms, programs): safe in URLs, files and the solver.
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
#: Ids of people and cohorts come from HR systems; only the separators of lists in import
#: files (spaces and semicolons) are refused, so that a cohort's learner list can name them.
ID_PATTERN = r"^[^\s;]+$"
KEY_MAX_LENGTH = 64

#: The value of an optional select's "none" choice (ids start at 1).
NONE_CHOICE = 0

#: Numeric(10, 2) columns hold at most this much.
MONEY_MAX = Decimal("99999999.99")


# --- Filters -------------------------------------------------------------------------------


def strip(value):
    """Filter: surrounding blanks removed (browsers, spreadsheets and pasting add them)."""
    return value.strip() if isinstance(value, str) else value


def strip_lower(value):
    """Filter: blanks removed and lower-cased, for e-mail addresses."""
    return value.strip().lower() if isinstance(value, str) else value


def blank_to_none(value):
    """Filter: ``None`` for a blank optional text, so that "no value" is stored as NULL."""
    return value or None


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """``"Point of Sale"`` becomes ``"point-of-sale"``: how skills and tags are compared."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


# --- Validators ----------------------------------------------------------------------------


class Required:
    """The field must be filled in; stops further checks so that one clear message shows."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.process_errors:
            raise StopValidation()  # "must be a whole number" already says what is wrong
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(self.message or f"{field.label.text} is required.")


class InRange:
    """A number between ``minimum`` and ``maximum`` (inclusive); either bound is optional."""

    def __init__(self, minimum=None, maximum=None, unit: str = "") -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.unit = unit

    def __call__(self, form, field) -> None:
        if field.data is None:
            return
        if self.minimum is not None and field.data < self.minimum:
            raise ValidationError(f"{field.label.text} must be at least {self.minimum}{self.unit}.")
        if self.maximum is not None and field.data > self.maximum:
            raise ValidationError(f"{field.label.text} must be at most {self.maximum}{self.unit}.")


class SingleLine:
    """No line breaks or other control characters: a name with one breaks calendars, mail
    headers and CSV files. Every one-line field of every form has it (``LineField``)."""

    def __call__(self, form, field) -> None:
        # The stripped value where there is one; the typed text of fields that parse it (tags).
        texts = [field.data] if isinstance(field.data, str) else (field.raw_data or [])
        found = next(filter(None, (control_character(str(text)) for text in texts)), None)
        if found:
            raise StopValidation(
                f"{field.label.text} must be on one line, without control characters "
                f"(found {found})."
            )


class OneLine:
    """Mixin of a one-line field: ``SingleLine`` runs first, before the field's validators."""

    def pre_validate(self, form) -> None:
        super().pre_validate(form)
        SingleLine()(form, self)


class LineField(OneLine, StringField):
    """A one-line text input; use it (not ``StringField``) for every one-line value."""


class LineEmailField(OneLine, EmailField):
    """An e-mail input that refuses control characters like every one-line field."""


def required_text(label: str, max_length: int, message: str | None = None) -> list:
    """Validators of a required text field that must fit its database column."""
    return [
        Required(message),
        Length(max=max_length, message=f"{label} must be at most {max_length} characters."),
    ]


# --- Fields --------------------------------------------------------------------------------


def text_field(label: str, max_length: int, required: bool = True, message: str | None = None):
    """A one-line text, stripped, that must fit its database column.

    ``message`` replaces "<label> is required." where a hint helps ("from HR").
    """
    validators = (
        required_text(label, max_length, message)
        if required
        else [Length(max=max_length, message=f"{label} must be at most {max_length} characters.")]
    )
    return LineField(label, filters=[strip], validators=validators)


def check_meeting_link(field) -> None:
    """An optional meeting link is an https address with a host and no spaces: it becomes a
    link (URL, CONFERENCE, the description) in invitations, where anything else could be a
    ``javascript:`` trap or a typo nobody notices until the session starts."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in field.data):
        raise ValidationError(
            "Enter the meeting room's full https:// address, e.g. https://meet.example.com/ana."
        )


def key_field(label: str = "Key", required_message: str | None = None, strict: bool = True):
    """The stable id by which imports and the solver recognise a row again.

    ``strict`` keys (sites, rooms, programs) are made up by the coordinator and kept to
    letters, digits, '-', '_' and '.'; other ids (employee ids) only may not contain spaces or
    semicolons, the separators of lists in import files.
    """
    if strict:
        pattern = Regexp(
            KEY_PATTERN,
            message=(
                f"{label} may only contain letters, digits, '-', '_' and '.', "
                "and must start with a letter or digit."
            ),
        )
    else:
        pattern = Regexp(ID_PATTERN, message=f"{label} may not contain spaces or semicolons.")
    return LineField(
        label,
        filters=[strip],
        validators=[*required_text(label, KEY_MAX_LENGTH, required_message), pattern],
    )


def email_field(label: str = "E-mail", required_message: str | None = None) -> EmailField:
    """An e-mail address, stored lower-cased so that matching ignores case."""
    return LineEmailField(
        label,
        filters=[strip_lower],
        validators=[
            *required_text(label, 254, required_message),
            Email("Enter a valid e-mail address, e.g. name@example.com."),
        ],
    )


class _TypedNumber:
    """A number typed as text: blank means "no value", anything else goes through ``parse``."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None  # stays None when ``parse`` refuses the text
        if text:
            self.data = self.parse(text)

    def parse(self, text: str):
        """The value of non-blank ``text``; raises ``ValueError`` with the field's message."""
        raise NotImplementedError


class WholeNumberField(_TypedNumber, IntegerField):
    """An integer input whose messages name the field; blank input means "no value"."""

    def parse(self, text: str) -> int:
        try:
            return int(text)
        except ValueError as exc:
            raise ValueError(f"{self.label.text} must be a whole number.") from exc


class MoneyField(_TypedNumber, DecimalField):
    """An amount of money from 0 to ``maximum`` with at most two decimals.

    Refuses "NaN", "Infinity" and "1.005" rather than storing something else than typed.
    A ``required`` field left blank asks for 0; an optional one left blank is ``None``.
    """

    def __init__(self, label: str, required: bool = True, maximum=MONEY_MAX, **kwargs):
        first = Required(f"{label} is required (0 if none).") if required else Optional()
        kwargs.setdefault("validators", [first, InRange(0, maximum)])
        super().__init__(label, places=2, **kwargs)

    def parse(self, text: str) -> Decimal:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise ValueError(f"{self.label.text} must be a number, such as 12.50.")
        if amount.as_tuple().exponent < -2:
            raise ValueError(f"{self.label.text} can have at most 2 decimal places.")
        return amount


class SlugListField(OneLine, StringField):
    """Comma-separated tags, kept as a list of unique lower-case slugs in the order typed."""

    def __init__(self, label: str, max_length: int = 64, **kwargs):
        self.max_length = max_length
        super().__init__(label, **kwargs)

    def process_data(self, value) -> None:
        # The database keeps the tags as one comma-separated string.
        if isinstance(value, str):
            value = [tag for tag in value.split(",") if tag]
        self.data = list(value or [])

    def process_formdata(self, valuelist) -> None:
        self.data = []
        self.bad_parts = []
        for part in (valuelist[0] if valuelist else "").split(","):
            if not part.strip():
                continue
            slug = slugify(part)
            if not slug or len(slug) > self.max_length:
                self.bad_parts.append(part.strip())
            elif slug not in self.data:
                self.data.append(slug)

    def pre_validate(self, form) -> None:
        super().pre_validate(form)
        if getattr(self, "bad_parts", None):
            raise StopValidation(
                f"{self.label.text}: {', '.join(repr(p) for p in self.bad_parts)} "
                f"must contain letters or digits and be at most {self.max_length} characters."
            )

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(self.data or [])


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IdListField(Field):
    """The ids of the checkboxes ticked in a list (``name="learner_ids"`` repeated)."""

    def process_formdata(self, valuelist) -> None:
        self.data = []
        for value in valuelist:
            # Not str.isdigit(): "²" passes it and int() fails, and a huge id overflows the
            # database's integer (issue 15).
            number = parse_int(str(value), None)
            if number is None:
                raise ValueError(f"'{str(value)[:20]}' is not a valid id.")
            self.data.append(number)

    def _value(self) -> str:
        return ""


# --- Choices -------------------------------------------------------------------------------


def choices(items) -> list[SelectChoice]:
    """Select choices from ``(value, text)`` pairs."""
    return [SelectChoice(value, text) for value, text in items]


def optional_choices(items, label: str = "— none —") -> list[SelectChoice]:
    """Choices of an optional select: a "none" entry, then ``(id, text)`` pairs."""
    return choices([(NONE_CHOICE, label), *items])


def chosen_id(value: int | None) -> int | None:
    """The id picked in an optional select, or None for "none"."""
    return value or None


def optional_select(label: str) -> SelectField:
    """A select whose first choice means "none" (its value is ``NONE_CHOICE``)."""
    return SelectField(label, coerce=int, validate_choice=True)


class DeleteForm(FlaskForm):
    """The confirmation of a deletion: a button whose POST carries the CSRF token."""

    submit = SubmitField("Delete")
