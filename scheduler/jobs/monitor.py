"""The watch over a running job: heartbeat, progress and cancel, twice a second.

A solver calls ``progress`` from its own threads, as often as it improves; writing each call
would flood the database. The callback only keeps the latest values, and one thread writes
them, the heartbeat and the elapsed time every ``interval`` seconds in a short transaction of
its own (a connection of the engine, not the task's session, which is not thread-safe). The same
transaction reads ``cancel_requested``: a coordinator's Cancel click reaches the solver's stop
event within one interval, wherever the worker runs. The first report (the greedy plan, the
first schedule) is written at once, not at the next beat: the progress page shows it as soon as
it exists.

A job's table (a period's ``SolveJob``, a ``Scenario``) has the columns ``heartbeat_at``,
``elapsed_seconds``, ``cancel_requested`` and two for the best cost and bound so far, named by
the subclass (``cost_column``, ``bound_column``). Where it also has ``stage``, ``stage_done`` and
``stage_total`` (``writes_stage``), the monitor writes what the worker does before its first
schedule (``building``): a step is written at once, its count at the next beat.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import ClassVar

from flask import current_app
from sqlalchemy import Engine, select, update

from scheduler.database import utcnow
from scheduler.stamps import stamp_tables

log = logging.getLogger(__name__)


class JobMonitor:
    """Use as ``with Monitor(engine, job_id) as monitor: solve(..., progress=monitor.progress,
    stop_event=monitor.stop)``, where ``Monitor`` names its table in ``model``."""

    model: ClassVar[type]
    cost_column: ClassVar[str] = "best_cost"
    bound_column: ClassVar[str] = "bound"
    writes_stage: ClassVar[bool] = False

    def __init__(self, engine: Engine, job_id: int, interval: float = 0.5) -> None:
        self.engine, self.job_id, self.interval = engine, job_id, interval
        self.stop = threading.Event()  # the solver's stop event
        self.cancelled = False
        self.greedy_cost: float | None = None
        self._latest: tuple[float, float | None] | None = None  # (best cost, bound)
        self._stage: tuple[str, int, int] | None = None  # (step, done, total)
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._wake = threading.Event()  # beat now, not at the end of the interval
        self._started = time.monotonic()
        name = f"{self.model.__tablename__}-{job_id}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> JobMonitor:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._wake.set()
        self._thread.join()

    def progress(self, elapsed: float, best_cost: float, bound: float | None) -> None:
        """The solver's progress callback; its first call is the greedy plan's cost. The bound
        is shown as the solver gives it: it reports only valid ones (``solver.solve``)."""
        with self._lock:
            first = self.greedy_cost is None
            if first:
                self.greedy_cost = best_cost
            self._latest = (best_cost, bound)
        if first:
            self._wake.set()  # the heartbeat thread writes it now (not this, the solver's thread)

    def building(self, step: str, done: int, total: int) -> None:
        """What the worker does before its first schedule, and how far it is (the solver's
        ``greedy.Building`` callback; "reading" from the task). A new step is written at once,
        a count at the next beat."""
        with self._lock:
            new_step = self._stage is None or self._stage[0] != step
            self._stage = (step, done, total)
        if new_step:
            self._wake.set()

    def flush(self) -> None:
        """Write the latest progress now, not at the next beat (before the monitor ends)."""
        self._beat()

    def solve(self, problem, *, time_limit: float, deadline) -> dict:
        """The engine's solve of ``problem`` (``solver.solve``) on the app's ``SOLVER_WORKERS``,
        reporting to this monitor and stopped by its Cancel."""
        from solver.solve import solve  # loads OR-Tools: only in workers

        return solve(
            problem,
            time_limit=time_limit,
            workers=current_app.config.get("SOLVER_WORKERS", 2),
            progress=self.progress,
            stop_event=self.stop,
            deadline=deadline,
            building=self.building,
        )

    @property
    def found(self) -> bool:
        """Whether the solver has reported a plan yet."""
        return self.greedy_cost is not None

    def _run(self) -> None:
        # No beat once the monitor is done: a late one would write over what the job's end wrote.
        while not self._done.is_set():
            try:
                self._beat()
            except Exception:  # a database hiccup must not stop the solve; the next beat retries
                log.exception("Heartbeat of %s %s failed", self.model.__tablename__, self.job_id)
            self._wake.wait(self.interval)
            self._wake.clear()

    def _beat(self) -> None:
        values = {
            "heartbeat_at": utcnow(),
            "elapsed_seconds": round(time.monotonic() - self._started, 2),
        }
        with self._lock:
            if self._latest is not None:
                values[self.cost_column], values[self.bound_column] = self._latest
            if self.writes_stage and self._stage is not None:
                values["stage"], values["stage_done"], values["stage_total"] = self._stage
        table = self.model
        with self.engine.begin() as connection:
            connection.execute(update(table).where(table.id == self.job_id).values(**values))
            stamp_tables(connection, [table.__tablename__])
            cancel = connection.scalar(
                select(table.cancel_requested).where(table.id == self.job_id)
            )
        if cancel and not self.stop.is_set():
            self.cancelled = True
            self.stop.set()
