"""Python's cycle collector paused while a first schedule is built.

Building a large problem's first schedule allocates millions of small objects that all live on
(the parsed problem, start masks, bookings, the plan) and makes almost no reference cycles.
CPython's collector runs every few hundred allocations and walks the young objects; as they
survive it walks the older generations too, and its full walks grow with the heap. On the demo
scaled to 2,040 cohorts that was 0.44 s of the 1.35 s from a solve job's start to its first cost,
and about a tenth of the first schedule on 10,000 cohorts (bench/results/log.md, "The cycle
collector during the first schedule").

Reference counting still frees everything outside a cycle while the collector is paused; the
cycles made meanwhile wait for the first collection after it. A pause covers the construction
only (seconds), never a search.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The collector is one per process and solves may run in several threads (embedded workers):
# it stays paused while any of them is inside, and is enabled again only if it was on before.
_lock = threading.Lock()
_inside = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cycle collector paused (nested and concurrent pauses allowed)."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
