"""Natural order of names with numbers (sections S1, S2, S10, S100)."""

from __future__ import annotations

from scheduler.sorting import natural_key, naturally


def test_sections_sort_by_their_number_not_as_text():
    assert naturally(["S10", "S1", "S100", "S2", "S11"]) == ["S1", "S2", "S10", "S11", "S100"]


def test_letters_sort_without_case_and_before_longer_names():
    assert naturally(["room b", "Room A", "Room A2", "Room a10"]) == [
        "Room A",
        "Room A2",
        "Room a10",
        "room b",
    ]


def test_names_with_several_numbers_compare_each_number():
    assert naturally(["C2-10", "C2-9", "C10-1", "C1-100"]) == ["C1-100", "C2-9", "C2-10", "C10-1"]


def test_order_is_total_for_names_equal_as_numbers():
    assert natural_key("S01") != natural_key("S1")
    assert naturally(["S1", "S01", "S1"]) == naturally(["S01", "S1", "S1"])


def test_names_starting_with_a_number_and_empty_names_sort_without_errors():
    assert naturally(["", "10 Downing", "9 Elms", "Annex"]) == ["", "9 Elms", "10 Downing", "Annex"]
