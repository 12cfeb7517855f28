"""The order people expect for names with numbers in them ("natural" order): S2 before S10.

Section keys (S1, S2, ..., S10, S100), room and cohort names sort as text would put S10 and S100
before S2; every list the app shows of such names sorts with ``natural_key`` instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_NUMBERS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """A sort key that compares runs of digits as numbers and the rest without case:
    ``S2`` < ``S10`` < ``s100``. Ties (``S01`` and ``S1``) fall back to the text itself, so the
    order is total and the same every time."""
    parts = _NUMBERS.split(text or "")
    # split() with a group alternates text (even places) and digits (odd places), so the same
    # places always hold the same type and the tuples compare without a TypeError.
    return (
        tuple(int(part) if index % 2 else part.casefold() for index, part in enumerate(parts)),
        text or "",
    )


def naturally(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """``items`` in natural order of ``key(item)`` (see ``natural_key``)."""
    return sorted(items, key=lambda item: natural_key(key(item)))
