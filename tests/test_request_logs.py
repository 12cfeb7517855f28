"""Structured request logs: one JSON-ready record per request, with a request id, and no secret."""

from __future__ import annotations

import io
import json
import logging

from scheduler.extensions import db
from scheduler.logs import JsonFormatter, RedactSecrets, configure_logging
from scheduler.models import FeedKind, Role
from tests.factories import create_facilitator, create_site, create_user

SECRET_PASSWORD = "correct horse battery"


def request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "scheduler.requests"]


def test_each_request_logs_method_path_status_duration_user_and_request_id(app, client, caplog):
    with app.app_context():
        user_id = create_user(Role.COORDINATOR, email="c@example.com").id
        db.session.commit()
    client.post("/login", data={"email": "c@example.com", "password": SECRET_PASSWORD})
    caplog.set_level(logging.INFO, logger="scheduler.requests")
    caplog.clear()
    response = client.get("/planning?secret=swordfish", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    (record,) = request_records(caplog)
    assert (record.method, record.path, record.status) == ("GET", "/planning", 200)
    assert record.user_id == user_id and record.duration_ms >= 0
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc-123" and line["path"] == "/planning"
    assert "swordfish" not in json.dumps(line)


def test_a_request_id_is_made_when_none_or_an_unsafe_one_is_given(client, caplog):
    caplog.set_level(logging.INFO, logger="scheduler.requests")
    made = client.get("/login").headers["X-Request-ID"]
    forged = client.get("/login", headers={"X-Request-ID": "<script> forged"})
    assert len(made) == 32 and forged.headers["X-Request-ID"] not in ("", "<script> forged")
    assert len(request_records(caplog)) == 2


def test_a_login_and_a_feed_request_leave_no_secret_in_the_logs(app, client, caplog):
    from scheduler.calendars import operations as calendar_operations

    with app.app_context():
        coordinator = create_user(Role.COORDINATOR, email="c@example.com")
        facilitator = create_facilitator(create_user(Role.FACILITATOR), create_site())
        _, token = calendar_operations.issue_feed(FeedKind.FACILITATOR, facilitator, coordinator)
        db.session.commit()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        client.post("/login", data={"email": "c@example.com", "password": SECRET_PASSWORD})
        client.post("/login", data={"email": "c@example.com", "password": "wrong-Secret-42"})
        assert client.get(f"/feeds/{token}.ics").status_code == 200
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET /feeds/%s.ics HTTP/1.1" 200', token)
    finally:
        root.removeHandler(handler)
    output = stream.getvalue() + "\n".join(r.getMessage() for r in caplog.records)
    assert "/feeds/<redacted>" in output
    for secret in (SECRET_PASSWORD, "wrong-Secret-42", token):
        assert secret not in output
    for line in stream.getvalue().splitlines():
        json.loads(line)  # every line is JSON


def test_configure_logging_writes_json_lines_once(capsys):
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    # A worker or serve test may have installed the JSON handler already: start without it.
    for handler in saved:
        if getattr(handler, "scheduler_json", False):
            root.removeHandler(handler)
    before = list(root.handlers)
    stream = io.StringIO()
    try:
        configure_logging("INFO", stream=stream)
        configure_logging("INFO", stream=stream)
        assert len(root.handlers) == len(before) + 1
        logging.getLogger("scheduler.test").info("hello %s", "/password/reset/tok3n")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)
    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "hello /password/reset/<redacted>"
    assert entry["level"] == "INFO" and entry["logger"] == "scheduler.test"
