"""One wall-clock deadline for a whole solve, handed down to every stage.

The command line starts the clock when the process starts (reading the file and validating it count
against ``--time-limit``), the app when the job starts. Each stage (candidates, greedy, bound,
packing, neighbourhood search) asks ``passed()`` or calls ``check()`` between small units of work
and stops with what it has: a partial answer within the limit beats a complete one long after it.
A cancel request (``stop``) ends the work the same way.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]


class TimeUp(Exception):  # noqa: N818 - a signal between stages, not an error
    """Raised by ``Deadline.check`` once the deadline has passed or the solve was cancelled."""


class Deadline:
    """The moment work must stop, on ``clock`` (``time.monotonic`` unless a test injects one)."""

    def __init__(
        self,
        at: float,
        *,
        started: float | None = None,
        clock: Clock = time.monotonic,
        stop: threading.Event | None = None,
    ) -> None:
        self.at = at
        self.started = clock() if started is None else started
        self.clock = clock
        self.stop = stop

    @classmethod
    def after(
        cls, seconds: float, *, clock: Clock = time.monotonic, stop: threading.Event | None = None
    ) -> Deadline:
        """``seconds`` from now."""
        now = clock()
        return cls(now + seconds, started=now, clock=clock, stop=stop)

    @classmethod
    def from_process_start(cls, seconds: float) -> Deadline:
        """``seconds`` after this process started (interpreter start-up and imports included)."""
        started = time.monotonic() - process_age()
        return cls(started + seconds, started=started)

    def cancelled(self) -> bool:
        """Whether the solve was asked to stop (rather than running out of time)."""
        return self.stop is not None and self.stop.is_set()

    def passed(self) -> bool:
        """Whether work must stop now."""
        return self.cancelled() or self.clock() >= self.at

    def check(self) -> None:
        """Raise ``TimeUp`` when work must stop."""
        if self.passed():
            raise TimeUp

    def left(self) -> float:
        """Seconds until the deadline (0 once it has passed or the solve was cancelled)."""
        return 0.0 if self.cancelled() else max(0.0, self.at - self.clock())

    def elapsed(self) -> float:
        """Seconds since the clock started."""
        return self.clock() - self.started

    def sooner(self, seconds: float) -> Deadline:
        """This deadline, or ``seconds`` from now if that comes first (a stage's share)."""
        return Deadline(
            min(self.at, self.clock() + seconds),
            started=self.started,
            clock=self.clock,
            stop=self.stop,
        )

    def earlier(self, seconds: float) -> Deadline:
        """This deadline moved ``seconds`` earlier (time kept back to write the answer)."""
        return Deadline(self.at - seconds, started=self.started, clock=self.clock, stop=self.stop)

    def with_stop(self, stop: threading.Event | None) -> Deadline:
        """This deadline, also ended by ``stop``."""
        if stop is None:
            return self
        return Deadline(self.at, started=self.started, clock=self.clock, stop=stop)

    def why(self) -> str:
        """Why work stopped, in the coordinator's words."""
        return "the solve was cancelled" if self.cancelled() else "the time limit ran out"


def process_age() -> float:
    """Seconds since this process started: from /proc on Linux, else since this module loaded."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        return max(0.0, up - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _LOADED


_LOADED = time.monotonic()
