"""The outbox sender: to a real SMTP server on loopback, retried with backoff after a failure,
never sent twice, and written as .eml files when no SMTP server is configured."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from scheduler.extensions import db
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message, retry_delay, send_pending_mail
from scheduler.models import OutboxMessage, OutboxStatus
from tests.drafts import utc

NOW = utc(2027, 3, 1, 12)
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def queue(app, recipient="ana@example.com") -> int:
    with app.app_context():
        row = queue_message(
            compose(
                recipient, "Invitation: Fire safety", "Hello Ana", calendar=ICS, method="REQUEST"
            )
        )
        db.session.commit()
        return row.id


def row(app, message_id: int) -> OutboxMessage:
    with app.app_context():
        found = db.session.get(OutboxMessage, message_id)
        db.session.expunge(found)
        return found


def test_messages_go_to_a_real_smtp_server_once(app, smtp_server):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    message_id = queue(app)
    report = send_pending_mail(app, now=NOW)
    assert (report.sent, report.failed) == (1, 0)
    assert len(inbox.messages) == 1
    sender, recipients, content = inbox.messages[0]
    assert (sender, recipients) == ("scheduling@example.com", ["ana@example.com"])
    parsed = email.message_from_bytes(content)
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert parts[0].get_param("method") == "REQUEST"
    assert row(app, message_id).status == OutboxStatus.SENT
    assert send_pending_mail(app, now=NOW + timedelta(days=1)).sent == 0
    assert len(inbox.messages) == 1


def test_a_send_failure_leaves_the_message_queued_for_a_later_retry(app, smtp_server):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none")
    message_id = queue(app)
    report = send_pending_mail(app, now=NOW)
    assert (report.sent, report.failed) == (0, 1)
    failed = row(app, message_id)
    assert failed.status == OutboxStatus.PENDING and failed.attempts == 1
    assert failed.next_attempt_at == NOW + retry_delay(1) and failed.last_error
    assert failed.claimed_by is None
    # Not due yet: nothing is tried; once due, the (now reachable) server gets it.
    app.config["SMTP_PORT"] = controller.port
    assert send_pending_mail(app, now=NOW + timedelta(seconds=30)).sent == 0
    assert send_pending_mail(app, now=NOW + retry_delay(1)).sent == 1
    assert len(inbox.messages) == 1
    assert row(app, message_id).attempts == 2


def test_words_beyond_ascii_arrive_intact_in_7_bit_mail(app):
    calendar = ICS.replace(b"END:VCALENDAR", "X-WR-CALNAME:Sécurité\r\nEND:VCALENDAR".encode())
    with app.app_context():
        queued = queue_message(
            compose(
                "lea@example.com",
                "Invitation: Sécurité (1/2), Tue 16 Mar 09:00 GMT",
                "Hello Léa Martin,\n\n" + "A line longer than any mail server allows. " * 30,
                calendar=calendar,
                method="CANCEL",
            )
        )
        db.session.commit()
        assert queued.subject == "Invitation: Sécurité (1/2), Tue 16 Mar 09:00 GMT"
        assert queued.content.isascii() and "\r\n" in queued.content
        assert max(len(line) for line in queued.content.split("\r\n")) <= 998
        parsed = email.message_from_string(queued.content, policy=email.policy.default)
    assert parsed["Subject"] == "Invitation: Sécurité (1/2), Tue 16 Mar 09:00 GMT"
    assert parsed.get_body(("plain",)).get_content().startswith("Hello Léa Martin,")
    (inline,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert inline.get_param("method") == "CANCEL"
    assert inline.get_payload(decode=True) == calendar
    (attached,) = [p for p in parsed.walk() if p.get_filename() == "cancel.ics"]
    assert attached.get_payload(decode=True) == calendar


def test_a_line_break_in_a_subject_adds_no_header(app):
    with app.app_context():
        queued = queue_message(
            compose("ana@example.com\r\nBcc: eve@example.com", "Hi\nBcc: eve@example.com", "x")
        )
        db.session.commit()
        parsed = email.message_from_string(queued.content, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Hi Bcc: eve@example.com"


def test_backoff_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert retry_delay(50) == timedelta(hours=6)


def test_a_message_claimed_by_another_worker_is_not_sent(app, smtp_server):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    message_id = queue(app)
    with app.app_context():
        found = db.session.get(OutboxMessage, message_id)
        found.claimed_by, found.claimed_until = "other", NOW + timedelta(minutes=5)
        db.session.commit()
    assert send_pending_mail(app, now=NOW).sent == 0
    assert inbox.messages == []
    # The other worker died: once its lease is over the message is sent.
    assert send_pending_mail(app, now=NOW + timedelta(minutes=6)).sent == 1


def test_without_smtp_messages_are_written_as_eml_files(app):
    assert not app.config["SMTP_HOST"]
    message_id = queue(app)
    assert send_pending_mail(app, now=NOW).sent == 1
    files = sorted(Path(app.config["OUTBOX_PATH"]).glob("*.eml"))
    assert [f.name for f in files] == [f"{message_id:08d}.eml"]
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["To"] == "ana@example.com"
    assert any(p.get_content_type() == "text/calendar" for p in parsed.walk())
    assert send_pending_mail(app, now=NOW).sent == 0


def test_a_publish_writes_its_invitations_in_the_outbox_and_they_send(
    app, smtp_server, monkeypatch
):
    from tests.calendar_world import check_message, first_plan, make_world, publish_plan

    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    with app.app_context():
        w = make_world()
        publish_plan(w, first_plan(w))
    # Six people with two sessions each: two invitations (one UID each) and a summary apiece.
    assert send_pending_mail(app).sent == 18
    received = sorted(r for _, rs, _ in inbox.messages for r in rs)
    assert received == sorted(
        3 * ["ana@example.com", "ben@example.com", "lea@example.com"]
        + 3 * ["mo@example.com", "sam@example.com", "zoe@example.com"]
    )
    uids: dict[str, set[str]] = {}
    for _, (recipient,), content in inbox.messages:
        with app.app_context():  # what arrived is what the checks pass: one UID per message
            calendars = check_message(content.decode())
        for calendar in calendars:
            (event,) = calendar.walk("VEVENT")
            uids.setdefault(recipient, set()).add(str(event["UID"]))
    assert all(len(found) == 2 for found in uids.values()) and len(uids) == 6


def test_one_run_of_the_periodic_send_drains_a_publish_worth_of_messages(app):
    from sqlalchemy import func, select

    from scheduler.calendars.tasks import BATCH, send_mail

    with app.app_context():
        for n in range(2 * BATCH + 30):
            queue_message(compose(f"person{n}@example.com", f"Invitation {n}", "Hello."))
        db.session.commit()
        assert send_mail() == 2 * BATCH + 30
        pending = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        assert db.session.scalar(pending) == 0


class Clock:
    """A clock that only moves when told: a "slow" send without sleeping."""

    def __init__(self, start) -> None:
        self.now = start

    def __call__(self):
        return self.now


def test_a_run_longer_than_the_lease_keeps_its_rows_and_sends_nothing_twice(app, monkeypatch):
    """Each send takes four minutes of the clock: the run outlasts the ten-minute lease. A second
    worker starting in the middle must not take the row the first one is sending."""
    from collections import Counter

    from scheduler.mail.operations import CLAIM_LEASE, FileTransport

    ids = [queue(app, f"person{n}@example.com") for n in range(4)]
    clock = Clock(NOW)
    sent: list[int] = []
    second_run = {}
    write = FileTransport.send

    def slow_send(transport, row):
        clock.now += timedelta(minutes=4)
        if clock.now - NOW > CLAIM_LEASE and not second_run:
            # Another worker's run, now, while this one is still sending ``row``.
            second_run["report"] = send_pending_mail(app, clock=clock)
            second_run["during"] = row.id
            second_run["holder"] = row_of(app, row.id).claimed_by
        sent.append(row.id)
        write(transport, row)

    monkeypatch.setattr(FileTransport, "send", slow_send)
    first = send_pending_mail(app, clock=clock)
    # Each message went out once: the one being sent stayed with the first worker; the second
    # worker took only the message nobody held yet, and the first then left it alone.
    assert Counter(sent) == Counter(ids), sent
    assert second_run["during"] == ids[2] and second_run["holder"] is not None
    assert (first.sent, second_run["report"].sent) == (3, 1)
    assert all(row_of(app, i).status == OutboxStatus.SENT for i in ids)


def test_a_worker_whose_lease_ran_out_before_the_send_does_not_send(app, monkeypatch):
    """Opening the connection outlasted the lease and another worker claimed the row meanwhile:
    the first worker's renewal fails, so it leaves the row to the other one."""
    from scheduler.mail.operations import CLAIM_LEASE, FileTransport

    message_id = queue(app)
    clock = Clock(NOW)
    sent: list[int] = []

    def slow_open(transport):
        clock.now += CLAIM_LEASE + timedelta(minutes=1)
        with app.app_context():  # another worker's claim, as the lease had run out
            found = db.session.get(OutboxMessage, message_id)
            found.claimed_by, found.claimed_until = "other", clock.now + CLAIM_LEASE
            db.session.commit()

    monkeypatch.setattr(FileTransport, "open", slow_open)
    monkeypatch.setattr(FileTransport, "send", lambda transport, row: sent.append(row.id))
    report = send_pending_mail(app, clock=clock)
    assert (report.sent, report.failed, sent) == (0, 0, [])
    left = row_of(app, message_id)
    assert (left.status, left.claimed_by) == (OutboxStatus.PENDING, "other")


def row_of(app, message_id: int) -> OutboxMessage:
    with app.app_context():
        return db.session.get(OutboxMessage, message_id)
