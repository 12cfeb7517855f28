"""A real IMAP server for the tests: Debian's Dovecot on a free loopback port.

``scripts/install-mailbox`` (run by ``scripts/test``) installs ``dovecot-imapd``; the server
here runs in the foreground with its own configuration in a temporary folder, never the
system's. Any user name logs in with ``PASSWORD`` (a static passdb), and each user name has its
own maildir, so each test takes a fresh mailbox by using a new name.

Dovecot refuses to run its login and mail processes as root: run as root (this sandbox, most
CI containers) they run as the package's ``dovenull`` and ``dovecot`` users, and the folders
they use are made theirs.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = Path("/usr/sbin/dovecot")
PASSWORD = "mailbox-test-password"
#: How long Dovecot may take to start before the tests give up on it (not a timing assertion).
STARTUP_SECONDS = 30


@dataclass
class ImapServer:
    host: str
    port: int  # IMAP, with STARTTLS when the server has a certificate
    folder: Path
    tls_port: int | None = None  # implicit TLS (IMAPS), when the server has a certificate

    def connect(self, user: str) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        connection.login(user, PASSWORD)
        return connection

    def config_for(self, user: str) -> dict:
        """The app settings that read ``user``'s mailbox on this server."""
        return {
            "IMAP_HOST": self.host,
            "IMAP_PORT": self.port,
            "IMAP_SECURITY": "none",
            "IMAP_USERNAME": user,
            "IMAP_PASSWORD": PASSWORD,
        }

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def dovecot_available() -> bool:
    return DOVECOT.exists() and Path("/usr/lib/dovecot/imap").exists()


def start_dovecot(certificate: tuple[bytes, bytes] | None = None):
    """Start Dovecot and yield an ``ImapServer``; stop it and remove its files afterwards.
    ``certificate``: (certificate chain PEM, key PEM) to offer STARTTLS and IMAPS with."""
    if not dovecot_available():
        reason = "Dovecot is not installed: run scripts/install-mailbox (apt-get dovecot-imapd)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_DOVECOT"):
            pytest.fail(reason)  # CI installs it: a missing server there is a broken setup
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
    folder.chmod(0o755)  # the unprivileged mail processes read their config and maildirs here
    (folder / "mail").mkdir()
    port = _free_port()
    tls_port = None
    if certificate is not None:
        tls_port = _free_port()
        (folder / "cert.pem").write_bytes(certificate[0])
        (folder / "key.pem").write_bytes(certificate[1])
        (folder / "key.pem").chmod(0o600)
    (folder / "dovecot.conf").write_text(_config(folder, port, tls_port))
    if os.getuid() == 0:
        mail_user = pwd.getpwnam("dovecot")
        os.chown(folder / "mail", mail_user.pw_uid, mail_user.pw_gid)
    with open(folder / "stderr.log", "wb") as stderr:
        process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(folder / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    server = ImapServer("127.0.0.1", port, folder, tls_port)
    try:
        _wait_until_ready(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _config(folder: Path, port: int, tls_port: int | None) -> str:
    if os.getuid() == 0:
        login_user, internal_user = "dovenull", "dovecot"
        mail_user = pwd.getpwnam("dovecot")
        uid, gid = mail_user.pw_uid, mail_user.pw_gid
    else:
        login_user = internal_user = pwd.getpwuid(os.getuid()).pw_name
        uid, gid = os.getuid(), os.getgid()
    if tls_port is None:
        tls = "ssl = no"
    else:
        tls = f"ssl = yes\nssl_cert = <{folder}/cert.pem\nssl_key = <{folder}/key.pem"
    return f"""
{tls}
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port or 0}
  }}
}}
service anvil {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_ready(server: ImapServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            errors = (server.folder / "stderr.log").read_text(errors="replace")
            pytest.fail(f"Dovecot stopped: {errors}\n{server.log()}")
        try:
            server.connect("startup-probe").logout()
            return
        except (OSError, imaplib.IMAP4.error):
            if time.monotonic() > deadline:
                pytest.fail(f"Dovecot did not answer within {STARTUP_SECONDS}s:\n{server.log()}")
            time.sleep(0.1)
