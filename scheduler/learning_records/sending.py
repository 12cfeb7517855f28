"""Deliver queued statements to the LRS: in batches, with a lease, retry and back-off.

A worker claims a batch (a lease in ``claimed_until``, as the mail outbox does, so two workers
never send the same rows), POSTs it to ``<XAPI_ENDPOINT>/statements`` (xAPI 1.0.3, HTTP basic
authentication) and marks it sent when the LRS answers 200 or 204. When the LRS is down or
answers 5xx, the whole batch waits (1 minute, doubling, at most 6 hours). When it refuses the
batch (4xx), each statement is sent on its own, so one bad statement does not hold back the
others; a statement the LRS refuses alone is marked failed with the LRS's answer, for the
coordinator to see (it would be refused again).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import or_, select, update

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.mail.operations import retry_delay
from scheduler.models import LearningRecord, StatementStatus

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
XAPI_VERSION = "1.0.3"


@dataclass
class SendReport:
    sent: int = 0
    waiting: int = 0  # tries that failed and will be retried
    refused: int = 0  # refused by the LRS for good


class LrsDown(Exception):
    """The LRS could not be reached or answered with a server error: try again later."""


class LrsRefused(Exception):
    """The LRS refused what was sent (4xx); its answer is the message."""


class LrsConflict(LrsRefused):
    """409: a statement with the same id, and other content, is already stored."""


def send_pending_statements(limit: int = 50) -> SendReport:
    """Send one batch of due statements; return what happened."""
    report = SendReport()
    if not current_app.config.get("XAPI_ENDPOINT"):
        return report
    batch = _claim_batch(limit, utcnow())
    if not batch:
        return report
    try:
        _post([json.loads(row.statement) for row in batch])
    except LrsDown as error:
        _wait(batch, error)
        report.waiting += len(batch)
        return report
    except LrsRefused:
        for row in batch:  # find the bad ones: each alone
            _send_alone(row, report)
        return report
    _mark_sent(batch)
    report.sent += len(batch)
    return report


def _send_alone(row: LearningRecord, report: SendReport) -> None:
    try:
        _post([json.loads(row.statement)])
    except LrsDown as error:
        _wait([row], error)
        report.waiting += 1
    except LrsConflict:
        # The LRS already holds a statement with this id: the event is recorded there (a
        # send whose answer was lost); xAPI statements are immutable, so this one is done.
        _mark_sent([row])
        report.sent += 1
    except LrsRefused as error:
        _give_up(row, error)
        report.refused += 1
    else:
        _mark_sent([row])
        report.sent += 1


def _post(statements: list[dict]) -> None:
    config = current_app.config
    auth = None
    if config.get("XAPI_USERNAME"):
        auth = (config["XAPI_USERNAME"], config.get("XAPI_PASSWORD") or "")
    try:
        answer = requests.post(
            config["XAPI_ENDPOINT"].rstrip("/") + "/statements",
            json=statements,
            auth=auth,
            headers={"X-Experience-API-Version": XAPI_VERSION},
            timeout=config.get("XAPI_TIMEOUT", 30),
        )
    except requests.RequestException as error:
        raise LrsDown(f"the LRS cannot be reached: {error}") from error
    if answer.status_code in (200, 204):
        return
    text = f"the LRS answered {answer.status_code}: {answer.text[:500]}"
    if answer.status_code == 409:
        raise LrsConflict(text)
    if answer.status_code >= 500 or answer.status_code in (401, 403, 429):
        # A server error, or credentials/rate limits the operator must fix: not the statement's fault.
        raise LrsDown(text)
    raise LrsRefused(text)


def _claim_batch(limit: int, now: datetime) -> list[LearningRecord]:
    worker = uuid.uuid4().hex
    due = (
        LearningRecord.status == StatementStatus.PENDING,
        LearningRecord.next_attempt_at <= now,
        or_(LearningRecord.claimed_until.is_(None), LearningRecord.claimed_until < now),
    )
    ids = db.session.scalars(
        select(LearningRecord.id).where(*due).order_by(LearningRecord.id).limit(limit)
    ).all()
    if not ids:
        db.session.commit()
        return []
    db.session.execute(
        update(LearningRecord)
        .where(LearningRecord.id.in_(ids), *due)
        .values(claimed_by=worker, claimed_until=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # the lease holds while we talk to the LRS, outside any transaction
    rows = db.session.scalars(
        select(LearningRecord)
        .where(LearningRecord.claimed_by == worker)
        .order_by(LearningRecord.id)
    ).all()
    db.session.commit()
    return list(rows)


def _mark_sent(rows: list[LearningRecord]) -> None:
    now = utcnow()
    for row in rows:
        row.status, row.sent_at, row.claimed_until = StatementStatus.SENT, now, None
        row.attempts += 1
        row.last_error = ""
    db.session.commit()


def _wait(rows: list[LearningRecord], error: Exception) -> None:
    now, limit = utcnow(), current_app.config.get("XAPI_MAX_ATTEMPTS", 20)
    for row in rows:
        row.attempts += 1
        row.last_error = str(error)
        row.claimed_until = None
        if row.attempts >= limit:
            row.status = StatementStatus.FAILED
        row.next_attempt_at = now + retry_delay(row.attempts)
    db.session.commit()
    log.warning("learning records wait: %s", error)


def _give_up(row: LearningRecord, error: Exception) -> None:
    row.attempts += 1
    row.status, row.last_error, row.claimed_until = StatementStatus.FAILED, str(error), None
    db.session.commit()
    log.warning("learning record %s refused by the LRS: %s", row.statement_id, error)
