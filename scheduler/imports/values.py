"""Reading single cells of an import file: e-mails, dates, times, zones, numbers and lists.

Each parser takes the stripped text of a non-empty cell and returns the value, or raises
``CellError`` with a message that tells the coordinator what to write instead.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from scheduler.forms.fields import ID_PATTERN, slugify
from scheduler.forms.timezones import canonical_timezone, unknown_timezone_hint

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A cohort's defaults when a cell is empty, the same as the solver's problem format.
DEFAULT_DAYS = "mon,tue,wed,thu,fri"
DEFAULT_FROM = time(9, 0)
DEFAULT_TO = time(17, 0)
DEFAULT_UNSCHEDULED_COST = 10000.0
DAY_NAMES = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0"}
LIST_SEPARATORS = re.compile(r"[\s;]+")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CLOCK_PATTERN = re.compile(r"([0-9]{1,2}):([0-9]{2})")
# RFC 5322 dot-atom, the form of nearly every real local part ("first.last+tag").
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
AMOUNT_PATTERN = re.compile(r"[0-9]+(\.[0-9]+)?")


class CellError(ValueError):
    """The text of a cell is not a valid value for its column."""


def text(value: str, max_length: int) -> str:
    if len(value) > max_length:
        raise CellError(
            f"this value is {len(value)} characters long; at most {max_length} are allowed"
        )
    return value


def external_id(value: str) -> str:
    """A stable id of an imported row: no spaces or semicolons, so that lists can name it."""
    if not re.fullmatch(ID_PATTERN, value):
        raise CellError(f"{value!r} contains a space or semicolon; ids may not")
    return text(value, 64)


def email(value: str) -> str:
    """A syntactically valid address, lower-cased so that matching ignores case."""
    if len(value) > 254:
        raise CellError("this address is longer than 254 characters")
    local, _, domain = value.rpartition("@")
    # Fast path for the usual plain-ASCII local part: only the domain needs the full check,
    # and a file's thousands of addresses share a handful of domains.
    if len(local) <= 64 and DOT_ATOM.fullmatch(local) and _domain_is_valid(domain.lower()):
        return value.lower()
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise CellError(f"{value!r} is not a valid e-mail address ({error})") from error
    return value.lower()


@lru_cache(maxsize=1024)
def _domain_is_valid(domain: str) -> bool:
    try:
        validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def day(value: str) -> date:
    """A calendar date written YYYY-MM-DD (spreadsheets' own formats vary by locale)."""
    if not DATE_PATTERN.fullmatch(value):
        raise CellError(f"{value!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CellError(f"{value!r} is not a real date ({error})") from error


def clock(value: str) -> time:
    """A time of day written HH:MM, 00:00 to 23:59."""
    match = CLOCK_PATTERN.fullmatch(value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise CellError(f"{value!r} is not a time of day written HH:MM (00:00 to 23:59)")
    return time(int(match[1]), int(match[2]))


def timezone(value: str) -> str:
    """An IANA time zone name in any case, returned as spelled in the tz database."""
    name = canonical_timezone(value)
    if name is None:
        hint = unknown_timezone_hint(value).rstrip(".?")
        raise CellError(f"{value!r} is not a known time zone ({hint})")
    return name


def amount(value: str) -> float:
    """A number of 0 or more such as 85 or 85.50 (money, costs), without thousands separators."""
    if value.startswith("-") and AMOUNT_PATTERN.fullmatch(value[1:]):
        raise CellError(f"{value!r} is negative; it must be 0 or more")
    if not AMOUNT_PATTERN.fullmatch(value):
        raise CellError(f"{value!r} is not a number (write it like 1250 or 1250.50)")
    number = float(value)
    if number >= 10**10:
        raise CellError(f"{value!r} is too large")
    return round(number, 2)


def minutes(value: str, largest: int = 1440) -> int:
    """A whole number of minutes from 0 to ``largest``."""
    if not re.fullmatch(r"[0-9]+", value):
        raise CellError(f"{value!r} is not a whole number of minutes")
    if len(value) > 9:  # int() refuses more than 4,300 digits with an error of its own
        raise CellError(f"{value[:12]!r}... is more than {largest} minutes")
    number = int(value)
    if number > largest:
        raise CellError(f"{value!r} is more than {largest} minutes")
    return number


def flag(value: str) -> bool:
    """yes/no (also true/false, y/n, 1/0), in any case."""
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"{value!r} is not yes or no")


def names(value: str) -> list[str]:
    """Ids or skills separated by spaces or semicolons, in order, without repeats."""
    seen: dict[str, None] = {}
    for item in LIST_SEPARATORS.split(value):
        if item:
            seen.setdefault(item, None)
    return list(seen)


def skills(value: str, max_length: int = 64) -> list[str]:
    """Skills separated by spaces or semicolons, as the slugs facilitators' forms store.

    "POS; Security" gives ["pos", "security"], so that an imported skill matches a program's
    required skill however either was typed.
    """
    slugs: dict[str, None] = {}
    for name in names(value):
        slug = slugify(name)
        if not slug:
            raise CellError(f"the skill {name!r} must contain letters or digits")
        if len(slug) > max_length:
            raise CellError(f"the skill {name[:20]!r}... is longer than {max_length} characters")
        slugs.setdefault(slug, None)
    return list(slugs)


def weekdays(value: str) -> str:
    """Weekdays as stored on a cohort: "mon,tue,wed" in calendar order.

    Accepts three-letter or full names ("Monday"), separated by spaces, semicolons or commas.
    """
    chosen = set()
    for item in re.split(r"[\s;,]+", value.lower()):
        if not item:
            continue
        short = DAY_NAMES.get(item, item)
        if short not in WEEKDAYS:
            raise CellError(f"{item!r} is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
        chosen.add(short)
    return ",".join(day for day in WEEKDAYS if day in chosen)
