"""Attendees' answers read from a real IMAP mailbox (Dovecot, started by the tests).

A small published plan (tests/calendar_world.py) has invited its learners and facilitators;
answers as Outlook, Gmail and Apple Calendar send them are put in the mailbox with IMAP APPEND,
the reader runs, and the tests look at the invite ledger and at the mailbox's folders.

The last tests read over TLS, as in production: STARTTLS and implicit TLS (IMAPS) against a
Dovecot whose certificate a throwaway CA (``trustme``) signed at test time, trusted through
``IMAP_CAFILE``; a certificate from a CA not trusted is refused before the password is sent.
"""

from __future__ import annotations

import email
import itertools
import logging

import pytest
import trustme
from sqlalchemy import select

from scheduler.calendars.mailbox import Mailbox, MailboxError, quote
from scheduler.calendars.reply_inbox import read_replies
from scheduler.calendars.tasks import READ_REPLIES_TASK, read_reply_mail
from scheduler.extensions import db
from scheduler.jobs import queue
from scheduler.models import InviteMethod, InviteRecord, Reply, ReplyChannel
from scheduler.planning.versions import published_version
from tests.calendar_world import first_plan, make_world, publish_plan
from tests.drafts import utc
from tests.imap_server import start_dovecot
from tests.reply_samples import (
    apple_reply,
    broken_calendar_mail,
    gmail_reply,
    outlook_reply,
    plain_mail,
)

NOW = utc(2027, 3, 1, 12)
FOLDERS = ("INBOX", "Processed", "Unmatched", "Counter proposals")
_users = itertools.count()


@pytest.fixture(scope="module")
def imap_server():
    yield from start_dovecot()


@pytest.fixture
def mailbox(app, imap_server):
    """A fresh, empty mailbox on the server, configured as the app's replies mailbox."""
    user = f"replies{next(_users)}"
    app.config.update(imap_server.config_for(user))
    connection = imap_server.connect(user)
    yield connection
    connection.logout()


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setattr("scheduler.calendars.invites.utcnow", lambda: NOW)
    with app.app_context():
        world = make_world()
        publish_plan(world, first_plan(world))
        yield world


def deliver(connection, *messages: bytes) -> None:
    for raw in messages:
        status, _ = connection.append("INBOX", None, None, raw)
        assert status == "OK"


def folder(connection, name: str) -> list[email.message.Message]:
    """The messages in folder ``name`` (missing folder: none)."""
    status, _ = connection.select(quote(name), readonly=True)
    if status != "OK":
        return []
    _, found = connection.uid("SEARCH", "ALL")
    messages = []
    for uid in (found[0] or b"").split():
        _, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
        messages.append(email.message_from_bytes(data[0][1]))
    return messages


def subjects(connection) -> dict[str, list[str]]:
    return {name: sorted(m["Subject"] for m in folder(connection, name)) for name in FOLDERS}


def uid_of(world, position: int, section: int = 0) -> str:
    sessions = published_version(world.period).sections[section].sessions
    return next(s.uid for s in sessions if s.position == position)


def learner_record(world, uid: str, address: str) -> InviteRecord:
    learner = next(x for x in [*world["learners"], world["sam"]] if x.email == address)
    return db.session.scalars(
        select(InviteRecord).where(InviteRecord.uid == uid, InviteRecord.learner_id == learner.id)
    ).one()


def facilitator_record(world, uid: str, name: str) -> InviteRecord:
    return db.session.scalars(
        select(InviteRecord).where(
            InviteRecord.uid == uid, InviteRecord.facilitator_id == world[name].id
        )
    ).one()


def fresh(record: InviteRecord) -> InviteRecord:
    db.session.expire_all()
    return db.session.get(InviteRecord, record.id)


def test_answers_from_outlook_gmail_and_apple_are_recorded_and_filed_as_processed(world, mailbox):
    first, second = uid_of(world, 0), uid_of(world, 1)
    deliver(
        mailbox,
        outlook_reply(first, "lea@example.com", "DECLINED"),
        gmail_reply(first, "mo@example.com", "ACCEPTED"),
        apple_reply(second, "ana@example.com", "TENTATIVE"),
    )

    report = read_replies()

    assert (report.recorded, report.unchanged, report.counters, report.unmatched) == (3, 0, 0, 0)
    lea = fresh(learner_record(world, first, "lea@example.com"))
    assert (lea.reply, lea.reply_channel) == (Reply.DECLINED, ReplyChannel.MAIL)
    assert lea.replied_at is not None
    assert fresh(learner_record(world, first, "mo@example.com")).reply == Reply.ACCEPTED
    assert fresh(facilitator_record(world, second, "ana")).reply == Reply.TENTATIVE
    # Nobody else's answer moved: Zoe, Lea's second session, Ana's first.
    assert fresh(learner_record(world, first, "zoe@example.com")).reply == Reply.NEEDS_ACTION
    assert fresh(learner_record(world, second, "lea@example.com")).reply == Reply.NEEDS_ACTION
    assert fresh(facilitator_record(world, first, "ana")).reply == Reply.NEEDS_ACTION
    assert subjects(mailbox) == {
        "INBOX": [],
        "Processed": [
            "Declined: Fire safety (1/2)",
            "Invitation: Accepted",
            "Invitation: Tentative",
        ],
        "Unmatched": [],
        "Counter proposals": [],
    }


def test_the_same_answer_read_twice_changes_nothing_and_a_new_one_replaces_it(world, mailbox):
    first = uid_of(world, 0)
    deliver(mailbox, gmail_reply(first, "mo@example.com", "ACCEPTED"))
    read_replies()
    record = fresh(learner_record(world, first, "mo@example.com"))
    answered_at = record.replied_at

    deliver(mailbox, gmail_reply(first, "mo@example.com", "ACCEPTED"))
    report = read_replies()
    assert (report.recorded, report.unchanged) == (0, 1)
    assert fresh(record).replied_at == answered_at

    deliver(mailbox, outlook_reply(first, "mo@example.com", "DECLINED", name="Mo Haddad"))
    assert read_replies().recorded == 1
    assert fresh(record).reply == Reply.DECLINED
    assert len(folder(mailbox, "Processed")) == 3


def test_a_proposed_new_time_changes_nothing_and_waits_for_the_coordinator(world, mailbox):
    first = uid_of(world, 0)
    deliver(mailbox, outlook_reply(first, "lea@example.com", "TENTATIVE", method="COUNTER"))

    report = read_replies()

    assert (report.recorded, report.counters) == (0, 1)
    assert fresh(learner_record(world, first, "lea@example.com")).reply == Reply.NEEDS_ACTION
    (counter,) = folder(mailbox, "Counter proposals")
    assert counter["Subject"] == "New Time Proposed: Fire safety (1/2)"
    assert folder(mailbox, "INBOX") == [] and folder(mailbox, "Processed") == []


def test_mail_that_cannot_be_matched_is_filed_unmatched_and_the_run_goes_on(world, mailbox, caplog):
    first, second = uid_of(world, 0), uid_of(world, 1)
    deliver(
        mailbox,
        # Someone else answering for Lea (a forward, a colleague, a forgery).
        outlook_reply(first, "lea@example.com", "DECLINED", sender="boss@example.com"),
        # Lea answering from a private address the plan does not know.
        gmail_reply(first, "lea.martin@gmail.example", "ACCEPTED"),
        # A calendar that does not parse, mail in words, a UID we never sent.
        broken_calendar_mail("zoe@example.com"),
        plain_mail("zoe@example.com"),
        apple_reply("not-ours@elsewhere.example", "ana@example.com", "ACCEPTED"),
        # An answer to an older version of the invitation (SEQUENCE moved on since).
        outlook_reply(second, "lea@example.com", "ACCEPTED", sequence=-1),
        # And after all that, a good one: the run did not stop.
        gmail_reply(second, "mo@example.com", "DECLINED"),
    )
    caplog.set_level(logging.INFO, logger="scheduler.calendars.reply_inbox")

    report = read_replies()

    assert (report.recorded, report.unmatched) == (1, 6)
    for address in ("lea@example.com", "zoe@example.com"):
        for uid in (first, second):
            assert fresh(learner_record(world, uid, address)).reply == Reply.NEEDS_ACTION
    assert fresh(facilitator_record(world, first, "ana")).reply == Reply.NEEDS_ACTION
    assert fresh(learner_record(world, second, "mo@example.com")).reply == Reply.DECLINED
    assert len(folder(mailbox, "Unmatched")) == 6
    assert len(folder(mailbox, "Processed")) == 1
    assert folder(mailbox, "INBOX") == []
    reasons = caplog.text
    assert "sent from boss@example.com" in reasons
    assert "no invitation for lea.martin@gmail.example" in reasons
    assert "could not be read" in reasons
    assert "no calendar" in reasons
    assert "no invitation for ana@example.com on not-ours@elsewhere.example" in reasons
    assert "answers version -1" in reasons


def test_an_answer_to_a_withdrawn_invitation_is_filed_not_recorded(world, mailbox):
    leeds_first = uid_of(world, 0, section=1)
    publish_plan(world, first_plan(world)[:1])  # the Leeds section is dropped: Sam is cancelled
    sam = learner_record(world, leeds_first, "sam@example.com")
    assert sam.method == InviteMethod.CANCEL
    deliver(mailbox, gmail_reply(leeds_first, "sam@example.com", "ACCEPTED", sequence=5))

    report = read_replies()

    assert (report.recorded, report.unmatched) == (0, 1)
    assert fresh(sam).reply == Reply.NEEDS_ACTION
    assert len(folder(mailbox, "Unmatched")) == 1


def test_messages_are_moved_whole_never_deleted(world, mailbox):
    raw = apple_reply(uid_of(world, 0), "ana@example.com", "ACCEPTED")
    deliver(mailbox, raw, plain_mail("someone@example.com"))

    read_replies()

    (processed,) = folder(mailbox, "Processed")
    (unmatched,) = folder(mailbox, "Unmatched")
    assert processed.as_bytes().replace(b"\r\n", b"\n") == email.message_from_bytes(
        raw
    ).as_bytes().replace(b"\r\n", b"\n")
    assert unmatched["Subject"] == "Re: Fire safety"


def test_a_server_without_move_gets_copy_and_the_original_expunged_alone(app, mailbox):
    deliver(mailbox, plain_mail("a@example.com"), plain_mail("b@example.com"))
    with app.app_context(), Mailbox(app.config) as reader:
        reader.ensure_folders("Unmatched")
        reader.capabilities.discard("MOVE")
        first, _ = reader.waiting(10)
        reader.move(first, "Unmatched")

    assert [m["From"] for m in folder(mailbox, "Unmatched")] == ["a@example.com"]
    assert [m["From"] for m in folder(mailbox, "INBOX")] == ["b@example.com"]


def test_a_folder_another_worker_made_meanwhile_is_not_an_error(app, mailbox):
    assert mailbox.create(quote("Counter proposals"))[0] == "OK"
    with app.app_context(), Mailbox(app.config) as reader:
        reader.folders = lambda: []  # as if LIST had answered before the other worker's CREATE
        reader.ensure_folders("Counter proposals", "Unmatched")
        assert {"Counter proposals", "Unmatched"} <= set(Mailbox.folders(reader))


def test_the_command_reads_the_mailbox_once_and_says_what_it_did(world, mailbox, runner):
    deliver(
        mailbox,
        gmail_reply(uid_of(world, 0), "mo@example.com", "ACCEPTED"),
        plain_mail("mo@example.com"),
    )

    result = runner.invoke(args=["mail", "read-replies"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("recorded 1, unchanged 0, counter-proposals 0, unmatched 1")


def test_the_command_fails_when_no_mailbox_is_set_or_it_cannot_be_reached(app, runner):
    result = runner.invoke(args=["mail", "read-replies"])
    assert result.exit_code == 1
    assert "SCHEDULER_IMAP_HOST" in result.output

    app.config.update(IMAP_HOST="127.0.0.1", IMAP_PORT=_closed_port(), IMAP_SECURITY="none")
    result = runner.invoke(args=["mail", "read-replies"])
    assert result.exit_code == 1
    assert "IMAP 127.0.0.1" in result.output


def test_the_periodic_task_reads_the_mailbox_and_survives_an_unreachable_one(
    world, mailbox, app, caplog
):
    deliver(mailbox, gmail_reply(uid_of(world, 0), "mo@example.com", "TENTATIVE"))
    assert read_reply_mail() == 1
    assert fresh(learner_record(world, uid_of(world, 0), "mo@example.com")).reply == (
        Reply.TENTATIVE
    )

    app.config.update(IMAP_PORT=_closed_port())
    assert read_reply_mail() == 0
    assert "The replies mailbox could not be read" in caplog.text

    app.config.update(IMAP_HOST=None)
    assert read_reply_mail() == 0


def test_workers_read_the_mailbox_every_poll_interval(app, database_url, tmp_path):
    from datetime import datetime

    from scheduler import create_app
    from tests.conftest import _test_config

    def due(config_minutes: int) -> list[int]:
        instance = tmp_path / str(config_minutes)
        instance.mkdir()
        other = create_app(
            _test_config(database_url, instance) | {"IMAP_POLL_MINUTES": config_minutes}
        )
        huey = queue.huey(other)
        return [
            minute
            for minute in range(60)
            if READ_REPLIES_TASK
            in {task.name for task in huey.read_periodic(datetime(2027, 3, 1, 9, minute))}
        ]

    assert due(5) == list(range(0, 60, 5))
    assert due(20) == [0, 20, 40]
    assert due(0) == []


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- over TLS ------------------------------------------------------------------------------------

CA = trustme.CA()


@pytest.fixture(scope="module")
def tls_server():
    issued = CA.issue_cert("127.0.0.1")
    chain = b"".join(blob.bytes() for blob in issued.cert_chain_pems)
    yield from start_dovecot(certificate=(chain, issued.private_key_pem.bytes()))


@pytest.fixture
def ca_file(tmp_path) -> str:
    path = tmp_path / "imap-ca.pem"
    CA.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_answers_are_read_over_tls_with_a_private_ca(world, app, tls_server, ca_file, security):
    user = f"tls-{security}"
    app.config.update(tls_server.config_for(user))
    port = tls_server.port if security == "starttls" else tls_server.tls_port
    app.config.update(IMAP_SECURITY=security, IMAP_PORT=port, IMAP_CAFILE=ca_file)
    connection = tls_server.connect(user)
    first = uid_of(world, 0)
    deliver(connection, gmail_reply(first, "mo@example.com", "DECLINED"))

    assert read_replies().recorded == 1

    assert fresh(learner_record(world, first, "mo@example.com")).reply == Reply.DECLINED
    assert len(folder(connection, "Processed")) == 1
    connection.logout()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_certificate_from_an_untrusted_ca_is_refused(app, tls_server, security):
    app.config.update(tls_server.config_for("tls-untrusted"))
    port = tls_server.port if security == "starttls" else tls_server.tls_port
    app.config.update(IMAP_SECURITY=security, IMAP_PORT=port, IMAP_CAFILE=None)
    with app.app_context(), pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
        read_replies()
    assert "Login: user=<tls-untrusted>" not in tls_server.log()


def test_an_unknown_security_mode_is_refused_not_sent_in_clear(app, tls_server):
    app.config.update(tls_server.config_for("tls-typo"), IMAP_SECURITY="tls")
    with app.app_context(), pytest.raises(MailboxError, match="IMAP_SECURITY must be one of"):
        read_replies()


def test_a_missing_ca_file_is_a_mailbox_error_not_a_crash(app, tls_server, tmp_path):
    app.config.update(tls_server.config_for("tls-no-ca"))
    missing = str(tmp_path / "no-such-ca.pem")
    app.config.update(IMAP_SECURITY="starttls", IMAP_CAFILE=missing)
    with app.app_context(), pytest.raises(MailboxError, match="No such file"):
        read_replies()
