"""Column mappings: turning an HR system's export into one of our import formats.

A Workday or BambooHR worker report names its columns its own way ("Employee ID", "Legal Name",
"Work Email", "Supervisor Email") and writes dates and names in its own formats. A mapping says,
for each of our columns, which of the file's columns hold it (two for a name split into first
and last), how dates are written, and whether names are written "Last, First". ``guess`` makes
a first mapping from the header names; ``remap`` rewrites a file into our format, keeping line
numbers, so every error still points at the line the coordinator sees in the original file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from scheduler.imports.csv_formats import ImportFormat

#: How dates may be written, with the strptime pattern of each.
DATE_FORMATS: dict[str, tuple[str, str]] = {
    "iso": ("YYYY-MM-DD (2027-01-31)", "%Y-%m-%d"),
    "dmy": ("DD/MM/YYYY (31/01/2027)", "%d/%m/%Y"),
    "mdy": ("MM/DD/YYYY (01/31/2027)", "%m/%d/%Y"),
    "dmy_dots": ("DD.MM.YYYY (31.01.2027)", "%d.%m.%Y"),
    "d_mon_y": ("D Mon YYYY (31 Jan 2027)", "%d %b %Y"),
    "mon_d_y": ("Mon D, YYYY (Jan 31, 2027)", "%b %d, %Y"),
}
NAME_ORDERS = {
    "as_written": "As written (Amira Haddad)",
    "last_first": "Last, First (Haddad, Amira)",
}
#: Our columns that hold dates, and those that hold a list (several columns join with ";").
DATE_COLUMNS = frozenset({"earliest", "deadline"})
LIST_COLUMNS = frozenset({"learners", "skills"})
#: How many of the file's columns may make up one of ours.
PARTS = {"name": 2}

#: Header names HR systems use for each of our columns, normalised (see ``_normal``), best
#: first. Sources: Workday and BambooHR report field names, SAP SuccessFactors, Personio.
GUESSES: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "employeeid",
        "workerid",
        "employeenumber",
        "employeeno",
        "personnumber",
        "staffid",
        "personid",
        "userid",
        "facilitatorid",
        "cohortid",
        "employee",  # BambooHR's "Employee #"
    ),
    "name": (
        "name",
        "fullname",
        "legalname",
        "preferredname",
        "workername",
        "employeename",
        "displayname",
    ),
    "email": (
        "email",
        "workemail",
        "emailaddress",
        "businessemail",
        "primaryworkemail",
        "emailprimarywork",
        "workemailaddress",
        "mail",
    ),
    "team": (
        "team",
        "department",
        "supervisoryorganization",
        "division",
        "organization",
        "orgunit",
        "costcenter",
    ),
    "manager_email": (
        "manageremail",
        "supervisoremail",
        "reportstoemail",
        "managerworkemail",
        "linemanageremail",
        "supervisorworkemail",
    ),
    "timezone": ("timezone", "tz", "worktimezone", "defaulttimezone"),
    "site": ("site", "location", "worklocation", "locationcode", "office", "primarylocation"),
    "program": ("program", "programme", "course", "coursecode", "training", "programid"),
    "earliest": ("earliest", "startdate", "start", "from date", "availablefrom"),
    "deadline": ("deadline", "duedate", "due", "enddate", "completeby"),
    "days": ("days", "weekdays", "workdays"),
    "from": ("from", "dailystart", "shiftstart", "starttime"),
    "to": ("to", "dailyend", "shiftend", "endtime"),
    "mergeable": ("mergeable",),
    "splittable": ("splittable",),
    "unscheduled_cost": ("unscheduledcost", "costuntrained"),
    "learners": ("learners", "members", "employeeids", "participants"),
    "skills": ("skills", "competencies", "qualifications", "certifications"),
    "hourly_rate": ("hourlyrate", "rate", "payrate", "dayrate"),
    "session_fee": ("sessionfee", "fee"),
    "max_minutes_per_day": ("maxminutesperday",),
    "buffer_minutes": ("bufferminutes", "buffer"),
}
FIRST_NAMES = ("firstname", "givenname", "legalfirstname", "preferredfirstname", "forename")
LAST_NAMES = ("lastname", "surname", "familyname", "legallastname", "preferredlastname")
IANA_IN_TEXT = re.compile(r"\b([A-Z][A-Za-z_]+(?:/[A-Za-z_+\-0-9]+)+)\b")


@dataclass
class ColumnMapping:
    """For each of our columns, the file's columns that hold it (empty: not in the file)."""

    columns: dict[str, list[str]] = field(default_factory=dict)
    date_format: str = "iso"
    name_order: str = "as_written"


def _normal(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def guess(fmt: ImportFormat, header: list[str], sample: list[list[str]]) -> ColumnMapping:
    """A first mapping from the file's header names: each of ours to the best-named column."""
    by_normal = {}
    for name in header:
        by_normal.setdefault(_normal(name), name)
    taken: set[str] = set()
    mapping = ColumnMapping()
    for column in fmt.header:
        found = [
            by_normal[_normal(g)] for g in GUESSES.get(column, (column,)) if _normal(g) in by_normal
        ]
        found = [name for name in found if name not in taken]
        if found:
            mapping.columns[column] = [found[0]]
            taken.add(found[0])
    if "name" in fmt.header and "name" not in mapping.columns:
        first = next((by_normal[n] for n in FIRST_NAMES if n in by_normal), None)
        last = next((by_normal[n] for n in LAST_NAMES if n in by_normal), None)
        if first and last:
            mapping.columns["name"] = [first, last]
    mapping.date_format = guess_date_format(_date_values(fmt, mapping, header, sample))
    return mapping


def _date_values(fmt, mapping, header, sample) -> list[str]:
    values = []
    for column in DATE_COLUMNS & set(fmt.header):
        for source in mapping.columns.get(column, []):
            index = header.index(source)
            values += [
                row[index].strip() for row in sample if index < len(row) and row[index].strip()
            ]
    return values


def guess_date_format(values: list[str]) -> str:
    """The date format all ``values`` parse in, preferring ISO; a day above 12 settles
    day-first against month-first."""
    for key in DATE_FORMATS:
        if values and all(_parse_date(value, key) for value in values):
            return key
    return "iso"


def _parse_date(value: str, date_format: str) -> str | None:
    """``value`` as YYYY-MM-DD if it is written in ``date_format`` (a time after it, as some
    exports add, is ignored); ``None`` if it is not."""
    day_part = value.strip().split("T")[0]
    if date_format != "d_mon_y" and date_format != "mon_d_y":
        day_part = day_part.split(" ")[0]
    try:
        return datetime.strptime(day_part, DATE_FORMATS[date_format][1]).date().isoformat()
    except ValueError:
        return None


def problems(fmt: ImportFormat, mapping: ColumnMapping) -> dict[str, str]:
    """What makes a mapping unusable, by our column: a required one unmapped, or one of the
    file's columns given to two of ours."""
    found: dict[str, str] = {}
    used: dict[str, str] = {}
    for column in fmt.columns:
        sources = mapping.columns.get(column.name, [])
        if column.required and not sources:
            found[column.name] = f"Choose the file's column that holds {column.name}."
        for source in sources:
            if source in used:
                found[column.name] = f"{source!r} is already used for {used[source]}."
            used.setdefault(source, column.name)
    return found


def remap(fmt: ImportFormat, mapping: ColumnMapping, text: str) -> str:
    """``text`` (comma-separated, with the file's header) rewritten in ``fmt``'s columns.

    Each record starts on the same line as in the original: a record that spanned several
    lines (a quoted line break) is followed by blank lines, which the reader skips but counts.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    index = {name: position for position, name in enumerate(header)}
    out = io.StringIO()
    lines = _write_row(out, fmt.header)
    previous_end = reader.line_num
    for cells in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank: the padding below keeps the count
        out.write("\n" * (start - 1 - lines))
        lines = start - 1
        lines += _write_row(out, [_value(column, mapping, index, cells) for column in fmt.header])
    return out.getvalue()


def _write_row(out: io.StringIO, cells: list[str]) -> int:
    """Write one CSV row; return how many lines it took."""
    row = io.StringIO()
    csv.writer(row, lineterminator="\n").writerow(cells)
    out.write(row.getvalue())
    return row.getvalue().count("\n")


def _value(column: str, mapping: ColumnMapping, index: dict[str, int], cells: list[str]) -> str:
    parts = [
        cells[index[source]].strip()
        for source in mapping.columns.get(column, [])
        if source in index and index[source] < len(cells)
    ]
    parts = [part for part in parts if part]
    value = (";" if column in LIST_COLUMNS else " ").join(parts)
    if column == "name" and mapping.name_order == "last_first" and len(parts) == 1:
        value = _first_last(value)
    if column in DATE_COLUMNS and value:
        value = _parse_date(value, mapping.date_format) or value
    if column == "timezone" and value:
        value = _iana_zone(value)
    return value


def _first_last(name: str) -> str:
    """ "Haddad, Amira" → "Amira Haddad"; a name without a comma stays as it is."""
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if comma else name


def _iana_zone(value: str) -> str:
    """Workday writes zones as "GMT+01:00 Central European Time (Europe/Paris)": keep the IANA
    name when one is in the text; otherwise the value is checked as it is."""
    match = IANA_IN_TEXT.search(value)
    return match[1] if match else value
