"""Background jobs: a Huey task queue built from the app's configuration.

``queue`` is the extension (bound in ``create_app``); areas register their tasks on it with
``@queue.task("name")`` in their ``tasks.py`` and start them with ``queue.enqueue("name", ...)``.
See docs/jobs.md for the choice of Huey and how workers run.
"""

from scheduler.jobs.queue import EveryMinutes, JobQueue, queue

__all__ = ["EveryMinutes", "JobQueue", "queue"]
