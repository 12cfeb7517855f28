"""Reading numbers and dates from query strings and paths (scheduler/query.py)."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.query import LARGEST_ID, parse_date, parse_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        (str(LARGEST_ID), LARGEST_ID),
        (str(LARGEST_ID + 1), None),
        ("99999999999999999999", None),
        ("9" * 5000, None),  # int() itself refuses more than 4,300 digits
        ("-1", None),  # below the minimum of 0
        ("²", None),  # str.isdigit() says yes, int() says no
        ("١٢", None),  # int() reads it, but no page writes it
        ("1e3", None),
        ("1.5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_int_takes_plain_whole_numbers_in_range(text, expected):
    assert parse_int(text) == expected


def test_parse_int_bounds_and_default():
    assert parse_int("-3", minimum=-5) == -3
    assert parse_int("6", 1, maximum=5) == 1
    assert parse_int("x", 4) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-11", date(2027, 1, 11)),
        ("9999-12-31", None),  # a week later does not exist
        ("0001-01-01", None),
        ("2027-02-30", None),
        ("2027-1-1", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_takes_iso_dates_far_from_the_ends_of_the_calendar(text, expected):
    assert parse_date(text) == expected
