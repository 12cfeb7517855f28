"""What an uploaded export looks like: its encoding, its separator and its header row.

HR systems and spreadsheets write "CSV" in several ways: UTF-8 with or without a byte order
mark, Excel's "Unicode text" (UTF-16 with a byte order mark, tab-separated), and semicolons
where the decimal separator is a comma. Everything is turned into one form here — comma-separated
text, one output line per input line so that line numbers in error messages still match the
file the coordinator has open — before the rows are read and checked.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io

from scheduler.imports.csv_formats import ImportFormat, NotUtf8, decode

SEPARATORS = (",", "\t", ";")


def read_export(content: bytes) -> str:
    """The text of an uploaded file as comma-separated values.

    Raises ``NotUtf8`` for a file in neither UTF-8 nor UTF-16 with a byte order mark (UTF-16
    without one cannot be told from binary data reliably).
    """
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError as error:
            raise NotUtf8(content.count(b"\n", 0, error.start) + 1, "") from error
    else:
        text = decode(content)
    return with_commas(text)


def separator_of(text: str) -> str:
    """The separator of the header line: the one of ``SEPARATORS`` it holds most of."""
    first = text.split("\n", 1)[0]
    counts = {separator: first.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def with_commas(text: str) -> str:
    """``text`` rewritten comma-separated; unchanged if it already is, or cannot be parsed."""
    separator = separator_of(text)
    if separator == ",":
        return text
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
            writer.writerow(cells)
    except csv.Error:
        return text  # reported with its line when read as CSV
    return out.getvalue()


def header_of(text: str) -> list[str]:
    """The header row's column names as written (trimmed); empty for an unreadable header."""
    try:
        row = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return []
    return [name.strip() for name in row]


def is_our_layout(fmt: ImportFormat, header: list[str]) -> bool:
    """Whether the header is written for ``fmt``: only our column names (one may be missing or
    twice), or all of them (with an extra one). Such a file gets the format's own header
    errors rather than a column-mapping step."""
    names = [name.lower() for name in header if name]
    only_ours = all(name in fmt.header for name in names)
    all_ours = all(column in names for column in fmt.header)
    return bool(names) and (only_ours or all_ours)


def layout_key(header: list[str]) -> str:
    """The identity of a header layout: the same report exported again has the same key."""
    normalised = "\x1f".join(name.strip().casefold() for name in header)
    return hashlib.sha256(normalised.encode()).hexdigest()
