"""``/healthz`` for load balancers and monitoring: public, cheap, and JSON.

200 when the database answers ``SELECT 1`` and the job queue can be reached (Redis answers a
PING; without Redis, the embedded SQLite queue file opens); 503 naming what is down otherwise.
It reveals no configuration: only "ok" or the kind of error.
"""

from __future__ import annotations

import sqlite3
import time

import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from scheduler.extensions import db

bp = Blueprint("health", __name__)

#: Seconds a check may take before it counts as down (a load balancer waits little longer).
CHECK_TIMEOUT = 2.0


@bp.route("/healthz")
def healthz():
    checks = {"database": _check(_database), "queue": _check(_queue)}
    down = [name for name, result in checks.items() if result["status"] != "ok"]
    body = {"status": "ok" if not down else "down", "down": down, "checks": checks}
    response = jsonify(body)
    response.status_code = 503 if down else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def _check(probe) -> dict:
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as error:  # noqa: BLE001 - any failure means down; say which kind
        current_app.logger.warning("health check %s failed: %s", probe.__name__, error)
        return {"status": "down", "error": type(error).__name__}
    result = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}
    result.update(detail)
    return result


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    finally:
        db.session.rollback()
    return {"backend": db.engine.dialect.name}


def _queue() -> dict:
    config = current_app.config
    if config.get("JOBS_IMMEDIATE"):
        return {"backend": "immediate"}
    if config.get("REDIS_URL"):
        client = redis.Redis.from_url(
            config["REDIS_URL"], socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
        return {"backend": "redis"}
    # The embedded queue: its file must open and answer (it is created on first use).
    connection = sqlite3.connect(config["JOBS_SQLITE_PATH"], timeout=CHECK_TIMEOUT)
    try:
        connection.execute("SELECT 1").fetchone()
    finally:
        connection.close()
    return {"backend": "sqlite"}
