"""The periodic delivery of learning records: every minute when an LRS is configured."""

from __future__ import annotations

import time

from huey import crontab

from scheduler.jobs import queue
from scheduler.learning_records.sending import SendReport, send_pending_statements

SEND_TASK = "learning_records.send"
RUN_SECONDS = 45
BATCH = 50


@queue.periodic(SEND_TASK, crontab(minute="*"))
def send_learning_records() -> int:
    return drain().sent


def drain() -> SendReport:
    """Batches of due statements until a batch is not full or ``RUN_SECONDS`` have passed."""
    started, total = time.monotonic(), SendReport()
    while time.monotonic() - started < RUN_SECONDS:
        report = send_pending_statements(limit=BATCH)
        total.sent += report.sent
        total.waiting += report.waiting
        total.refused += report.refused
        if report.sent + report.waiting + report.refused < BATCH or report.waiting:
            break
    return total
