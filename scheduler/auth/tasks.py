"""Background tasks of the login area: answer a "forgot your password" request.

The request only records the ask and queues this task, so its answer and its timing are the
same whether or not the address has an account (scheduler/auth/reset.py).
"""

from __future__ import annotations

from scheduler.auth import reset
from scheduler.extensions import db
from scheduler.jobs import queue


@queue.task(reset.SEND_LINK_TASK)
def send_reset_link(request_id: int, site_root: str) -> bool:
    """Mail the reset link of a recorded request if it has an account and no limit is reached
    (the outbox sends it within a minute); whether a link was queued."""
    mailed = reset.answer_request(request_id, site_root)
    db.session.commit()
    return mailed
