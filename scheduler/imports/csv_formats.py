"""The three CSV import formats and the reading of an uploaded file into rows.

Each format lists its columns with a description and an example; the import page, the template
CSV and docs/imports.md all describe the same columns. Reading checks what any CSV file must get
right (encoding, header, one value per column) before the rows are checked one by one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from scheduler.text import control_character


@dataclass(frozen=True)
class Column:
    """One column of an import format, as documented to the coordinator."""

    name: str
    description: str
    example: str
    required: bool = False


@dataclass(frozen=True)
class ImportFormat:
    """What one kind of import file looks like."""

    kind: str  # used in URLs: "learners", "cohorts", "facilitators"
    title: str
    summary: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def template_csv(self) -> str:
        """A CSV file with the header row and one example row, for coordinators to fill in."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerow([column.example for column in self.columns])
        return buffer.getvalue()


LEARNERS = ImportFormat(
    kind="learners",
    title="Learners",
    summary="Employees who attend training, matched by their employee id.",
    columns=(
        Column(
            "id", "Employee id from HR; stable, used to match rows on re-import.", "E10234", True
        ),
        Column("name", "Full name.", "Amira Haddad", True),
        Column(
            "email", "Work e-mail address, unique per learner.", "amira.haddad@example.com", True
        ),
        Column("team", "Team or department (may be empty).", "Store 12 - Tills"),
        Column(
            "manager_email",
            "E-mail of the learner's manager; must be a manager account (may be empty).",
            "jo.manager@example.com",
        ),
        Column(
            "timezone",
            "IANA time zone such as Europe/London; empty = the site's time zone.",
            "Europe/London",
        ),
        Column(
            "site", "Id of the learner's site as shown on the Sites page (may be empty).", "LON"
        ),
    ),
)

COHORTS = ImportFormat(
    kind="cohorts",
    title="Cohorts",
    summary=(
        "Groups of learners who must take a program, with their learners. A cohort's "
        "membership is replaced by the learners listed in the file."
    ),
    columns=(
        Column("id", "Cohort id; stable, used to match rows on re-import.", "POS-LON-1", True),
        Column("program", "Id of the program the cohort must take.", "POS-BASICS", True),
        Column("site", "Id of the cohort's site (may be empty for virtual training).", "LON"),
        Column(
            "timezone",
            "IANA time zone of the attendance hours; empty = the site's time zone.",
            "Europe/London",
        ),
        Column(
            "earliest", "First day training may start, YYYY-MM-DD (may be empty).", "2027-01-04"
        ),
        Column(
            "deadline", "Last day training may happen, YYYY-MM-DD (may be empty).", "2027-03-26"
        ),
        Column(
            "days",
            "Weekdays the cohort can attend, e.g. mon tue wed; empty = mon to fri.",
            "mon tue wed thu",
        ),
        Column("from", "Daily attendance start, HH:MM; empty = 09:00.", "08:30"),
        Column("to", "Daily attendance end, HH:MM, after from; empty = 17:00.", "16:00"),
        Column(
            "mergeable", "yes or no: may share a section with other cohorts; empty = yes.", "yes"
        ),
        Column("splittable", "yes or no: may be split across sections; empty = yes.", "no"),
        Column(
            "unscheduled_cost",
            "Cost of leaving one learner untrained, a number; empty = 10000.",
            "5000",
        ),
        Column(
            "learners",
            "Employee ids of the cohort's learners, separated by spaces or semicolons; "
            "each must already exist (import learners first).",
            "E10234;E10235;E10236",
        ),
    ),
)

FACILITATORS = ImportFormat(
    kind="facilitators",
    title="Facilitators",
    summary=(
        "People who teach. A new facilitator gets a sign-in account with a random password "
        "that must be reset before first use; an existing one has their profile updated."
    ),
    columns=(
        Column("id", "Facilitator id; stable, used to match rows on re-import.", "F-017", True),
        Column("name", "Full name.", "Sam Okafor", True),
        Column("email", "E-mail address, used to sign in.", "sam.okafor@example.com", True),
        Column(
            "skills",
            "Skills the facilitator may teach, separated by spaces or semicolons; write a "
            "skill of several words with hyphens (point-of-sale). Case and punctuation do not "
            "matter when matching each program's required skill.",
            "pos;security",
        ),
        Column("site", "Id of the facilitator's home site (may be empty).", "MAN"),
        Column(
            "timezone",
            "IANA time zone of the facilitator; empty = the site's time zone.",
            "Europe/London",
        ),
        Column("hourly_rate", "Cost per teaching hour, a number; empty = 0.", "85"),
        Column("session_fee", "Fixed cost per session taught, a number; empty = 0.", "40"),
        Column(
            "max_minutes_per_day",
            "Most teaching minutes in one day, a whole number; empty = no limit.",
            "360",
        ),
        Column("buffer_minutes", "Minutes kept free between sessions; empty = 0.", "15"),
    ),
)

FORMATS: dict[str, ImportFormat] = {fmt.kind: fmt for fmt in (LEARNERS, COHORTS, FACILITATORS)}


@dataclass(frozen=True, order=True)
class RowError:
    """A problem in the file: its 1-based line (the header is line 1), column and message."""

    line: int
    column: str
    message: str


@dataclass(frozen=True)
class Record:
    """One data row of the file: its line number and its raw text per column."""

    line: int
    values: dict[str, str]


@dataclass
class Table:
    """The data rows of a file, or the reasons it could not be read."""

    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class NotUtf8(ValueError):
    """The file is not UTF-8 text; ``line`` and ``column`` say where the first bad byte is."""

    def __init__(self, line: int, column: str):
        super().__init__(f"line {line}")
        self.line = line
        self.column = column


def decode(content: bytes) -> str:
    """The text of an uploaded file: UTF-8, with or without a byte order mark.

    Raises ``NotUtf8`` with the place of the first undecodable byte, so that a file saved as
    Latin-1 or UTF-16 by a spreadsheet is reported where the accented name is.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start + (3 if content.startswith(b"\xef\xbb\xbf") else 0)
        raise _not_utf8_at(content, start) from error
    if "\x00" in text:  # a UTF-16 or binary file; no database stores NUL in text either
        raise _not_utf8_at(content, content.index(b"\x00"))
    return text


def _not_utf8_at(content: bytes, start: int) -> NotUtf8:
    line_start = content.rfind(b"\n", 0, start) + 1
    line = content.count(b"\n", 0, start) + 1
    before = content[line_start:start].decode("utf-8", errors="replace")
    header = _first_line_fields(content)
    # A line start holding only "\r" reads as no field at all: count it as the first column.
    index = max(len(_fields_of(before)) - 1, 0)
    column = header[index] if line > 1 and index < len(header) else ""
    return NotUtf8(line, column)


def _first_line_fields(content: bytes) -> list[str]:
    first = content.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    return [name.strip().lower() for name in _fields_of(first)]


def _fields_of(text: str) -> list[str]:
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return []


def read_table(text: str, fmt: ImportFormat) -> Table:
    """The data rows of ``text``, after checking the header against ``fmt``.

    Blank lines are skipped but still counted, so line numbers match what a text editor or
    spreadsheet shows.
    """
    table = Table()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        return Table(errors=[RowError(1, "", f"The header row cannot be read: {error}.")])
    if header is None or not any(cell.strip() for cell in header):
        return Table(errors=[RowError(1, "", "The file is empty: expected a header row.")])
    names = [name.strip().lower() for name in header]
    table.errors = check_header(names, fmt)
    if table.errors:
        return table
    _read_records(reader, names, table)
    if not table.records and not table.errors:
        table.errors.append(RowError(2, "", "The file has a header row but no data rows."))
    return table


def _read_records(reader, names: list[str], table: Table) -> None:
    previous_end = 1
    while True:
        start = previous_end + 1
        try:
            cells = next(reader, None)
        except csv.Error as error:
            table.errors.append(RowError(start, "", f"This line cannot be read as CSV: {error}."))
            return
        if cells is None:
            return
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names):
            table.errors.append(
                RowError(
                    start,
                    "",
                    f"This row has {len(cells)} values but the header has {len(names)} columns.",
                )
            )
            continue
        values = dict(zip(names, cells, strict=True))
        broken = _cells_with_control_characters(start, values)
        if broken:
            table.errors.extend(broken)
            continue
        table.records.append(Record(start, values))


def _cells_with_control_characters(line: int, values: dict[str, str]) -> list[RowError]:
    """Every value of an import is one line: a line break inside a quoted cell (or another
    control character) would break the calendars and e-mails that show it."""
    errors = []
    for column, value in values.items():
        found = control_character(value.strip())
        if found:
            errors.append(
                RowError(
                    line,
                    column,
                    f"This value must be on one line, without line breaks or other control "
                    f"characters (found {found}).",
                )
            )
    return errors


def check_header(names: list[str], fmt: ImportFormat) -> list[RowError]:
    """Errors of a header row: every documented column exactly once, nothing else.

    Every column is required in the header, even those whose values may be empty, so that
    a missing column never silently resets a field to its default on re-import.
    """
    errors = []
    expected = set(fmt.header)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(RowError(1, name, f"Column {name!r} appears twice in the header."))
        elif name not in expected:
            shown = name or "(empty)"
            errors.append(
                RowError(
                    1,
                    name,
                    f"Unknown column {shown!r}; the columns are: {', '.join(fmt.header)}.",
                )
            )
        seen.add(name)
    for name in fmt.header:
        if name not in seen:
            errors.append(RowError(1, name, f"Column {name!r} is missing from the header."))
    return errors
