"""Form fields and validators shared by the coordinator's data-entry forms.

Every message names the field it is about ("Capacity must be at least 1."), because a
coordinator filling in a long form needs to know which box to fix. Blank numbers count as
missing (one "is required" message) rather than as badly written numbers.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TypeVar
from zoneinfo import available_timezones

from sqlalchemy.exc import IntegrityError
from wtforms import DecimalField, IntegerField, StringField
from wtforms.validators import Length, Regexp, StopValidation, ValidationError

from scheduler.extensions import db
from scheduler.sites.operations import KeyTaken

T = TypeVar("T")

#: Stable external ids: what CSV imports and the solver use to recognise a row again.
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def strip(value):
    """Trim surrounding blanks of text input (pasted values often carry them)."""
    return value.strip() if isinstance(value, str) else value


def blank_to_none(value):
    """``None`` for a blank optional text, so that "no value" is stored as NULL."""
    return value or None


class Required:
    """The field must be filled in; stops further checks so that one clear message shows."""

    def __call__(self, form, field) -> None:
        if field.process_errors:
            raise StopValidation()  # "must be a whole number" already says what is wrong
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(f"{field.label.text} is required.")


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


class WholeNumberField(IntegerField):
    """An integer input whose messages name the field; blank input means "no value"."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None
        if not text:
            return
        try:
            self.data = int(text)
        except ValueError as exc:
            raise ValueError(f"{self.label.text} must be a whole number.") from exc


class MoneyField(DecimalField):
    """An amount with at most two decimals; refuses "NaN", "Infinity" and blank-as-garbage."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None
        if not text:
            return
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"{self.label.text} must be a number, such as 12.50.") from exc
        if not amount.is_finite():
            raise ValueError(f"{self.label.text} must be a number, such as 12.50.")
        if amount.as_tuple().exponent < -2:
            raise ValueError(f"{self.label.text} can have at most 2 decimal places.")
        self.data = amount


def key_field(label: str = "Key") -> StringField:
    """The stable external id of a site, room or program."""
    return StringField(
        label,
        filters=[strip],
        validators=[
            Required(),
            Length(max=64, message=f"{label} must be at most 64 characters."),
            Regexp(
                KEY_PATTERN,
                message=(
                    f"{label} may only contain letters, digits, '-', '_' and '.', "
                    "and must start with a letter or digit."
                ),
            ),
        ],
    )


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """Every IANA time zone name known to this installation, sorted."""
    return tuple(sorted(available_timezones()))


class KnownTimeZone:
    """The value must be an IANA time zone name such as ``Europe/London``."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        names = timezone_names()
        if field.data in names:
            return
        message = f"{field.label.text} '{field.data}' is not a known time zone."
        close = difflib.get_close_matches(field.data, names, n=1)
        if close:
            message += f" Did you mean {close[0]}?"
        else:
            message += " Pick one from the list, such as Europe/London."
        raise ValidationError(message)


def timezone_field(label: str = "Time zone") -> StringField:
    """A time zone entered as text with the list of known zones offered (``datalist``)."""
    return StringField(
        label, filters=[strip], validators=[Required(), Length(max=64), KnownTimeZone()]
    )


def save_or_flag_key_clash(form, write: Callable[[], T]) -> T | None:
    """Run ``write`` and commit; a key already in use becomes an error on ``form.key``.

    Returns what ``write`` returned, or None when nothing was saved. The unique index is
    the last line of defence: two coordinators saving the same new key at the same moment
    both pass the check in ``write``, and the second one must still get a message, not a 500.
    """
    try:
        result = write()
        db.session.commit()
    except KeyTaken as error:
        db.session.rollback()
        form.key.errors.append(str(error))
        return None
    except IntegrityError:
        db.session.rollback()
        form.key.errors.append(
            f"{form.key.label.text} '{form.key.data}' is already used; choose another."
        )
        return None
    return result
