"""Control characters in text: refused on the way in, removed on the way out.

Forms and imports refuse them in one-line values (``control_character``), but rows saved
before that check, or written by other means, may still hold a name with a line break. Every
format that leaves the app (iCalendar, mail headers, CSV) takes its text through
``printable`` first, so one bad name cannot break a calendar feed or a message for everyone.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, and the Unicode line and paragraph separators: each can end a
#: line in some reader (``str.splitlines`` splits on most of them).
_CONTROL = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"
CONTROL_CHARACTERS = re.compile(_CONTROL)
_CONTROL_RUN = re.compile(_CONTROL + "+")
_LINE_BREAK = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_NOT_NEWLINE_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")

#: Spreadsheets run a cell starting with one of these as a formula (CSV injection); a leading
#: tab or carriage return, which OWASP also lists, is removed by ``printable`` first.
FORMULA_STARTS = ("=", "+", "-", "@")


def control_character(value: str) -> str | None:
    """The first control character of ``value`` shown as ``U+000A``, or None if it has none."""
    found = CONTROL_CHARACTERS.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def printable(value, *, lines: bool = False) -> str:
    """``value`` as text without control characters, safe for any output format.

    On one line (names, subjects, headers, parameters) each run of control characters becomes
    one space; with ``lines`` (a calendar event's description) line breaks become "\\n" and the
    other controls are dropped.
    """
    text = "" if value is None else str(value)
    if not lines:
        return _CONTROL_RUN.sub(" ", text).strip()
    text = _LINE_BREAK.sub("\n", text)
    return _NOT_NEWLINE_CONTROL.sub(" ", text)


def csv_cell(value) -> str | int | float:
    """A value safe to open in a spreadsheet: on one line, and text that a spreadsheet would take
    for a formula gets a leading apostrophe (OWASP's advice); numbers are left as they are."""
    if not isinstance(value, str):
        return value
    text = printable(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
