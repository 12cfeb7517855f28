"""``timegrid.subtract``: what is left of intervals once others are taken out, checked minute by
minute, and against the plain pair-by-pair cut of ``localtime.subtract`` (which the grid's
version was before it bisected), on random normalised lists."""

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.localtime import subtract as reference
from solver.timegrid import normalise, subtract

intervals = st.lists(
    st.tuples(st.integers(-50, 400), st.integers(1, 60)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=12,
).map(normalise)


def minutes(listed: list[tuple[int, int]]) -> set[int]:
    return {m for a, b in listed for m in range(a, b)}


@given(intervals, intervals)
@settings(max_examples=400, deadline=None)
def test_subtract_keeps_exactly_the_minutes_not_removed(base, removed):
    """Every minute of the base outside the removed intervals is kept, no other, as a
    normalised list whose pieces each lie inside one base interval."""
    out = subtract(base, removed)
    assert minutes(out) == minutes(base) - minutes(removed)
    assert out == sorted(out)
    assert all(a < b for a, b in out)
    assert all(b <= c for (_, b), (c, _) in zip(out, out[1:], strict=False))
    assert all(any(a <= x and y <= b for a, b in base) for x, y in out)
    assert out == reference(base, removed)


def test_subtract_cuts_one_interval_in_two_and_leaves_touching_ones():
    """A removal inside an interval leaves both ends; intervals that only touch it are kept."""
    base = [(0, 10), (20, 30), (40, 50)]
    assert subtract(base, [(22, 25)]) == [(0, 10), (20, 22), (25, 30), (40, 50)]
    assert subtract(base, [(10, 20)]) == base
    assert subtract([(0, 10), (20, 30)], [(5, 25)]) == [(0, 5), (25, 30)]
    assert subtract([(0, 100)], [(10, 20), (30, 40)]) == [(0, 10), (20, 30), (40, 100)]
