"""What an import file would change: rows to create, rows to update, and every problem.

``preview_import`` reads the whole file and checks every row before anything is saved; the
same preview is computed again when the coordinator confirms, so that what is saved is checked
against the database as it is then, not as it was when the file was uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scheduler.imports.csv_formats import ImportFormat, NotUtf8, RowError, read_table
from scheduler.imports.kinds import PLANNERS
from scheduler.imports.layouts import read_export
from scheduler.imports.rows import CREATE, UNCHANGED, UPDATE, PlannedRow


@dataclass
class ImportPreview:
    """The outcome of checking a file: planned rows if it is good, errors if not."""

    fmt: ImportFormat
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    text: str = ""  # the decoded file, kept between preview and confirm

    @property
    def ok(self) -> bool:
        return not self.errors

    def rows_to(self, action: str) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts


def preview_import(fmt: ImportFormat, content: bytes | str) -> ImportPreview:
    """Check a whole file (raw bytes as uploaded, or its text) and plan what it would change."""
    preview = ImportPreview(fmt)
    if isinstance(content, bytes):
        if not content:
            preview.errors.append(RowError(1, "", "The file is empty (0 bytes)."))
            return preview
        try:
            content = read_export(content)
        except NotUtf8 as error:
            preview.errors.append(
                RowError(
                    error.line,
                    error.column,
                    "The file is not UTF-8 (or UTF-16) text. In your spreadsheet choose "
                    '"Save as: CSV UTF-8" and upload it again.',
                )
            )
            return preview
    preview.text = content
    table = read_table(content, fmt)
    preview.errors.extend(table.errors)
    if table.records:
        rows, errors = PLANNERS[fmt.kind](table.records)
        preview.rows = rows
        preview.errors.extend(errors)
    preview.errors.sort(key=lambda error: error.line)  # stable: columns stay in file order
    if preview.errors:
        preview.rows = []
    return preview
