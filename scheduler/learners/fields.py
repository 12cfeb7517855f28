"""Form fields, validators and errors shared by the coordinator's data-entry areas.

Learners, cohorts and facilitators all ask for a time zone, amounts of money, optional
choices and comma-separated tags; this module gives each of them one meaning everywhere.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from zoneinfo import available_timezones

from wtforms import DecimalField, Field, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

#: The value of an optional select's "none" choice (ids start at 1).
NONE_CHOICE = 0

#: Numeric(10, 2) columns hold at most this much.
MONEY_MAX = Decimal("99999999.99")


class FieldError(ValueError):
    """A write refused because of one field's value (a duplicate key, an unknown id).

    ``field`` names the form field to show ``message`` under; ``None`` means the whole form.
    """

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def show_field_error(form, error: FieldError) -> None:
    """Display ``error`` under its field of ``form`` (or above the form)."""
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        form.form_errors.append(error.message)


def strip(value):
    """Filter: surrounding blanks removed (browsers and spreadsheets add them)."""
    return value.strip() if isinstance(value, str) else value


def strip_lower(value):
    """Filter: blanks removed and lower-cased, for e-mail addresses."""
    return value.strip().lower() if isinstance(value, str) else value


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA time zone name this machine knows, sorted."""
    return tuple(sorted(_known_timezones()))


def is_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone name (``Europe/London``); case matters."""
    return name in _known_timezones()


class TimezoneField(StringField):
    """An IANA time zone name such as ``Europe/London``, checked against zoneinfo."""

    def __init__(self, label: str = "Time zone", **kwargs):
        kwargs.setdefault(
            "validators", [DataRequired(f"Enter the {label.lower()}, e.g. Europe/London.")]
        )
        kwargs.setdefault("filters", [strip])
        super().__init__(label, **kwargs)

    def post_validate(self, form, validation_stopped: bool) -> None:
        if not validation_stopped and self.data and not is_timezone(self.data):
            self.errors.append(
                f"{self.label.text}: '{self.data}' is not a known time zone; "
                "use a name such as Europe/London or America/New_York."
            )

    @property
    def names(self) -> tuple[str, ...]:
        """The names offered as suggestions next to the field."""
        return timezone_names()


class MoneyRange:
    """An amount between 0 and what the database column holds, and a real number."""

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        if not value.is_finite() or value < 0 or value > MONEY_MAX:
            raise ValidationError(f"{field.label.text} must be a number from 0 to {MONEY_MAX:,}.")


class MoneyField(DecimalField):
    """An amount of money, 0 or more, with two decimal places."""

    def __init__(self, label: str, required: bool = True, **kwargs):
        first = InputRequired(f"Enter the {label.lower()} (0 if none).") if required else Optional()
        kwargs.setdefault("validators", [first, MoneyRange()])
        kwargs.setdefault("invalid_value_message", f"{label} must be a number, e.g. 85 or 85.50.")
        super().__init__(label, places=2, **kwargs)


def choices(items) -> list[SelectChoice]:
    """Select choices from ``(value, text)`` pairs."""
    return [SelectChoice(value, text) for value, text in items]


def optional_choices(items, label: str = "— none —") -> list[SelectChoice]:
    """Choices of an optional select: a "none" entry, then ``(id, text)`` pairs."""
    return choices([(NONE_CHOICE, label), *items])


def chosen_id(value: int | None) -> int | None:
    """The id picked in an optional select, or None for "none"."""
    return value or None


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """``"Point of Sale"`` becomes ``"point-of-sale"``: how skills and tags are compared."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


class SlugListField(StringField):
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
            if not str(value).isdigit():
                raise ValueError(f"'{value}' is not a valid id.")
            self.data.append(int(value))

    def _value(self) -> str:
        return ""


def required_text(label: str, max_length: int, message: str | None = None) -> list:
    """Validators of a required text field that must fit its database column."""
    return [
        # DataRequired, not InputRequired: a value of blanks is empty once stripped.
        DataRequired(message or f"Enter the {label.lower()}."),
        Length(max=max_length, message=f"{label} must be at most {max_length} characters."),
    ]


def optional_select(label: str) -> SelectField:
    """A select whose first choice means "none" (its value is ``NONE_CHOICE``)."""
    return SelectField(label, coerce=int, validate_choice=True)
