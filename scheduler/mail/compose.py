"""Build e-mail messages: plain text, optionally with an iCalendar (iMIP, RFC 6047) part."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from flask import current_app

from scheduler.database import utcnow
from scheduler.text import printable

# CRLF line ends and 7-bit transfer encodings: the stored text goes to any SMTP server as is.
POLICY = SMTP.clone(cte_type="7bit")


def compose(
    recipient: str,
    subject: str,
    text: str,
    *,
    calendar: bytes | None = None,
    method: str | None = None,
) -> EmailMessage:
    """A message to ``recipient``; with ``calendar``, an iMIP invitation of ``method``.

    The calendar goes both inline (``text/calendar; method=...``, which Outlook, Gmail and
    Apple Mail turn into Accept/Decline buttons) and as an ``invite.ics`` attachment for the
    clients that only import attachments.
    """
    message = EmailMessage(policy=POLICY)
    message["From"] = current_app.config["MAIL_FROM"]
    # A header with a line break is refused by ``email`` (and would inject headers otherwise);
    # the subject holds names from the database.
    message["To"] = printable(recipient)
    message["Subject"] = printable(subject)
    message["Date"] = format_datetime(utcnow())
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("cohort-scheduler", domain=domain)
    message.set_content(text)
    if calendar is not None:
        message.add_alternative(
            calendar.decode(), subtype="calendar", params={"method": method or "PUBLISH"}
        )
        message.add_attachment(
            calendar,
            maintype="application",
            subtype="ics",
            filename="invite.ics" if method != "CANCEL" else "cancel.ics",
        )
    return message
