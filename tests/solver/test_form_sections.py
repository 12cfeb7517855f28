"""Cohorts go first-fit into sections (``greedy.form_sections``): each chunk joins the first
section opened that still has room for it and may take it, else opens one. The sections are
searched by the learners they seat (``greedy._Seated``) instead of one by one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from solver import candidates
from solver.greedy import _Seated, form_sections
from tests.solver.tiny import cohort, doc, problem, program


def test_a_chunk_joins_the_first_section_opened_with_room_for_it():
    """Capacity 10: 7 opens a section, 6 opens a second, 3 joins the first (7 + 3), 4 the
    second (6 + 4), 2 finds both full and opens a third."""
    sizes = {"c1": 7, "c2": 6, "c3": 3, "c4": 4, "c5": 2}
    cand = candidates.build(problem(doc(
        programs=[program(seats=[1, 10])],
        cohorts=[cohort(c, size) for c, size in sizes.items()],
    )))  # fmt: skip
    (group,) = cand.groups.values()
    assert form_sections(cand, group, dict(sizes)) == [
        {"c1": 7, "c3": 3},
        {"c2": 6, "c4": 4},
        {"c5": 2},
    ]


def test_a_cohort_that_may_not_merge_is_passed_over_for_a_later_section():
    """c2 may not merge: it opens its own section; c3 skips it for the first one with room."""
    cand = candidates.build(problem(doc(
        programs=[program(seats=[1, 10])],
        cohorts=[cohort("c1", 8), cohort("c2", 2, mergeable=False), cohort("c3", 5),
                 cohort("c4", 2)],
    )))  # fmt: skip
    (group,) = cand.groups.values()
    sections = form_sections(cand, group, {"c1": 8, "c2": 2, "c3": 5, "c4": 2})
    assert sections == [{"c1": 8, "c4": 2}, {"c2": 2}, {"c3": 5}]


# A step: open a section seating n, or add n to section k (taken modulo those open).
steps = st.lists(
    st.one_of(
        st.tuples(st.just("open"), st.integers(1, 12)),
        st.tuples(st.just("add"), st.integers(0, 50), st.integers(1, 6)),
    ),
    max_size=60,
)


@given(steps, st.integers(0, 20))
def test_the_sections_with_at_most_n_seated_are_those_a_scan_finds_in_order(steps, n):
    seated, counts = _Seated(), []
    for step in steps:
        if step[0] == "open":
            seated.open(step[1])
            counts.append(step[1])
        elif counts:
            k = step[1] % len(counts)
            seated.add(k, step[2])
            counts[k] += step[2]
        assert list(seated.at_most(n)) == [k for k, c in enumerate(counts) if c <= n]
