"""The watch over a running solve: heartbeat, progress and cancel, twice a second.

The solver calls ``progress`` from its own threads, as often as it improves; writing each call
would flood the database. The callback only keeps the latest values, and one thread writes
them, the heartbeat and the elapsed time every ``interval`` seconds in a short transaction of
its own (a connection of the engine, not the task's session, which is not thread-safe). The same
transaction reads ``cancel_requested``: a coordinator's Cancel click reaches the solver's stop
event within one interval, wherever the worker runs.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine, select, update

from scheduler.database import utcnow
from scheduler.models import SolveJob
from scheduler.solving.util import displayed_bound
from scheduler.stamps import stamp_tables

log = logging.getLogger(__name__)


class SolveMonitor:
    """Use as ``with SolveMonitor(engine, job_id) as monitor: solve(..., progress=monitor.progress,
    stop_event=monitor.stop)``."""

    def __init__(self, engine: Engine, job_id: int, interval: float = 0.5) -> None:
        self.engine, self.job_id, self.interval = engine, job_id, interval
        self.stop = threading.Event()  # the solver's stop event
        self.cancelled = False
        self.greedy_cost: float | None = None
        self._latest: tuple[float, float | None] | None = None  # (best cost, bound)
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"solve-job-{job_id}", daemon=True)

    def __enter__(self) -> SolveMonitor:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def progress(self, elapsed: float, best_cost: float, bound: float | None) -> None:
        """The solver's progress callback; its first call is the greedy plan's cost."""
        with self._lock:
            if self.greedy_cost is None:
                self.greedy_cost = best_cost
            self._latest = (best_cost, displayed_bound(bound, best_cost))

    def _run(self) -> None:
        while True:
            try:
                self._beat()
            except Exception:  # a database hiccup must not stop the solve; the next beat retries
                log.exception("Heartbeat of solve job %s failed", self.job_id)
            if self._done.wait(self.interval):
                return

    def _beat(self) -> None:
        values = {
            "heartbeat_at": utcnow(),
            "elapsed_seconds": round(time.monotonic() - self._started, 2),
        }
        with self._lock:
            if self._latest is not None:
                values["best_cost"], values["bound"] = self._latest
        with self.engine.begin() as connection:
            connection.execute(update(SolveJob).where(SolveJob.id == self.job_id).values(**values))
            stamp_tables(connection, [SolveJob.__tablename__])
            cancel = connection.scalar(
                select(SolveJob.cancel_requested).where(SolveJob.id == self.job_id)
            )
        if cancel and not self.stop.is_set():
            self.cancelled = True
            self.stop.set()
