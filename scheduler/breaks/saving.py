"""Save a change only once its consequences for published sessions are known.

A form that changes planning data (availability, a closure, a cohort) saves through
``save_checked``: the change is applied inside a savepoint and the published plans are checked
against it. When it breaks published sessions and the person did not press "Save anyway", the
savepoint is rolled back and ``ChangeBreaksSessions`` tells the page to show them, with the
button; the form re-displays with everything entered. With "Save anyway" the change stays, the
sessions are recorded as broken and the coordinators are told, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import request
from flask_login import current_user

from scheduler.breaks.operations import record_breaks
from scheduler.breaks.util import Break, find_breaks, preview_breaks
from scheduler.extensions import db

T = TypeVar("T")

#: The name of the "Save anyway" submit button (its form carries the same fields again).
SAVE_ANYWAY = "save_anyway"


class ChangeBreaksSessions(Exception):
    """The change was not saved: it breaks these published sessions."""

    def __init__(self, breaks: list[Break]):
        super().__init__(f"this change breaks {len(breaks)} published sessions")
        self.breaks = breaks


def save_checked(write: Callable[[], T], change: str) -> T:
    """Run ``write`` (which changes the session, not committing) unless it breaks published
    sessions that the request has not confirmed breaking; ``change`` says what was changed, in
    words, for the record and the coordinators' mail. The caller commits."""
    confirmed = bool(request.form.get(SAVE_ANYWAY))
    savepoint = db.session.begin_nested()
    try:
        result, breaks = find_breaks(write)
    except BaseException:
        savepoint.rollback()
        raise
    if breaks and not confirmed:
        savepoint.rollback()
        raise ChangeBreaksSessions(breaks)
    savepoint.commit()
    if breaks:
        user = current_user._get_current_object() if current_user.is_authenticated else None
        record_breaks(breaks, change, user)
    return result


def delete_checked(delete: Callable[[], object], change: str, submitted: bool) -> list[Break] | None:
    """The confirm-then-delete step of a deletion page. On the first look (``submitted`` false)
    the published sessions ``delete`` would break, with nothing changed; on a submitted form, the
    deletion through ``save_checked`` — None when it stands (the caller commits), else the breaks
    not yet confirmed with "Delete anyway"."""
    if not submitted:
        return preview_breaks(delete)
    try:
        save_checked(delete, change)
    except ChangeBreaksSessions as found:
        return found.breaks
    return None
