"""Lists of names (learner ids, tags, skills) read in one pass when nothing is wrong with them
(``validate_common.plain_names``) give what reading each name at its own JSON path gives: the
same names, and for any list with a problem the same errors at the same paths."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from solver.fields import Reader, join
from solver.limits import MAX_TEXT
from solver.validate_common import read_names


def read_each(value, path):
    """``read_names`` as it was: every name read at its own path, then duplicates reported."""
    r = Reader()
    names = r.list_of(r.text)(value, path)
    if names is None:
        return None, r.errors
    seen = {}
    for k, name in enumerate(names):
        if name in seen:
            r.error(join(path, k), f"'{name}' is listed twice (also at {join(path, seen[name])})")
        seen.setdefault(name, k)
    return tuple(names), r.errors


class Name(str):
    """A str that is not exactly ``str`` (JSON never gives one, a caller's dict might)."""


names = st.one_of(
    st.sampled_from(["e1", "e2", "ana", "lon-1", "", " ", "\t\n", "\u2003", "x" * MAX_TEXT,
                     "x" * (MAX_TEXT + 1), " e1 "]),
    st.text(max_size=4),
    st.integers(0, 3), st.none(), st.booleans(), st.lists(st.text(max_size=2), max_size=1),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)  # fmt: skip
values = st.lists(names, max_size=8) | names | st.tuples(st.text(max_size=2))


@settings(max_examples=600, deadline=None)
@given(value=values)
@example(value=["e1", "x" * (MAX_TEXT + 1)])
@example(value=["e1", "x" * MAX_TEXT, " "])
@example(value=["e1", "\u2003"])
@example(value=["e1", "e2", "e1"])
@example(value=["e1", ["e1"]])
@example(value=["e1", Name("e2"), Name(" ")])  # not plain str: read name by name
@example(value=[Name("e1"), "e1"])
def test_names_read_at_once_are_those_read_one_by_one(value):
    r = Reader()
    found = read_names(r, value, "cohorts[0].learners")
    expected, errors = read_each(value, "cohorts[0].learners")
    assert (found, r.errors) == (expected, errors)


def test_a_list_with_a_problem_names_each_at_its_path():
    r = Reader()
    assert read_names(r, ["e1", "", "e1", 7], "cohorts[2].learners") is None
    assert [e["path"] for e in r.errors] == ["cohorts[2].learners[1]", "cohorts[2].learners[3]"]
    r = Reader()
    assert read_names(r, ["e1", "e2", "e1"], "cohorts[2].learners") == ("e1", "e2", "e1")
    assert r.errors == [{"path": "cohorts[2].learners[2]",
                         "message": "'e1' is listed twice (also at cohorts[2].learners[0])"}]  # fmt: skip
