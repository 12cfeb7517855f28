"""The organiser's mailbox over IMAP: list the messages waiting, fetch one, file it in a folder.

Python's ``imaplib`` is enough for the few commands needed (LOGIN, SELECT, UID SEARCH/FETCH,
UID MOVE or COPY), and needs no dependency. Messages are only ever moved, never deleted: a
server without MOVE (RFC 6851) gets COPY, then the original is flagged ``\\Deleted`` and
expunged by its UID alone (UIDPLUS) so no other message flagged by a person is expunged; a
server without UIDPLUS keeps the flagged original.

Configuration (docs/deploy.md): ``IMAP_HOST`` (none: replies are not read), ``IMAP_PORT``,
``IMAP_SECURITY`` (``ssl``, ``starttls`` or ``none``), ``IMAP_USERNAME``, ``IMAP_PASSWORD``,
``IMAP_CAFILE``, ``IMAP_TIMEOUT`` and the folders ``IMAP_FOLDER``, ``IMAP_PROCESSED_FOLDER``,
``IMAP_UNMATCHED_FOLDER``, ``IMAP_COUNTER_FOLDER``.
"""

from __future__ import annotations

import imaplib
import re
import ssl

SECURITY_MODES = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_LIST = re.compile(rb'\(.*?\) (?:"[^"]*"|NIL) (.+)$')


class MailboxError(RuntimeError):
    """The mailbox could not be reached or refused a command."""


class Mailbox:
    """One IMAP session on the folder that receives replies; use as a context manager."""

    def __init__(self, config) -> None:
        self.config = config
        self.security = (config.get("IMAP_SECURITY") or "ssl").lower()
        if self.security not in SECURITY_MODES:  # a typo must not mean a password in clear text
            raise MailboxError(
                f"IMAP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {self.security!r}"
            )
        self.folder = config.get("IMAP_FOLDER") or "INBOX"
        self.connection: imaplib.IMAP4 | None = None
        self.capabilities: set[str] = set()

    def __enter__(self) -> Mailbox:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def open(self) -> None:
        """Connect, log in and select the folder of incoming replies."""
        config = self.config
        host = config["IMAP_HOST"]
        port = int(config.get("IMAP_PORT") or DEFAULT_PORTS[self.security])
        timeout = config.get("IMAP_TIMEOUT") or 30
        try:
            context = ssl.create_default_context(cafile=config.get("IMAP_CAFILE") or None)
            if self.security == "ssl":
                connection = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
            else:
                connection = imaplib.IMAP4(host, port, timeout=timeout)
            self.connection = connection  # closed below whatever fails next
            if self.security == "starttls":
                connection.starttls(ssl_context=context)
            connection.login(config.get("IMAP_USERNAME") or "", config.get("IMAP_PASSWORD") or "")
            # The capabilities after login are the ones that count (MOVE, UIDPLUS).
            self.capabilities = {
                name.upper() for name in _ok(connection.capability())[0].decode().split()
            }
            _ok(connection.select(quote(self.folder)))
        except (OSError, imaplib.IMAP4.error, MailboxError) as error:
            self.close()
            raise MailboxError(f"IMAP {host}:{port}: {error}") from error

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.connection = None

    def ensure_folders(self, *names: str) -> None:
        """Create the filing folders that do not exist yet (a new mailbox has none)."""
        existing = set(self.folders())
        for name in names:
            if name in existing:
                continue
            try:
                self._call("CREATE", self._imap.create, quote(name))
            except MailboxError as error:
                # A name LIST gave in a form not read above, or another worker just made it.
                if "EXISTS" not in str(error).upper():
                    raise
            self._call("SUBSCRIBE", self._imap.subscribe, quote(name))

    def folders(self) -> list[str]:
        """The names of the account's folders."""
        names = []
        for line in self._call("LIST", self._imap.list):
            match = _LIST.match(line) if isinstance(line, bytes) else None
            if match:
                names.append(_unquote(match.group(1).decode()))
        return names

    def waiting(self, limit: int) -> list[bytes]:
        """The UIDs of up to ``limit`` messages in the replies folder, oldest first."""
        found = self._uid("SEARCH", "ALL")
        return (found[0] or b"").split()[:limit]

    def size(self, uid: bytes) -> int | None:
        """The size in bytes of message ``uid``; None when it has gone (another worker filed it)."""
        for line in self._uid("FETCH", uid, "(RFC822.SIZE)"):
            match = _SIZE.search(line if isinstance(line, bytes) else b"")
            if match:
                return int(match.group(1))
        return None

    def fetch(self, uid: bytes) -> bytes | None:
        """Message ``uid`` whole, without marking it read; None when it has gone."""
        for item in self._uid("FETCH", uid, "(BODY.PEEK[])"):
            if isinstance(item, tuple):
                return item[1]
        return None

    def move(self, uid: bytes, folder: str) -> None:
        """File message ``uid`` in ``folder``."""
        if "MOVE" in self.capabilities:
            self._uid("MOVE", uid, quote(folder))
            return
        self._uid("COPY", uid, quote(folder))
        self._uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        if "UIDPLUS" in self.capabilities:
            self._uid("EXPUNGE", uid)

    @property
    def _imap(self) -> imaplib.IMAP4:
        assert self.connection is not None, "the mailbox is not open"
        return self.connection

    def _uid(self, command: str, *args) -> list:
        return self._call(f"UID {command}", self._imap.uid, command, *args)

    def _call(self, what: str, method, *args) -> list:
        try:
            return _ok(method(*args))
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError(f"IMAP {what}: {error}") from error


def _ok(response) -> list:
    status, data = response
    if status != "OK":
        raise MailboxError(f"IMAP answered {status}: {data!r}"[:300])
    return data


def quote(name: str) -> str:
    """A folder name as an IMAP quoted string ("Counter proposals" has a space)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return name
