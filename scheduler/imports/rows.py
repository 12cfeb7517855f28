"""The building blocks of checking rows: reading cells, planned rows and their changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from scheduler.imports.csv_formats import Record, RowError
from scheduler.imports.values import CellError
from scheduler.models import Learner, Program, Site, User

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class Change:
    """One column whose value the import changes, shown as text."""

    column: str
    old: str
    new: str


@dataclass
class PlannedRow:
    """One good row of the file and what saving it will do.

    ``values`` holds model attribute values (objects for references); ``existing`` is the
    object the row's id matches, or None for a new one.
    """

    line: int
    key: str
    label: str
    values: dict[str, Any]
    existing: Any = None
    changes: list[Change] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.existing is None:
            return CREATE
        return UPDATE if self.changes else UNCHANGED


class RowReader:
    """Reads the cells of one record, recording an error for each bad cell."""

    def __init__(self, record: Record, errors: list[RowError]):
        self.record = record
        self.errors = errors
        self.failed = False

    def cell(
        self,
        column: str,
        parse: Callable[[str], Any] | None = None,
        *,
        required: bool = False,
        default: Any = None,
    ) -> Any:
        """The parsed value of ``column``, ``default`` if empty, None after an error."""
        raw = self.record.values[column].strip()
        if not raw:
            if required:
                self.fail(column, "A value is required in this column.")
            return default
        if parse is None:
            return raw
        try:
            return parse(raw)
        except CellError as error:
            self.fail(column, f"{str(error)[0].upper()}{str(error)[1:]}.")
            return None

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.record.line, column, message))
        self.failed = True


class UniqueInFile:
    """Remembers where each value of a column was first seen, to report repeats."""

    def __init__(self, what: str):
        self.what = what
        self.first_line: dict[str, int] = {}

    def check(self, reader: RowReader, column: str, value: str | None) -> None:
        if value is None:
            return
        first = self.first_line.setdefault(value, reader.record.line)
        if first != reader.record.line:
            reader.fail(column, f"The {self.what} {value!r} is already used on line {first}.")


def shown(value: Any) -> str:
    """A value as the coordinator wrote it in the file, to compare and display changes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".removesuffix(".00")  # 85.0 and "85" are the same amount
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, User):
        return value.email
    if isinstance(value, Site | Program | Learner):
        return value.key
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(sorted(shown(item) for item in value))
    return str(value)


def changes_between(
    old: dict[str, Any], new: dict[str, Any], column_of: dict[str, str]
) -> list[Change]:
    """The columns whose shown value differs between an object's ``old`` and ``new`` values."""
    changes = []
    for attribute, value in new.items():
        before, after = shown(old.get(attribute)), shown(value)
        if before != after:
            changes.append(Change(column_of.get(attribute, attribute), before, after))
    return changes
