"""The cycle collector is paused while a first schedule is built (``solver.gcpause``), and only
then: nested and concurrent pauses end with the last one, and a collector that was off before
stays off."""

from __future__ import annotations

import gc
import threading

import pytest

from solver.gcpause import paused


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_off_inside_and_on_again_after():
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_is_on_again_after_an_error_inside():
    with pytest.raises(ValueError), paused():
        raise ValueError("a failed build")
    assert gc.isenabled()


def test_a_nested_pause_ends_with_the_outer_one():
    with paused():
        with paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_off_before_stays_off():
    gc.disable()
    with paused():
        pass
    assert not gc.isenabled()


def test_a_pause_in_another_thread_keeps_it_off_until_that_one_ends():
    inside, release = threading.Event(), threading.Event()

    def other_solve():
        with paused():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=other_solve)
    with paused():
        worker.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # this one ended, the other solve is still building
    release.set()
    worker.join()
    assert gc.isenabled()


def test_a_solve_leaves_the_collector_as_it_found_it():
    from tiny import doc, problem

    from solver.solve import solve

    schedule = solve(problem(doc()), time_limit=2)
    assert schedule["status"] in ("optimal", "feasible")
    assert gc.isenabled()
