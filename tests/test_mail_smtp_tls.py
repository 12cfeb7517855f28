"""The outbox sender against real TLS mail servers on loopback (aiosmtpd): STARTTLS and implicit
TLS with a login, trusted through ``SMTP_CAFILE``; a wrong password or an untrusted certificate
keeps the message queued for a retry; and nothing, neither the message nor the password, goes
in clear text to a server that does not offer STARTTLS.

The certificate authority and the server's certificate are made for each test run by
``trustme``; no key is stored in the repository.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from scheduler.config import environment_overrides
from scheduler.mail.operations import retry_delay, send_pending_mail
from scheduler.models import OutboxStatus
from tests.drafts import utc
from tests.test_calendar_mail import free_port, queue, row

NOW = utc(2027, 3, 1, 12)
LOGIN, PASSWORD = "mailer", "correct horse battery"


@dataclass
class Received:
    """A message as the server got it, and how the client had talked to it."""

    mail_from: str
    recipients: list[str]
    content: bytes
    over_tls: bool
    login: bytes | None


class Server:
    """An aiosmtpd handler and authenticator that keep what they were given."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.logins: list[tuple[bytes, bytes, bool]] = []  # login, password, over TLS

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            Received(
                envelope.mail_from,
                envelope.rcpt_tos,
                envelope.content,
                over_tls(server),
                session.login_data,
            )
        )
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password, over_tls(server)))
        right = (auth_data.login, auth_data.password) == (LOGIN.encode(), PASSWORD.encode())
        return AuthResult(success=right, handled=False, auth_data=auth_data)  # handled: 535


def over_tls(server) -> bool:
    """Whether the connection is encrypted now (after STARTTLS, or TLS from the start)."""
    return server.transport.get_extra_info("ssl_object") is not None


@pytest.fixture(autouse=True)
def every_connection_is_closed(monkeypatch):
    """Fail the test if the sender left an SMTP connection open, a failed one included: it
    must hang up after a refused STARTTLS or login, not leave it to the garbage collector."""
    opened: list[smtplib.SMTP] = []
    connect = smtplib.SMTP.connect

    def recording_connect(self, *args, **kwargs):
        opened.append(self)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", recording_connect)
    yield
    left_open = [connection for connection in opened if connection.sock is not None]
    for connection in left_open:
        connection.close()
    assert left_open == [], "the sender left SMTP connections open"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path) -> str:
    """The CA's certificate (no key) as a PEM file, for ``SMTP_CAFILE``."""
    path = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """A server's TLS context with a certificate for 127.0.0.1 signed by ``ca``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def run(server: Server, **options):
    controller = Controller(
        server, hostname="127.0.0.1", port=free_port(), authenticator=server.authenticate, **options
    )
    controller.start()
    return controller


@pytest.fixture
def starttls_server(ca):
    """A submission server (port 587 style): STARTTLS required before anything, then a login."""
    server = Server()
    controller = run(
        server,
        tls_context=server_context(ca),
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
    )
    yield controller, server
    controller.stop()


@pytest.fixture
def implicit_tls_server(ca):
    """A server that speaks TLS from the first byte (port 465 style), then wants a login.
    (aiosmtpd's ``auth_require_tls`` only counts STARTTLS, so it is off: all of it is TLS.)"""
    server = Server()
    controller = run(server, ssl_context=server_context(ca), auth_require_tls=False)
    yield controller, server
    controller.stop()


@pytest.fixture
def plain_server():
    """A server without STARTTLS that would take a login and a message in clear text (what a
    man in the middle stripping STARTTLS from the server's answer looks like to the client)."""
    server = Server()
    controller = run(server, auth_required=False, auth_require_tls=False)
    yield controller, server
    controller.stop()


def use(app, controller, ca_file: str | None, security="starttls", password=PASSWORD) -> None:
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
        SMTP_SECURITY=security,
        SMTP_USERNAME=LOGIN,
        SMTP_PASSWORD=password,
        SMTP_CAFILE=ca_file,
    )


def test_mail_is_delivered_over_starttls_after_logging_in(app, starttls_server, ca_file):
    controller, server = starttls_server
    use(app, controller, ca_file)
    message_id = queue(app)
    report = send_pending_mail(app, now=NOW)
    assert (report.sent, report.failed) == (1, 0), row(app, message_id).last_error
    (received,) = server.messages
    assert received.over_tls and received.login == LOGIN.encode()
    assert (received.mail_from, received.recipients) == (
        "scheduling@example.com",
        ["ana@example.com"],
    )
    assert b"Subject: Invitation: Fire safety" in received.content
    assert server.logins == [(LOGIN.encode(), PASSWORD.encode(), True)]  # the password: over TLS
    sent = row(app, message_id)
    assert sent.status == OutboxStatus.SENT and sent.attempts == 1 and sent.last_error == ""


def test_mail_is_delivered_over_implicit_tls_after_logging_in(app, implicit_tls_server, ca_file):
    controller, server = implicit_tls_server
    use(app, controller, ca_file, security="ssl")
    message_id = queue(app)
    assert send_pending_mail(app, now=NOW).sent == 1, row(app, message_id).last_error
    (received,) = server.messages
    assert received.over_tls and received.login == LOGIN.encode()
    assert server.logins == [(LOGIN.encode(), PASSWORD.encode(), True)]
    assert row(app, message_id).status == OutboxStatus.SENT


def test_a_wrong_password_keeps_the_message_queued_with_the_error_until_a_retry(
    app, starttls_server, ca_file
):
    controller, server = starttls_server
    use(app, controller, ca_file, password="wrong horse")
    message_id = queue(app)
    report = send_pending_mail(app, now=NOW)
    assert (report.sent, report.failed) == (0, 1)
    assert server.messages == []
    # smtplib tries each offered mechanism (PLAIN, then LOGIN): every try went over TLS.
    assert set(server.logins) == {(LOGIN.encode(), b"wrong horse", True)}, server.logins
    failed = row(app, message_id)
    assert failed.status == OutboxStatus.PENDING and failed.attempts == 1
    assert failed.last_error.startswith("SMTPAuthenticationError: (535"), failed.last_error
    assert "wrong horse" not in failed.last_error
    assert failed.next_attempt_at == NOW + retry_delay(1) and failed.claimed_by is None
    # The password is corrected: nothing is tried before the retry is due, then it is sent.
    app.config["SMTP_PASSWORD"] = PASSWORD
    assert send_pending_mail(app, now=NOW + timedelta(seconds=30)).sent == 0
    assert send_pending_mail(app, now=NOW + retry_delay(1)).sent == 1
    (received,) = server.messages
    assert received.over_tls and received.login == LOGIN.encode()
    sent = row(app, message_id)
    assert sent.status == OutboxStatus.SENT and sent.attempts == 2 and sent.last_error == ""


def test_a_server_certificate_from_an_untrusted_ca_is_refused(app, starttls_server):
    """Without ``SMTP_CAFILE`` the system's CAs decide, and they never signed the test CA."""
    controller, server = starttls_server
    use(app, controller, None)
    message_id = queue(app)
    assert send_pending_mail(app, now=NOW).failed == 1
    assert server.messages == [] and server.logins == []
    failed = row(app, message_id)
    assert failed.status == OutboxStatus.PENDING
    assert "CERTIFICATE_VERIFY_FAILED" in failed.last_error, failed.last_error


def test_a_certificate_for_another_host_name_is_refused(app, ca, ca_file):
    """The CA is trusted but the certificate names another host: the client hangs up."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("mail.example.org").configure_cert(context)
    server = Server()
    controller = run(server, tls_context=context, require_starttls=True)
    try:
        use(app, controller, ca_file)
        message_id = queue(app)
        assert send_pending_mail(app, now=NOW).failed == 1
        assert server.messages == [] and server.logins == []
        assert "CERTIFICATE_VERIFY_FAILED" in row(app, message_id).last_error
    finally:
        controller.stop()


def test_without_starttls_on_the_server_nothing_is_sent_in_clear_text(app, plain_server, ca_file):
    controller, server = plain_server
    with smtplib.SMTP("127.0.0.1", controller.port, timeout=5) as probe:
        probe.ehlo()
        assert probe.has_extn("auth") and not probe.has_extn("starttls")
    use(app, controller, ca_file)
    message_id = queue(app)
    report = send_pending_mail(app, now=NOW)
    assert (report.sent, report.failed) == (0, 1)
    # The server offered a clear-text login and would have taken the message: it got neither.
    assert server.logins == [] and server.messages == []
    failed = row(app, message_id)
    assert failed.status == OutboxStatus.PENDING and failed.attempts == 1
    assert "STARTTLS" in failed.last_error, failed.last_error


@pytest.mark.parametrize("security", ["tls", "STARTTLS ", "yes"])
def test_an_unknown_smtp_security_setting_sends_nothing_in_clear_text(
    app, plain_server, ca_file, security
):
    """A typo in ``SMTP_SECURITY`` is an error to fix, not a reason to drop encryption."""
    controller, server = plain_server
    use(app, controller, ca_file, security=security)
    message_id = queue(app)
    assert send_pending_mail(app, now=NOW).failed == 1
    assert server.logins == [] and server.messages == []
    failed = row(app, message_id)
    assert failed.status == OutboxStatus.PENDING
    assert "SMTP_SECURITY" in failed.last_error, failed.last_error


def test_the_ca_file_can_be_set_from_the_environment():
    overrides = environment_overrides({"SCHEDULER_SMTP_CAFILE": "/etc/ssl/internal-ca.pem"})
    assert overrides == {"SMTP_CAFILE": "/etc/ssl/internal-ca.pem"}
