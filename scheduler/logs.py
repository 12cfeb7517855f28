"""Structured logs: one JSON line per request and per log record, each with its request id.

Every request gets an id, taken from the ``X-Request-ID`` header a reverse proxy sets (so one id
follows a request from the proxy's log to ours) or made here, and echoed in the response's
``X-Request-ID``. After the response, ``scheduler.requests`` logs method, path, endpoint,
status, duration and user id as one JSON line.

Secrets stay out: the logged path never has a query string, and paths that carry a secret token
(calendar feeds, password reset links, answer links) are logged with the token replaced by ``<redacted>``;
the same filter runs over every other record's message (werkzeug's request log included).
Form data, headers and cookies are never logged.

``configure_logging`` installs the JSON handler; ``cohort-scheduler serve``, ``flask worker`` and
an app created with ``LOG_JSON`` (the default in production, e.g. under gunicorn) call it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from werkzeug.local import LocalProxy

REQUEST_ID_HEADER = "X-Request-ID"
request_log = logging.getLogger("scheduler.requests")

# An incoming id is kept only if it is short and plain, so a client cannot forge log lines.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: Paths whose next part is a secret: calendar feed, password reset and answer links.
_SECRET_PATHS = re.compile(r"(/feeds/|/password/reset/|/answer/)[^/\s?\"']+")

# Attributes every LogRecord has; anything else was passed in ``extra`` and is logged as a field.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    """``text`` with secret tokens in feed and reset paths replaced by ``<redacted>``."""
    return _SECRET_PATHS.sub(r"\1<redacted>", text)


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


class RedactSecrets(logging.Filter):
    """Remove secret tokens from a record's message before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        current = request_id()
        if current:
            entry["request_id"] = current
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str | int = "INFO", stream=None) -> None:
    """Send every log record to ``stream`` (stderr) as JSON lines; safe to call twice."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "scheduler_json", False):
            return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.scheduler_json = True
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets())
    root.addHandler(handler)
    root.setLevel(level)
    # werkzeug's own request lines would duplicate ours (and it logs query strings).
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    """Give every request an id and log it when its response is ready."""
    app.config.setdefault(
        "LOG_JSON", app.config.get("ENV") == "production" and not app.config.get("TESTING")
    )
    if app.config["LOG_JSON"]:
        configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactSecrets) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactSecrets())

    @app.before_request
    def start_request() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        current = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = current
        started = g.get("request_started")
        # Only a user already loaded by the view: logging must not cost a query.
        user = g.get("_login_user")
        if isinstance(user, LocalProxy):  # login_user(current_user) stores the proxy itself
            user = None
        request_log.info(
            "%s %s %s",
            request.method,
            redact(request.path),
            response.status_code,
            extra={
                "request_id": current,
                "method": request.method,
                "path": redact(request.path),
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                if started is not None
                else None,
                "user_id": getattr(user, "id", None),
                "remote_addr": request.remote_addr,
            },
        )
        return response
