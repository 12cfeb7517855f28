"""Reading one iMIP message: which invitation, which attendee, what answer (no server needed)."""

from __future__ import annotations

from email.mime.text import MIMEText
from email.utils import formataddr

import pytest

from scheduler.calendars.reply_mail import NotAReply, parse_reply
from tests.reply_samples import (
    apple_reply,
    broken_calendar_mail,
    calendar,
    gmail_reply,
    outlook_reply,
    plain_mail,
)

UID = "session-1@scheduler.example.com"


@pytest.mark.parametrize(
    ("build", "address", "partstat"),
    [
        (outlook_reply, "lea@example.com", "DECLINED"),
        (gmail_reply, "mo@example.com", "ACCEPTED"),
        (apple_reply, "ana@example.com", "TENTATIVE"),
    ],
)
def test_each_clients_reply_reads_as_uid_attendee_and_answer(build, address, partstat):
    reply = parse_reply(build(UID, address, partstat, sequence=3))
    assert (reply.method, reply.uid, reply.attendee, reply.partstat) == (
        "REPLY",
        UID,
        address,
        partstat,
    )
    assert (reply.sequence, reply.sender) == (3, address)


def test_apples_upper_case_mailto_and_address_are_read_in_lower_case():
    reply = parse_reply(apple_reply(UID, "Ana@Example.com", "ACCEPTED", sender="ana@example.com"))
    assert reply.attendee == "ana@example.com"


def test_a_proposed_new_time_reads_as_a_counter():
    reply = parse_reply(outlook_reply(UID, "lea@example.com", "TENTATIVE", method="COUNTER"))
    assert reply.method == "COUNTER"


def test_a_reply_without_sequence_says_so():
    assert (
        parse_reply(outlook_reply(UID, "lea@example.com", "ACCEPTED", sequence=None)).sequence
        is None
    )


def test_a_calendar_named_ics_but_labelled_octet_stream_is_found():
    ics = calendar(
        "REPLY", UID, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:lea@example.com", prodid="-//x//EN"
    )
    part = MIMEText(ics, "plain", "utf-8")
    part.replace_header("Content-Type", 'application/octet-stream; name="reply.ics"')
    part["From"] = "lea@example.com"
    assert parse_reply(part.as_bytes()).partstat == "ACCEPTED"


def test_of_several_attendees_the_senders_own_entry_is_the_answer():
    lines = (
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mo@example.com\r\n"
        "ATTENDEE;PARTSTAT=DECLINED:mailto:lea@example.com"
    )
    part = MIMEText(calendar("REPLY", UID, lines, prodid="-//x//EN"), "calendar", "utf-8")
    part["From"] = formataddr(("Léa Martin", "lea@example.com"))  # =?utf-8?q?L=C3=A9a...
    reply = parse_reply(part.as_bytes())
    assert (reply.attendee, reply.partstat) == ("lea@example.com", "DECLINED")

    del part["From"]
    part["From"] = "zoe@example.com"
    with pytest.raises(NotAReply, match="2 ATTENDEEs"):
        parse_reply(part.as_bytes())


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (plain_mail("lea@example.com"), "no calendar"),
        (broken_calendar_mail("lea@example.com"), "could not be read"),
        (b"\x00\xff garbage with no headers", "no calendar"),
        (b"", "no calendar"),
    ],
)
def test_mail_that_is_not_a_reply_says_why(raw, reason):
    with pytest.raises(NotAReply, match=reason):
        parse_reply(raw)


def test_a_request_or_a_calendar_without_uid_is_not_a_reply():
    request = calendar(
        "REQUEST", UID, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:lea@example.com", prodid="-//x//EN"
    )
    with pytest.raises(NotAReply, match="METHOD is REQUEST"):
        parse_reply(MIMEText(request, "calendar", "utf-8").as_bytes())
    no_uid = calendar(
        "REPLY", "", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:lea@example.com", prodid="-//x//EN"
    )
    with pytest.raises(NotAReply, match="exactly one UID"):
        parse_reply(MIMEText(no_uid, "calendar", "utf-8").as_bytes())
