"""Reading a JSON file whatever it holds: every failure is an error with a JSON path, never an
exception (NaN and Infinity where they stand, nesting too deep for Python where it goes past).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from solver.fields import join
from solver.limits import MAX_DEPTH

Error = dict[str, str]


def load_json_file(path: str | Path) -> tuple[Any, list[Error]]:
    """The JSON value of a file, or errors saying plainly why it cannot be read: at "$" for a file
    that is missing, empty, not UTF-8 or not JSON, at the value's own path for NaN or Infinity."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, [{"path": "$", "message": f"cannot read {path}: {exc.strerror or exc}"}]
    if not raw.strip():
        return None, [{"path": "$", "message": "the file is empty"}]
    try:
        text = raw.decode("utf-8-sig")  # tolerate the byte-order mark some Windows editors add
    except UnicodeDecodeError as exc:
        return None, [{"path": "$", "message": f"the file is not UTF-8 text (byte {exc.start})"}]
    return read_json(text)


def read_json(text: str) -> tuple[Any, list[Error]]:
    """The JSON value of ``text`` (see ``load_json_file``); never raises on any input."""
    constants: list[str] = []

    def constant(name: str) -> float:
        constants.append(name)
        return _Constant(name)

    try:
        doc = json.loads(text, parse_constant=constant, parse_int=_integer)
    except RecursionError:  # Python's parser recurses once per level: a few thousand is enough
        return None, [_too_deep(text)]
    except ValueError as exc:
        return None, [{"path": "$", "message": f"the file is not valid JSON: {exc}"}]
    if constants:
        return None, [
            {"path": where, "message": f"{value} is not a JSON number"}
            for where, value in _walk(doc)
            if isinstance(value, _Constant)
        ]
    return doc, []


class _Constant(float):
    """NaN, Infinity or -Infinity as written in a file: not JSON, reported where it stands."""

    def __repr__(self) -> str:
        return "NaN" if math.isnan(self) else ("Infinity" if self > 0 else "-Infinity")

    __str__ = __repr__


def _integer(text: str) -> int | float:
    """A JSON integer; one of hundreds of digits becomes infinity for the range checks to refuse
    (Python refuses to convert more than 4,300 digits, and such a value is wrong anyway)."""
    if len(text) <= _MAX_INTEGER_DIGITS:
        return int(text)
    return -math.inf if text.startswith("-") else math.inf


_MAX_INTEGER_DIGITS = 300


def _walk(doc: Any):
    """Every ``(path, value)`` in a JSON value, without recursion."""
    stack = [("$", doc)]
    while stack:
        where, value = stack.pop()
        yield where, value
        if isinstance(value, dict):
            stack.extend((join(where, str(k)), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((join(where, k), v) for k, v in enumerate(value))


def _too_deep(text: str) -> Error:
    """The error for a document nested past ``MAX_DEPTH``: the path and line where it goes past."""
    stack: list[list[Any]] = []  # per open container: its kind and current key or index
    line, start_of_line, in_string, escaped, string_start, last_string = 1, 0, False, False, 0, ""
    for k, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string, last_string = False, text[string_start:k]
            continue
        if ch == '"':
            in_string, string_start = True, k + 1
        elif ch == "\n":
            line, start_of_line = line + 1, k + 1
        elif ch == ":" and stack and stack[-1][0] == "{":
            stack[-1][1] = last_string
        elif ch == "," and stack and stack[-1][0] == "[":
            stack[-1][1] += 1
        elif ch in "[{":
            if len(stack) == MAX_DEPTH:
                return {
                    "path": _path_of(stack),
                    "message": (
                        f"the file nests lists and objects more than {MAX_DEPTH} levels deep "
                        f"(line {line}, column {k - start_of_line + 1}); a problem or schedule needs about 8"
                    ),
                }
            stack.append([ch, 0 if ch == "[" else ""])
        elif ch in "]}" and stack:
            stack.pop()
    return {"path": "$", "message": "the file nests lists and objects too deeply to read"}


def _path_of(stack: list[list[Any]]) -> str:
    """The JSON path of the innermost open container, its first few steps only."""
    where = "$"
    for kind, key in stack[:_SHOWN_STEPS]:
        where = join(where, key if kind == "[" else str(key))
    return where + ("…" if len(stack) > _SHOWN_STEPS else "")


_SHOWN_STEPS = 6
