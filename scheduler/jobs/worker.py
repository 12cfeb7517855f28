"""Workers: the one embedded in ``cohort-scheduler serve``, and ``flask worker`` for Redis.

Huey's ``Consumer.start`` installs SIGINT/SIGTERM/SIGHUP handlers that only record the signal
for ``Consumer.run``'s loop to act on. Inside ``serve`` nothing runs that loop (waitress owns the
main thread), so those handlers would swallow Ctrl+C: the embedded consumer skips them and is
stopped by ``serve`` itself. ``flask worker`` owns its process and uses ``Consumer.run`` as is.

An idle Huey worker polls a SQLite queue, backing off up to its longest delay; the embedded
workers also wake as soon as this process queues a task (``WakingSqliteHuey``), so a solve
starts at once instead of at the next poll.
"""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey.consumer import Consumer, Worker

from scheduler.jobs.queue import WakingSqliteHuey, queue

log = logging.getLogger(__name__)


class WakingWorker(Worker):
    """A Huey worker whose idle wait ends as soon as a task is queued in this process."""

    def sleep(self) -> None:
        woken = self.huey.task_queued.wait(min(self.delay, self.max_delay))
        if woken:
            # Cleared before the next dequeue, so a task queued from now on wakes us again.
            self.huey.task_queued.clear()
            self.delay = self.default_delay
        else:
            self.delay = min(self.delay * self.backoff, self.max_delay)


class EmbeddedConsumer(Consumer):
    """A Huey consumer of worker threads that leaves the process's signal handlers alone and
    wakes its workers when this process queues a task."""

    def _create_worker(self) -> Worker:
        worker_class = WakingWorker if isinstance(self.huey, WakingSqliteHuey) else Worker
        return worker_class(
            huey=self.huey,
            stop_flag=self.stop_flag,
            default_delay=self.default_delay,
            max_delay=self.max_delay,
            backoff=self.backoff,
            max_tasks=self.max_tasks,
        )

    def _set_signal_handlers(self) -> None:
        pass

    def stop(self, graceful: bool = False) -> None:
        self.stop_flag.set()
        if isinstance(self.huey, WakingSqliteHuey):
            self.huey.task_queued.set()  # idle workers see the stop now, not at their next poll
        super().stop(graceful=graceful)


def start_embedded_worker(app: Flask, workers: int = 2) -> EmbeddedConsumer | None:
    """Start a consumer in threads of this process when no Redis is configured; None otherwise."""
    if not queue.is_embedded(app):
        return None
    queue.worker_starting(app)
    consumer = EmbeddedConsumer(
        queue.huey(app),
        workers=workers,
        worker_type="thread",
        periodic=True,
        max_delay=app.config["JOBS_POLL_SECONDS"],
    )
    consumer.start()
    log.info("Embedded job worker started (%d thread(s)).", workers)
    return consumer


def stop_embedded_worker(consumer: EmbeddedConsumer | None) -> None:
    """Stop taking tasks; a solve still running is stopped with the process (its job is then
    failed by the heartbeat check and can be retried)."""
    if consumer is not None:
        consumer.stop(graceful=False)


@click.command("worker")
@with_appcontext
@click.option("--workers", type=int, default=2, show_default=True, help="Tasks run at once.")
def worker_command(workers: int) -> None:
    """Work on background jobs (solves) until stopped with Ctrl+C or SIGTERM."""
    from scheduler.logs import configure_logging

    app = current_app._get_current_object()
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))  # JSON lines, secrets redacted
    if app.config["JOBS_IMMEDIATE"]:
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run where they are queued.")
    if not app.config["REDIS_URL"]:
        click.echo(
            "No SCHEDULER_REDIS_URL: working on the SQLite queue of this machine "
            f"({app.config['JOBS_SQLITE_PATH']}).",
            err=True,
        )
    queue.worker_starting(app)
    consumer = queue.huey(app).create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()
