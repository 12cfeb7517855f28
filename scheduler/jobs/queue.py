"""The job queue extension: one Huey instance per app, made from its configuration.

Huey instances are usually module globals created at import time; here the instance is built
from ``app.config`` the first time it is needed, so tests (and two apps in one process) can each
have their own queue. Tasks are registered on the extension by name and bound to every app's Huey
with a wrapper that runs them inside that app's context: the embedded worker runs them in the
serving app, ``flask worker`` in the CLI's app.

Configuration:

- ``REDIS_URL`` (``SCHEDULER_REDIS_URL``): a ``RedisHuey``; workers are ``flask worker`` processes
  on any number of machines. Unset: a ``SqliteHuey`` in ``JOBS_SQLITE_PATH`` (default
  ``<instance>/jobs.sqlite3``) worked on by a worker inside ``cohort-scheduler serve``.
- ``JOBS_IMMEDIATE``: run each task at once, inside the call that queues it (tests).
- ``JOBS_QUEUE_NAME``: the queue's name, so several apps can share one Redis.
- ``JOBS_POLL_SECONDS``: the longest an idle embedded worker waits before looking at the SQLite
  queue again (default 10). A job queued by this process wakes it at once; the polling only
  matters for jobs another process puts on the same SQLite queue.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

EXTENSION = "jobs"
DEFAULT_QUEUE_NAME = "cohort-scheduler"


@dataclass
class _AppQueue:
    """What one app's queue holds: its Huey and the tasks bound to it."""

    huey: Huey
    tasks: dict[str, TaskWrapper] = field(default_factory=dict)


@dataclass(frozen=True)
class EveryMinutes:
    """A periodic schedule set by the app's configuration: every ``config[key]`` minutes,
    counted from midnight UTC; 0 (or less) never. Tasks are registered at import time, before
    any app exists, so the interval is read when each app's queue is built."""

    key: str

    def for_config(self, config) -> Callable[[datetime], bool]:
        minutes = int(config.get(self.key) or 0)
        if minutes <= 0:
            return lambda moment: False
        return lambda moment: (moment.hour * 60 + moment.minute) % minutes == 0


class JobQueue:
    """The job queue extension (see the module docstring)."""

    def __init__(self) -> None:
        self._tasks: dict[str, Callable[..., Any]] = {}
        self._schedules: dict[str, Callable] = {}
        self._on_worker_start: list[Callable[[], Any]] = []

    def init_app(self, app: Flask) -> None:
        app.config.setdefault("REDIS_URL", None)
        app.config.setdefault("JOBS_IMMEDIATE", False)
        app.config.setdefault("JOBS_QUEUE_NAME", DEFAULT_QUEUE_NAME)
        app.config.setdefault("JOBS_SQLITE_PATH", os.path.join(app.instance_path, "jobs.sqlite3"))
        app.config.setdefault("JOBS_POLL_SECONDS", 10.0)
        # Filled on first use: building a SqliteHuey creates its file, which an app that never
        # queues anything (most test apps, `flask create-user`) should not do.
        app.extensions[EXTENSION] = None

    def task(self, name: str) -> Callable:
        """Register ``func`` as the task ``name`` (for every app)."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            if name in self._tasks:
                raise ValueError(f"a task named {name!r} is already registered")
            self._tasks[name] = func
            return func

        return decorator

    def periodic(self, name: str, schedule: Callable) -> Callable:
        """Register ``func`` as the task ``name`` that workers also run on ``schedule`` (a
        ``huey.crontab``, or ``EveryMinutes``). Every worker process schedules it, so periodic tasks must be safe to
        run twice at once (the outbox claims its rows; reminders keep a ledger)."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self.task(name)(func)
            self._schedules[name] = schedule
            return func

        return decorator

    def on_worker_start(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """Register ``func`` to run (in an app context) whenever a worker starts."""
        self._on_worker_start.append(func)
        return func

    def worker_starting(self, app: Flask) -> None:
        """Run the ``on_worker_start`` functions: a worker is about to take tasks."""
        with app.app_context():
            for func in self._on_worker_start:
                func()

    def huey(self, app: Flask | None = None) -> Huey:
        """The Huey instance of ``app`` (default: the current app)."""
        return self._app_queue(app or current_app._get_current_object()).huey

    def enqueue(self, name: str, *args: Any) -> str:
        """Queue task ``name`` with ``args`` and return its task id.

        In immediate mode the task has already run when this returns, so the caller must have
        committed whatever the task reads.
        """
        app_queue = self._app_queue(current_app._get_current_object())
        task = app_queue.tasks[name].s(*args)
        app_queue.huey.enqueue(task)
        return task.id

    def is_embedded(self, app: Flask) -> bool:
        """Whether the web process must run its own worker: no Redis, and not immediate."""
        return not app.config["REDIS_URL"] and not app.config["JOBS_IMMEDIATE"]

    def _app_queue(self, app: Flask) -> _AppQueue:
        app_queue = app.extensions.get(EXTENSION)
        if app_queue is None:
            app_queue = self._build(app)
            app.extensions[EXTENSION] = app_queue
        return app_queue

    def _build(self, app: Flask) -> _AppQueue:
        huey = _make_huey(app.config)
        app_queue = _AppQueue(huey)
        for name, func in self._tasks.items():
            schedule = self._schedules.get(name)
            if isinstance(schedule, EveryMinutes):
                schedule = schedule.for_config(app.config)
            register = huey.periodic_task(schedule, name=name) if schedule else huey.task(name=name)
            app_queue.tasks[name] = register(_in_app_context(app, func))
        return app_queue


class WakingSqliteHuey(SqliteHuey):
    """A SQLite queue that wakes this process's idle workers whenever a task is queued (by a
    request, the periodic scheduler or a retry): SQLite cannot block until a task arrives, so
    without this a new solve waited for the next poll, seconds on an idle worker."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task_queued = threading.Event()

    def enqueue(self, task):
        result = super().enqueue(task)
        self.task_queued.set()  # after the write: a woken worker must find the task
        return result


def _make_huey(config) -> Huey:
    name = config["JOBS_QUEUE_NAME"]
    # The database row of a job, not Huey's result store, holds its outcome.
    options = {"results": False, "utc": True}
    if config["JOBS_IMMEDIATE"]:
        return MemoryHuey(name, immediate=True, **options)
    if config["REDIS_URL"]:
        return RedisHuey(name, url=config["REDIS_URL"], **options)
    return WakingSqliteHuey(name, filename=config["JOBS_SQLITE_PATH"], **options)


def _in_app_context(app: Flask, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` run inside an app context of ``app`` (a fresh one: its own database session)."""

    def run(*args: Any, **kwargs: Any) -> Any:
        with app.app_context():
            return func(*args, **kwargs)

    # Huey names a task after its module and name: keep the task's own module in that name.
    run.__module__ = func.__module__
    run.__name__ = run.__qualname__ = func.__name__
    run.__doc__ = func.__doc__
    return run


queue = JobQueue()
