"""iMIP answers shaped as the clients people use send them (RFC 6047 over RFC 5546).

Each builder returns the whole message as bytes, as it would land in the organiser's mailbox:

- Outlook / Exchange: ``multipart/alternative`` of text/plain, text/html and the calendar as
  ``text/calendar; method=REPLY`` in base64, PRODID "Microsoft Exchange Server 2010", a
  ``Accepted:``/``Declined:``/``Tentative:`` subject, ``New Time Proposed:`` for a COUNTER;
- Gmail: ``multipart/mixed`` of a ``multipart/alternative`` (text, html, ``text/calendar;
  method=REPLY``) and the same calendar again as an ``invite.ics`` attachment
  (``application/ics``), PRODID "Google Calendar 70.9054", ``CUTYPE``, ``ROLE`` and
  ``X-NUM-GUESTS`` on the ATTENDEE;
- Apple Calendar: ``multipart/alternative`` of text/plain and ``text/calendar; method=REPLY;
  name=reply.ics`` in quoted-printable, PRODID "Mac OS X", an ``EMAIL=`` parameter and an
  upper-case ``MAILTO:``.
"""

from __future__ import annotations

from email.charset import QP, Charset
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, make_msgid

ORGANIZER = "scheduling@example.com"
STAMP = "20270301T120000Z"


def calendar(
    method: str,
    uid: str,
    attendee_line: str,
    *,
    prodid: str,
    sequence: int | None = 0,
    start: str = "20270316T090000Z",
    end: str = "20270316T110000Z",
    extra: str = "",
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{prodid}",
        "VERSION:2.0",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{STAMP}",
        f"DTSTART:{start}",
        f"DTEND:{end}",
        "SUMMARY:Fire safety (1/2)",
        f"ORGANIZER;CN=Scheduling:mailto:{ORGANIZER}",
        attendee_line,
    ]
    if sequence is not None:
        lines.append(f"SEQUENCE:{sequence}")
    if extra:
        lines.append(extra)
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def _headers(message, sender: str, name: str, subject: str) -> bytes:
    message["From"] = formataddr((name, sender))
    message["To"] = ORGANIZER
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="replies.example.com")
    message["Date"] = "Mon, 01 Mar 2027 12:30:00 +0000"
    return message.as_bytes()


WORDS = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}


def outlook_reply(
    uid: str,
    attendee: str,
    partstat: str,
    *,
    sender: str | None = None,
    sequence: int | None = 0,
    method: str = "REPLY",
    name: str = "Léa Martin",
) -> bytes:
    """Outlook's answer; ``method="COUNTER"`` is its "Propose new time"."""
    sender = sender or attendee
    attendee_line = f'ATTENDEE;PARTSTAT={partstat};CN="{name}":mailto:{attendee}'
    extra = "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\nCOMMENT:\r\nTRANSP:OPAQUE"
    start = "20270317T090000Z" if method == "COUNTER" else "20270316T090000Z"
    end = "20270317T110000Z" if method == "COUNTER" else "20270316T110000Z"
    ics = calendar(
        method,
        uid,
        attendee_line,
        prodid="Microsoft Exchange Server 2010",
        sequence=sequence,
        start=start,
        end=end,
        extra=extra,
    )
    message = MIMEMultipart("alternative")
    message.attach(MIMEText("", "plain", "utf-8"))
    message.attach(MIMEText("<html><body></body></html>", "html", "utf-8"))
    part = MIMEText(ics, "calendar", "utf-8")  # base64, as Outlook sends it
    part.set_param("method", method)
    message.attach(part)
    subject = (
        "New Time Proposed: Fire safety (1/2)"
        if method == "COUNTER"
        else f"{WORDS.get(partstat, partstat)}: Fire safety (1/2)"
    )
    return _headers(message, sender, name, subject)


def gmail_reply(
    uid: str, attendee: str, partstat: str, *, sender: str | None = None, sequence: int = 0
) -> bytes:
    """Gmail's answer: the calendar inline and again as invite.ics."""
    sender = sender or attendee
    attendee_line = (
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT={partstat};CN=Mo Haddad;X-NUM-GUESTS=0:mailto:{attendee}"
    )
    ics = calendar(
        "REPLY",
        uid,
        attendee_line,
        prodid="-//Google Inc//Google Calendar 70.9054//EN",
        sequence=sequence,
        extra="CLASS:PUBLIC\r\nSTATUS:CONFIRMED\r\nTRANSP:OPAQUE",
    )
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(f"Mo Haddad has {partstat.lower()} this invitation.", "plain"))
    alternative.attach(MIMEText("<p>Mo Haddad has answered.</p>", "html"))
    inline = MIMEText(ics, "calendar", "utf-8")
    inline.set_param("method", "REPLY")
    alternative.attach(inline)
    message = MIMEMultipart("mixed")
    message.attach(alternative)
    attachment = MIMEApplication(ics.encode(), "ics", name="invite.ics")
    attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
    message.attach(attachment)
    return _headers(message, sender, "Mo Haddad", f"Invitation: {WORDS[partstat]}")


def apple_reply(
    uid: str, attendee: str, partstat: str, *, sender: str | None = None, sequence: int = 0
) -> bytes:
    """Apple Calendar's answer: a quoted-printable text/calendar part named reply.ics."""
    sender = sender or attendee
    attendee_line = (
        f"ATTENDEE;CN=Ana Duarte;CUTYPE=INDIVIDUAL;EMAIL={attendee};"
        f"PARTSTAT={partstat}:MAILTO:{attendee.upper()}"
    )
    ics = calendar(
        "REPLY",
        uid,
        attendee_line,
        prodid="-//Apple Inc.//Mac OS X 10.15.7//EN",
        sequence=sequence,
        extra="CREATED:20270301T115900Z\r\nREQUEST-STATUS:2.0;Success",
    )
    message = MIMEMultipart("alternative")
    message.attach(MIMEText("", "plain", "us-ascii"))
    quoted_printable = Charset("utf-8")
    quoted_printable.body_encoding = QP
    part = MIMEText(ics, "calendar", quoted_printable)
    part.set_param("method", "REPLY")
    part.set_param("name", "reply.ics")
    message.attach(part)
    return _headers(message, sender, "Ana Duarte", f"Invitation: {WORDS[partstat]}")


def plain_mail(sender: str, text: str = "Thanks, see you there!") -> bytes:
    """A person's ordinary answer in words (no calendar)."""
    return _headers(MIMEText(text, "plain", "utf-8"), sender, "", "Re: Fire safety")


def broken_calendar_mail(sender: str) -> bytes:
    """A text/calendar part that is not a calendar."""
    part = MIMEText("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nthis is not", "calendar")
    part.set_param("method", "REPLY")
    return _headers(part, sender, "", "Accepted: ?")
