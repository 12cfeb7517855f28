"""Saving a form's values: a write refused because of one field shows under that field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from scheduler.extensions import db

T = TypeVar("T")


class FieldError(ValueError):
    """A write refused because of one field's value (a duplicate key, an unknown id).

    ``field`` names the form field to show ``message`` under; ``None`` means the whole form.
    """

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def flush_or_refuse(clash_message: str) -> None:
    """Flush the session; a unique index refusing the write becomes a form-wide ``FieldError``.

    Only a concurrent write can get there, as the operations check uniqueness first in the
    same transaction; ``clash_message`` tells the coordinator what happened.
    """
    try:
        db.session.flush()
    except IntegrityError as error:
        raise FieldError(None, clash_message) from error


def show_field_error(form, error: FieldError) -> None:
    """Display ``error`` under its field of ``form`` (or above the form)."""
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        form.form_errors.append(error.message)


def save_or_show_error(form, write: Callable[[], T]) -> T | None:
    """Run ``write`` and commit; a ``FieldError`` or a key already in use shows on ``form``.

    Returns what ``write`` returned, or None when nothing was saved (the session is rolled
    back). The unique index is the last line of defence: two coordinators saving the same
    new key at the same moment both pass the check in ``write``, and the second one must
    still get a message, not a 500.
    """
    try:
        result = write()
        db.session.commit()
    except FieldError as error:
        db.session.rollback()
        show_field_error(form, error)
        return None
    except IntegrityError:
        db.session.rollback()
        show_field_error(form, _clash(form))
        return None
    return result


def _clash(form) -> FieldError:
    if "key" in form:
        key = form["key"]
        return FieldError("key", f"{key.label.text} '{key.data}' is already used; choose another.")
    return FieldError(None, "Someone else just saved the same thing; check the list and retry.")
