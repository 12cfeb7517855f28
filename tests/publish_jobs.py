"""Running queued publish jobs in a test, as a worker would."""

from __future__ import annotations

from scheduler.jobs import queue
from scheduler.publishing.operations import PUBLISH_TASK


def run_queued_publishes(app, times: int = 1) -> int:
    """Run every publish task waiting in ``app``'s queue (``times`` times each: a replayed
    delivery); other tasks stay queued. Returns how many publish tasks there were."""
    huey = queue.huey(app)
    publishes, others = [], []
    while (task := huey.dequeue()) is not None:
        (publishes if task.name == PUBLISH_TASK else others).append(task)
    for task in others:
        huey.enqueue(task)
    for task in publishes:
        for _ in range(times):
            huey.execute(task)
    return len(publishes)


def publish_from_the_page(client, app, version_id: int):
    """Press the confirmation page's Publish, then let a worker run the job; the POST's answer."""
    response = client.post(f"/planning/versions/{version_id}/publish")
    run_queued_publishes(app)
    return response
